"""Keys that may do only what they are for: permissions by tag of the
upstream's document, held at bckeys and at verify, and keys minted by keys
within their parent's permissions, on both engines."""

import json

import pytest
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.web.application import create_app
from tests.support.accounts import make_account

GENERATE = "/api/api-keys/generate"
LIST = "/api/api-keys"
VERIFY = "/api/api-keys/verify"
UPSTREAM = {
    "openapi": "3.0.0",
    "info": {"title": "upstream", "version": "1"},
    "paths": {
        "/api/items": {
            "get": {"tags": ["Items"], "responses": {}},
            "post": {"tags": ["Items"], "responses": {}},
        },
        "/api/items/{id}": {"delete": {"tags": ["Items"], "responses": {}}},
        "/api/sale-invoices": {"post": {"tags": ["Sale Invoices"], "responses": {}}},
        "/api/sale-invoices/receivable": {"get": {"tags": ["Sale Invoices"], "responses": {}}},
        "/api/sale-invoices/{id}": {"get": {"tags": ["Sale Invoices"], "responses": {}}},
    },
}


@pytest.fixture
def env(env, tmp_path):
    """The suite's environment, with an upstream document as the vocabulary."""
    document = tmp_path / "upstream-openapi.json"
    document.write_text(json.dumps(UPSTREAM))
    return {**env, "UPSTREAM_OPENAPI": str(document)}


def mint(client, token: str, organization_id: str, body: dict):
    headers = {"Authorization": f"Bearer {token}", "organization-id": organization_id}
    return client.post(GENERATE, json=body, headers=headers)


def scoped_key(client, account, permissions: dict | None, token: str | None = None) -> dict:
    body = {} if permissions is None else {"permissions": permissions}
    created = mint(client, token or account.token, account.organization_id, body)
    assert created.status_code == 201, created.text
    return created.json()


def verify(client, key: str, method: str | None = None, target: str | None = None, **headers):
    if method is not None:
        headers["X-Original-Method"] = method
    if target is not None:
        headers["X-Original-URI"] = target
    return client.get(VERIFY, headers={"Authorization": f"Bearer {key}", **headers})


def test_the_list_shows_each_keys_permissions(client, account):
    scoped = scoped_key(client, account, {"Sale Invoices": "write", "Items": "read"})
    unscoped = scoped_key(client, account, None)
    listed = {item["id"]: item for item in client.get(LIST, headers=account.headers()).json()}
    assert listed[scoped["id"]]["permissions"] == {"Sale Invoices": "write", "Items": "read"}
    assert "permissions" not in listed[unscoped["id"]]


@pytest.mark.parametrize(
    ("permissions", "pointers"),
    [
        ({"Nope": "read"}, ["/permissions/Nope"]),
        ({"Items": "read", "a/b~c": "write"}, ["/permissions/a~1b~0c"]),
        ({}, ["/permissions"]),
        ({"Items": "admin"}, ["/permissions/Items"]),
    ],
)
def test_permissions_the_vocabulary_does_not_have_are_400_and_store_nothing(
    client, account, permissions, pointers
):
    refused = mint(client, account.token, account.organization_id, {"permissions": permissions})
    assert refused.status_code == 400
    assert [entry["pointer"] for entry in refused.json()["errors"]] == pointers
    assert client.get(LIST, headers=account.headers()).json() == []


def test_bckeys_own_tags_and_every_tag_are_in_the_vocabulary(client, account):
    scoped_key(client, account, {"Api keys": "read"})
    scoped_key(client, account, {"*": "read"})


