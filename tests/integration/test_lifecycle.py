"""List, revoke, expiry and last use, tenant-isolated, on both engines."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from app.domain import accounts
from app.services import build_services
from app.settings import load_settings
from app.storage.models import ApiKey, utc_now
from app.web.application import create_app
from tests.support.accounts import generate_key, make_account
from tests.support.database import stored_key

LIST = "/api/api-keys"
GENERATE = "/api/api-keys/generate"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def revoke_path(key_id) -> str:
    return f"/api/api-keys/{key_id}/revoke"


def set_key(services, key_id, **values):
    with services.database.transaction() as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(**values))


def test_list_shows_the_organizations_keys_oldest_first_masked(client, account, other_account):
    first = generate_key(client, account, name="first")
    second = generate_key(client, account, name=None)
    generate_key(client, other_account, name="theirs")
    response = client.get(LIST, headers=account.headers())
    assert response.status_code == 200
    listed = response.json()
    assert [item["id"] for item in listed] == [first["id"], second["id"]]
    assert listed[0]["name"] == "first"
    assert "name" not in listed[1]
    for item, generated in zip(listed, [first, second], strict=True):
        assert item["token"] == generated["key"][:8] + "..."
        assert item["revoked"] is False
        assert TIMESTAMP.fullmatch(item["createdAt"])
        assert "expiresAt" not in item
        assert generated["key"] not in response.text


def test_list_of_an_organization_without_keys_is_empty(client, account):
    assert client.get(LIST, headers=account.headers()).json() == []


def test_list_works_with_key_authentication(client, account):
    key = generate_key(client, account)["key"]
    response = client.get(LIST, headers=account.headers(token=key))
    assert response.status_code == 200
    assert key not in response.text


def test_revoke_with_jwt_answers_200_and_the_key_stops_at_once(client, account):
    generated = generate_key(client, account)
    response = client.put(revoke_path(generated["id"]), headers=account.headers())
    assert response.status_code == 200
    assert response.json() == {"id": generated["id"], "revoked": True}
    denied = client.get(LIST, headers=account.headers(token=generated["key"]))
    assert denied.status_code == 401


def test_revoke_with_key_authentication(client, account):
    caller = generate_key(client, account)["key"]
    target = generate_key(client, account)
    response = client.put(revoke_path(target["id"]), headers=account.headers(token=caller))
    assert response.status_code == 200
    assert client.get(LIST, headers=account.headers(token=target["key"])).status_code == 401


def test_a_key_can_revoke_itself(client, account):
    generated = generate_key(client, account)
    headers = account.headers(token=generated["key"])
    assert client.put(revoke_path(generated["id"]), headers=headers).status_code == 200
    assert client.get(LIST, headers=headers).status_code == 401


def test_revoked_keys_are_not_listed(client, account):
    kept = generate_key(client, account)
    revoked = generate_key(client, account)
    client.put(revoke_path(revoked["id"]), headers=account.headers())
    assert [item["id"] for item in client.get(LIST, headers=account.headers()).json()] == [
        kept["id"]
    ]


def test_revoking_twice_is_200_both_times_and_changes_nothing(client, account, services):
    generated = generate_key(client, account)
    first = client.put(revoke_path(generated["id"]), headers=account.headers())
    revoked_at = stored_key(services, generated["id"]).revoked_at
    second = client.put(revoke_path(generated["id"]), headers=account.headers())
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"id": generated["id"], "revoked": True}
    assert stored_key(services, generated["id"]).revoked_at == revoked_at


def test_revoking_another_organizations_key_is_404_and_leaves_it_working(
    client, account, other_account
):
    theirs = generate_key(client, other_account)
    response = client.put(revoke_path(theirs["id"]), headers=account.headers())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(LIST, headers=other_account.headers(token=theirs["key"])).status_code == 200


def test_unknown_id_gets_the_same_404_as_a_foreign_one(client, account, other_account):
    theirs = generate_key(client, other_account)
    foreign = client.put(revoke_path(theirs["id"]), headers=account.headers())
    unknown = client.put(revoke_path(theirs["id"] + 1000), headers=account.headers())
    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json() == unknown.json()


@pytest.mark.parametrize("key_id", ["abc", "1abc", "+", "-", "0x10", "%20"])
def test_non_numeric_id_is_400(client, account, key_id):
    response = client.put(revoke_path(key_id), headers=account.headers())
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("key_id", ["0", "-1", "1.5", "1e300", "99999999999999999999999", "nan"])
def test_numbers_that_name_no_key_are_404(client, account, key_id):
    assert client.put(revoke_path(key_id), headers=account.headers()).status_code == 404


def test_revoke_without_credentials_is_401(client, account):
    generated = generate_key(client, account)
    response = client.put(
        revoke_path(generated["id"]), headers={"organization-id": account.organization_id}
    )
    assert response.status_code == 401


def test_expired_key_is_401(client, account, services):
    generated = generate_key(client, account)
    set_key(services, generated["id"], expires_at=utc_now() - timedelta(seconds=1))
    assert client.get(LIST, headers=account.headers(token=generated["key"])).status_code == 401


@pytest.mark.parametrize("days", ["1.5", "36525"])
def test_key_ttl_gives_every_new_key_an_expiry(env, account, days):
    settings = load_settings({**env, "API_KEY_TTL_DAYS": days})
    services = build_services(settings)
    ttl = timedelta(days=float(days))
    with TestClient(create_app(services=services)) as client:
        before = utc_now()
        generated = generate_key(client, account)
        expires_at = stored_key(services, generated["id"]).expires_at
        assert ttl <= expires_at - before <= ttl + timedelta(seconds=5)
        listed = client.get(LIST, headers=account.headers()).json()
        assert TIMESTAMP.fullmatch(listed[0]["expiresAt"])
        assert client.get(LIST, headers=account.headers(token=generated["key"])).status_code == 200
    services.database.engine.dispose()


def test_last_used_is_recorded_on_use_but_not_on_every_request(client, account, services):
    generated = generate_key(client, account)
    assert stored_key(services, generated["id"]).last_used_at is None
    headers = account.headers(token=generated["key"])
    client.get(LIST, headers=headers)
    first_use = stored_key(services, generated["id"]).last_used_at
    assert first_use is not None
    client.get(LIST, headers=headers)
    client.post(GENERATE, json={}, headers=headers)
    assert stored_key(services, generated["id"]).last_used_at == first_use
    set_key(services, generated["id"], last_used_at=first_use - timedelta(minutes=2))
    client.get(LIST, headers=headers)
    assert stored_key(services, generated["id"]).last_used_at > first_use - timedelta(minutes=1)


def test_jwt_use_records_no_key_use(client, account, services):
    generated = generate_key(client, account)
    client.get(LIST, headers=account.headers())
    assert stored_key(services, generated["id"]).last_used_at is None


def test_keys_of_a_deactivated_user_stop_working(client, account, services):
    generated = generate_key(client, account)
    accounts.set_user_active(services.database, account.email, False)
    assert client.get(LIST, headers=account.headers(token=generated["key"])).status_code == 401


def test_keys_of_a_user_who_left_the_organization_stop_working(client, account, services):
    second = make_account(services)
    accounts.add_user(services.database, account.email, second.organization_id)
    left_behind = generate_key(client, account)
    kept = generate_key(client, second)
    accounts.remove_user(services.database, account.email, account.organization_id)
    assert client.get(LIST, headers=account.headers(token=left_behind["key"])).status_code == 401
    assert client.get(LIST, headers=second.headers(token=kept["key"])).status_code == 200


def test_bodies_are_json_with_sorted_keys_and_ascii_escapes(client, account):
    generate_key(client, account, name="caf\u00e9 \U0001f511 \ud800")
    response = client.get("/api/api-keys", headers=account.headers())
    assert response.headers["content-type"] == "application/json"
    assert response.content == (json.dumps(response.json(), sort_keys=True) + "\n").encode()
    assert b"\\ud83d\\udd11" in response.content and b"\\ud800" in response.content


def test_the_list_shows_last_used_at_once_a_key_has_been_used(client, account):
    generated = generate_key(client, account)
    unused = client.get(LIST, headers=account.headers()).json()
    assert "lastUsedAt" not in unused[0]
    used = client.get(LIST, headers=account.headers(token=generated["key"])).json()
    assert TIMESTAMP.fullmatch(used[0]["lastUsedAt"])
