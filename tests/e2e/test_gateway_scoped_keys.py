"""Scoped keys through Debian's nginx with the shipped configuration, in front
of the stand-in upstream, with Bigcapital's own OpenAPI document as the
vocabulary, on both engines."""

import json
import os
import subprocess

import pytest

from tests.conftest import require
from tests.e2e.test_readme import shell_blocks
from tests.support.gateway_fixtures import start_gateway
from tests.support.real_bigcapital import TOOLS

BIGCAPITAL_DOCUMENT = TOOLS / "openapi.json"


@pytest.fixture
def gateway(start_server):
    require(BIGCAPITAL_DOCUMENT.is_file(), "Bigcapital's OpenAPI document")
    gateway = start_gateway(start_server, UPSTREAM_OPENAPI=str(BIGCAPITAL_DOCUMENT))
    yield gateway
    gateway.stop()


def mint(gateway, token: str, organization_id: str, permissions: dict | None) -> dict:
    body = {} if permissions is None else {"permissions": permissions}
    headers = {"Authorization": f"Bearer {token}", "organization-id": organization_id}
    with gateway.proxy.client() as client:
        created = client.post("/api/api-keys/generate", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()


def call(gateway, method: str, target: str, key: str) -> tuple[int, bool]:
    """(status, whether the upstream was reached), the target sent as written."""
    before = len(gateway.upstream.received)
    status = gateway.proxy.raw(method, target, [("Authorization", f"Bearer {key}")])
    return status, len(gateway.upstream.received) > before


def test_a_read_only_key_reads_and_cannot_write(gateway, account):
    key = mint(gateway, account.token, account.organization_id, {"*": "read"})["key"]
    assert call(gateway, "GET", "/api/items", key) == (200, True)
    assert call(gateway, "GET", "/api/sale-invoices/receivable", key) == (200, True)
    assert call(gateway, "POST", "/api/items", key) == (403, False)
    assert call(gateway, "DELETE", "/api/customers/3", key) == (403, False)


def test_an_invoicing_key_creates_invoices_and_cannot_touch_items(gateway, account):
    key = mint(gateway, account.token, account.organization_id, {"Sale Invoices": "write"})["key"]
    assert call(gateway, "POST", "/api/sale-invoices", key) == (200, True)
    assert call(gateway, "GET", "/api/sale-invoices/12", key) == (200, True)
    assert call(gateway, "GET", "/api/items", key) == (403, False)
    assert call(gateway, "PUT", "/api/items/1", key) == (403, False)


def test_a_refusal_reaches_the_client_as_a_problem_naming_what_is_missing(gateway, account):
    key = mint(gateway, account.token, account.organization_id, {"Items": "read"})["key"]
    with gateway.proxy.client() as client:
        refused = client.post("/api/items", json={}, headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "This key may read, not write, Items."
    with gateway.proxy.client() as client:
        unauthenticated = client.get("/api/items", headers={"Authorization": "Bearer bc_x"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert json.loads(unauthenticated.text)["status"] == 401


@pytest.mark.parametrize(
    "target",
    [
        "/api/./items",
        "/api/sale-invoices/../items",
        "/api/%69tems",
        "/api/items%2F1",
        "/api/it%2eems",
        "//api/items",
        "/api//items",
        "/api/items/",
        "/API/items",
        "/api/Items",
        "/api/no-such-operation",
    ],
)
def test_every_non_canonical_path_is_refused_for_a_scoped_key(gateway, account, target):
    key = mint(gateway, account.token, account.organization_id, {"*": "write"})["key"]
    assert call(gateway, "GET", target, key) == (403, False)


def test_a_child_asking_for_more_than_its_parent_is_403(gateway, account):
    parent = mint(gateway, account.token, account.organization_id, {"*": "write"})["key"]
    reader = mint(gateway, parent, account.organization_id, {"Api keys": "write", "Items": "read"})
    headers = {
        "Authorization": f"Bearer {reader['key']}",
        "organization-id": account.organization_id,
    }
    with gateway.proxy.client() as client:
        refused = client.post(
            "/api/api-keys/generate", json={"permissions": {"Items": "write"}}, headers=headers
        )
    assert refused.status_code == 403
    assert refused.json()["detail"] == "A key may mint only keys within its own permissions."


def test_revoking_a_parent_stops_its_grandchild_on_the_next_request(gateway, account):
    parent = mint(gateway, account.token, account.organization_id, None)
    child = mint(gateway, parent["key"], account.organization_id, None)
    grandchild = mint(gateway, child["key"], account.organization_id, {"Items": "read"})
    assert call(gateway, "GET", "/api/items", grandchild["key"]) == (200, True)
    with gateway.proxy.client() as client:
        revoked = client.put(f"/api/api-keys/{parent['id']}/revoke", headers=account.headers())
    assert revoked.status_code == 200
    assert call(gateway, "GET", "/api/items", grandchild["key"]) == (401, False)


def test_the_readmes_narrow_key_works_as_written_through_the_gateway(gateway, account):
    _, curl = shell_blocks("Keys that may do only what they are for")
    made = subprocess.run(
        [
            "bash",
            "-c",
            f"set -euo pipefail\n{curl.replace('127.0.0.1:8080', gateway.proxy.url[7:])}",
        ],
        env={**os.environ, "TOKEN": account.token, "ORG": account.organization_id},
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(made.stdout)["key"]
    assert call(gateway, "POST", "/api/sale-invoices", key) == (200, True)
    assert call(gateway, "GET", "/api/customers", key) == (200, True)
    assert call(gateway, "POST", "/api/customers", key) == (403, False)
    assert call(gateway, "GET", "/api/items", key) == (403, False)