def test_a_key_that_may_read_api_keys_lists_but_may_not_generate_or_revoke(client, account):
    key = scoped_key(client, account, {"Api keys": "read"})["key"]
    headers = account.headers(key)
    assert client.get(LIST, headers=headers).status_code == 200
    refused = client.post(GENERATE, json={}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This key may read, not write, Api keys."
    other = scoped_key(client, account, None)
    revoke = client.put(f"/api/api-keys/{other['id']}/revoke", headers=headers)
    assert revoke.status_code == 403
    assert verify(client, other["key"]).status_code == 200


def test_a_key_without_api_keys_may_not_list(client, account):
    key = scoped_key(client, account, {"Items": "write"})["key"]
    refused = client.get(LIST, headers=account.headers(key))
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This key may not read Api keys."


@pytest.mark.parametrize(
    ("parent", "child", "status"),
    [
        ({"*": "write"}, {"Items": "write"}, 201),
        ({"*": "write"}, {"*": "read"}, 201),
        ({"Api keys": "write", "Items": "read"}, {"Items": "read"}, 201),
        ({"Api keys": "write", "Items": "read"}, {"Items": "write"}, 403),
        ({"Api keys": "write", "Items": "read"}, {"Sale Invoices": "read"}, 403),
        ({"Api keys": "write"}, None, 403),
        (None, {"Items": "read"}, 201),
        (None, None, 201),
    ],
)
def test_a_key_mints_only_keys_within_its_own_permissions(client, account, parent, child, status):
    parent_key = scoped_key(client, account, parent)["key"]
    body = {} if child is None else {"permissions": child}
    minted = mint(client, parent_key, account.organization_id, body)
    assert minted.status_code == status, minted.text
    if status == 403:
        assert minted.json()["detail"] == "A key may mint only keys within its own permissions."


def test_revoking_a_key_stops_its_children_and_grandchildren_on_the_next_request(client, account):
    parent = scoped_key(client, account, None)
    child = scoped_key(client, account, None, token=parent["key"])
    grandchild = scoped_key(client, account, None, token=child["key"])
    sibling = scoped_key(client, account, None)
    assert verify(client, grandchild["key"]).status_code == 200
    revoked = client.put(f"/api/api-keys/{parent['id']}/revoke", headers=account.headers())
    assert revoked.status_code == 200
    assert verify(client, child["key"]).status_code == 401
    assert verify(client, grandchild["key"]).status_code == 401
    assert verify(client, sibling["key"]).status_code == 200
    listed = [item["id"] for item in client.get(LIST, headers=account.headers()).json()]
    assert listed == [sibling["id"]]


def test_a_child_never_expires_after_its_parent(env, tmp_path, account):
    services = build_services(load_settings({**env, "API_KEY_TTL_DAYS": "1"}))
    with TestClient(create_app(services=services)) as client:
        parent = scoped_key(client, account, None)
        child = scoped_key(client, account, None, token=parent["key"])
        listed = {item["id"]: item for item in client.get(LIST, headers=account.headers()).json()}
    services.database.engine.dispose()
    assert listed[child["id"]]["expiresAt"] == listed[parent["id"]]["expiresAt"]


def test_a_minted_key_is_refused_to_a_revoked_parents_token(client, account):
    parent = scoped_key(client, account, None)
    exchanged = verify(client, parent["key"]).headers["x-auth-upstream-authorization"][7:]
    client.put(f"/api/api-keys/{parent['id']}/revoke", headers=account.headers())
    assert mint(client, exchanged, account.organization_id, {}).status_code == 401


def test_verify_allows_a_scoped_key_only_what_its_permissions_cover(client, account):
    key = scoped_key(client, account, {"Items": "read", "Sale Invoices": "write"})["key"]
    assert verify(client, key, "GET", "/api/items?page=2").status_code == 200
    assert verify(client, key, "HEAD", "/api/items").status_code == 200
    assert verify(client, key, "POST", "/api/sale-invoices").status_code == 200
    assert verify(client, key, "GET", "/api/sale-invoices/receivable").status_code == 200
    refused = verify(client, key, "POST", "/api/items")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This key may read, not write, Items."
    assert json.loads(refused.headers["x-auth-problem"]) == refused.json()["detail"]
    assert verify(client, key, "DELETE", "/api/items/7").status_code == 403


def test_verify_reads_traefiks_and_caddys_headers_too(client, account):
    key = scoped_key(client, account, {"Items": "read"})["key"]
    allowed = {"X-Forwarded-Method": "GET", "X-Forwarded-Uri": "/api/items"}
    refused = {"X-Forwarded-Method": "POST", "X-Forwarded-Uri": "/api/items"}
    assert verify(client, key, **allowed).status_code == 200
    assert verify(client, key, **refused).status_code == 403


@pytest.mark.parametrize(
    ("method", "target"),
    [
        (None, None),
        ("GET", None),
        (None, "/api/items"),
        ("GET", "/api/./items"),
        ("GET", "/api/x/../items"),
        ("GET", "/api/%69tems"),
        ("GET", "/api%2Fitems"),
        ("GET", "/api/items%2e"),
        ("GET", "//api/items"),
        ("GET", "/api/items/"),
        ("GET", "/API/items"),
        ("GET", "/api/Items"),
        ("GET", "/api/nothing-here"),
        ("PATCH", "/api/items"),
    ],
)
def test_verify_refuses_a_scoped_key_for_a_request_it_cannot_place(client, account, method, target):
    key = scoped_key(client, account, {"*": "write"})["key"]
    assert verify(client, key, method, target).status_code == 403


def test_an_unscoped_key_and_a_jwt_are_verified_whatever_the_request(client, account):
    key = scoped_key(client, account, None)["key"]
    assert verify(client, key, "DELETE", "/api/nothing-here").status_code == 200
    assert verify(client, key).status_code == 200
    assert verify(client, account.token, "GET", "/API/./x").status_code == 200


def test_a_scoped_keys_exchanged_token_is_as_scoped_as_the_key(client, account):
    key = scoped_key(client, account, {"Items": "read"})["key"]
    exchanged = verify(client, key, "GET", "/api/items").headers["x-auth-upstream-authorization"]
    token = exchanged[7:]
    assert verify(client, token, "GET", "/api/items").status_code == 200
    assert verify(client, token, "POST", "/api/items").status_code == 403


def test_without_an_upstream_document_only_bckeys_tags_are_known(env, account):
    services = build_services(load_settings({**env, "UPSTREAM_OPENAPI": ""}))
    with TestClient(create_app(services=services)) as client:
        assert (
            mint(
                client, account.token, account.organization_id, {"permissions": {"Items": "read"}}
            ).status_code
            == 400
        )
        key = scoped_key(client, account, {"*": "read"})["key"]
        assert verify(client, key, "GET", "/api/items").status_code == 403
    services.database.engine.dispose()


def test_another_organizations_member_cannot_see_the_permissions(client, account, services):
    other = make_account(services)
    scoped_key(client, account, {"Items": "read"})
    assert client.get(LIST, headers=other.headers()).json() == []
