"""Permissions of scoped keys: what covers an operation, and attenuation."""

import pytest

from app.domain.permissions import refusal, unknown_tags, within
from app.domain.upstream_operations import Operation

LIST_INVOICES = Operation("GET", "/api/sale-invoices", ("Sale Invoices",), "list")
CREATE_INVOICE = Operation("POST", "/api/sale-invoices", ("Sale Invoices",), "create")
CREATE_ITEM = Operation("POST", "/api/items", ("Items",), "create")
UNTAGGED = Operation("GET", "/api/misc", (), None)


def test_a_key_without_permissions_may_do_anything():
    assert refusal(None, CREATE_ITEM) is None


def test_read_covers_get_and_not_post():
    permissions = {"Sale Invoices": "read"}
    assert refusal(permissions, LIST_INVOICES) is None
    assert refusal(permissions, CREATE_INVOICE) == ("This key may read, not write, Sale Invoices.")


def test_write_covers_every_method_of_its_tag_only():
    permissions = {"Sale Invoices": "write"}
    assert refusal(permissions, CREATE_INVOICE) is None
    assert refusal(permissions, LIST_INVOICES) is None
    assert refusal(permissions, CREATE_ITEM) == "This key may not write Items."


def test_every_tag_covers_untagged_operations_too():
    assert refusal({"*": "read"}, UNTAGGED) is None
    assert refusal({"*": "read"}, CREATE_ITEM) == "This key may read, not write, Items."
    assert refusal({"Items": "write"}, UNTAGGED) == (
        "This key may not read operations without a tag."
    )


def test_unknown_tags_are_named_in_order():
    assert unknown_tags(
        {"Items": "read", "Nope": "read", "*": "write", "X": "write"}, frozenset({"Items"})
    ) == ["Nope", "X"]


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        ({"Items": "read"}, None, True),
        (None, None, True),
        (None, {"*": "write"}, False),
        ({"Items": "read"}, {"Items": "write"}, True),
        ({"Items": "write"}, {"Items": "read"}, False),
        ({"Items": "write"}, {"*": "write"}, True),
        ({"Items": "write"}, {"*": "read"}, False),
        ({"*": "read"}, {"*": "read"}, True),
        ({"*": "read"}, {"Items": "write", "Bills": "write"}, False),
        ({"Items": "read", "Bills": "read"}, {"Items": "read"}, False),
        ({"Items": "read", "Bills": "read"}, {"Items": "read", "*": "read"}, True),
    ],
)
def test_a_child_lies_within_its_parent_only_when_it_asks_for_no_more(child, parent, allowed):
    assert within(child, parent) is allowed
