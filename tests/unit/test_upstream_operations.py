"""The index that finds a request's operation in an OpenAPI document, over
every operation of Bigcapital's own document."""

import json
import re

import pytest

from app.domain.upstream_operations import InvalidDocument, OperationIndex
from tests.conftest import require
from tests.support.real_bigcapital import TOOLS

BIGCAPITAL_DOCUMENT = TOOLS / "openapi.json"


@pytest.fixture(scope="module")
def bigcapital_index() -> OperationIndex:
    require(BIGCAPITAL_DOCUMENT.is_file(), "Bigcapital's OpenAPI document")
    return OperationIndex(json.loads(BIGCAPITAL_DOCUMENT.read_text()))


def concrete(template: str) -> str:
    return re.sub(r"\{[^{}/]+\}", "1", template)


def test_bigcapitals_document_has_all_its_operations_and_tags(bigcapital_index):
    assert len(list(bigcapital_index)) == 338
    assert "Sale Invoices" in bigcapital_index.tags
    assert "Api keys" in bigcapital_index.tags


def test_each_concrete_path_finds_exactly_its_own_operation(bigcapital_index):
    for operation in bigcapital_index:
        found = bigcapital_index.find(operation.method, concrete(operation.path))
        assert found == operation, (operation.method, operation.path)


def test_a_literal_segment_wins_over_a_templated_one(bigcapital_index):
    literal_over_template = [
        operation
        for operation in bigcapital_index
        if "{" not in operation.path
        and any(
            other.method == operation.method
            and other.path != operation.path
            and re.fullmatch(
                re.sub(r"\\\{[^{}/]+\\\}", "[^/]+", re.escape(other.path)), operation.path
            )
            for other in bigcapital_index
        )
    ]
    assert literal_over_template, "the document has literal paths that a template also fits"
    for operation in literal_over_template:
        assert bigcapital_index.find(operation.method, operation.path) == operation
    receivable = bigcapital_index.find("GET", "/api/sale-invoices/receivable")
    assert receivable.path == "/api/sale-invoices/receivable"
    assert bigcapital_index.find("GET", "/api/sale-invoices/7").path == "/api/sale-invoices/{id}"


def test_the_query_is_left_out(bigcapital_index):
    assert bigcapital_index.find("GET", "/api/items?page=2&x=/..").path == "/api/items"


def test_head_is_answered_by_get(bigcapital_index):
    assert bigcapital_index.find("HEAD", "/api/items").method == "GET"


@pytest.mark.parametrize(
    "target",
    [
        "/API/items",
        "/api/Items",
        "/api/items/",
        "//api/items",
        "/api//items",
        "/api/./items",
        "/api/x/../items",
        "/api/items/%2e%2e",
        "/api/items%2F1",
        "/api/items/1%2f",
        "/api/it%65ms",
        "/api/items/1 2",
        "/api/items/\\1",
        "api/items",
        "",
        "/api/no-such-thing",
    ],
)
def test_a_path_not_in_canonical_form_or_unknown_names_no_operation(bigcapital_index, target):
    assert bigcapital_index.find("GET", target) is None


def test_a_method_the_path_does_not_have_names_no_operation(bigcapital_index):
    assert bigcapital_index.find("TRACE", "/api/items") is None


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {},
        {"openapi": "3.0.0"},
        {"openapi": "3.0.0", "paths": {"/a": []}},
        {"paths": {}},
        {"openapi": "3.0.0", "paths": {"/a": {"get": "x"}}},
    ],
)
def test_a_document_that_is_not_openapi_is_refused(document):
    with pytest.raises(InvalidDocument):
        OperationIndex(document)
