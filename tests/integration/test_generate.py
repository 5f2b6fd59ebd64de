"""POST /api/api-keys/generate through HTTP, on both engines."""

import json
import re

import pytest
from starlette.testclient import TestClient

from app.domain import keys
from app.services import build_services
from app.settings import load_settings
from app.web.application import create_app
from tests.support.accounts import generate_key
from tests.support.database import key_count, stored_key

KEY_PATTERN = re.compile(r"bc_[0-9a-f]{72}")


def test_generate_answers_201_with_id_and_key(client, account):
    response = client.post("/api/api-keys/generate", json={"name": "ci"}, headers=account.headers())
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"id", "key"}
    assert isinstance(body["id"], int)
    assert KEY_PATTERN.fullmatch(body["key"])
    assert keys.is_well_formed(body["key"])


def test_generate_without_a_name_is_201(client, account, services):
    body = generate_key(client, account, name=None)
    assert stored_key(services, body["id"]).name is None


def test_new_key_authenticates_at_once(client, account):
    key = generate_key(client, account)["key"]
    response = client.post("/api/api-keys/generate", json={}, headers=account.headers(token=key))
    assert response.status_code == 201


def test_keys_and_ids_are_unique(env, account):
    # Mints in bulk: no rate.
    services = build_services(load_settings({**env, "API_KEY_GENERATE_RATE": "off"}))
    with TestClient(create_app(services=services)) as client:
        generated = [generate_key(client, account) for _ in range(25)]
    services.database.engine.dispose()
    assert len({body["id"] for body in generated}) == 25
    assert len({body["key"] for body in generated}) == 25


def test_only_the_hash_and_display_prefix_are_stored(client, account, services):
    body = generate_key(client, account)
    stored = stored_key(services, body["id"])
    assert stored.key_hash == keys.hash_key(body["key"])
    assert stored.display_prefix == body["key"][:8]
    assert body["key"] not in repr(vars(stored))


def test_key_belongs_to_the_callers_organization_and_user(client, account, services):
    from app.storage.models import Organization, User

    body = generate_key(client, account)
    stored = stored_key(services, body["id"])
    with services.database.transaction() as session:
        assert (
            session.get(Organization, stored.organization_id).public_id == account.organization_id
        )
        assert session.get(User, stored.user_id).email == account.email


CONTROL_CHARACTERS = "".join(chr(code) for code in range(32)) + "\x7f"

NAMES = {
    "empty": "",
    "255": "x" * 255,
    "255-astral": "\U0001f511" * 255,
    "255-nul": "\x00" * 255,
    "255-control": (CONTROL_CHARACTERS * 8)[:255],
    "255-lone-surrogates": "\ud800" * 255,
    "255-mixed": ("\x00\U0001f511é\u202e" * 64)[:255],
    "emoji": "🔑 key 👩🏽‍💻",
    "nul": "before\x00after",
    "control": CONTROL_CHARACTERS,
    "right-to-left": "\u202eyek\u202c \u200f",
    "quotes-and-sql": "'; DROP TABLE api_keys; --",
    "lone-surrogate": "\ud800",
}


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_every_name_the_schema_admits_is_stored_exactly(client, account, services, name):
    body = generate_key(client, account, name=name)
    assert stored_key(services, body["id"]).name == name
    listed = client.get("/api/api-keys", headers=account.headers()).json()
    assert [item.get("name") for item in listed if item["id"] == body["id"]] == [name]


TOO_LONG_NAMES = {
    "256": "x" * 256,
    "256-astral": "\U0001f511" * 256,
    "very-long": "n" * 60_000,
}


@pytest.mark.parametrize("name", TOO_LONG_NAMES.values(), ids=TOO_LONG_NAMES.keys())
def test_a_name_over_255_characters_is_400_at_name_and_stores_nothing(
    client, account, services, name
):
    before = key_count(services)
    response = client.post(
        "/api/api-keys/generate",
        content=json.dumps({"name": name}).encode("ascii"),
        headers={**account.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert [entry["pointer"] for entry in response.json()["errors"]] == ["/name"]
    assert key_count(services) == before


def test_extra_body_properties_are_ignored(client, account, services):
    before = key_count(services)
    response = client.post(
        "/api/api-keys/generate", json={"name": "a", "scope": "admin"}, headers=account.headers()
    )
    assert response.status_code == 201
    assert key_count(services) == before + 1
