"""Limits on minting, on both engines: a rate per user and organization, a
cap on an organization's active keys, and a refused generate changes
nothing."""

import logging

from sqlalchemy import update

from app.domain import accounts
from app.storage.models import ApiKey, utc_now
from tests.support.accounts import make_account
from tests.support.database import key_count

GENERATE = "/api/api-keys/generate"
LIST = "/api/api-keys"


def test_the_4th_generate_in_a_minute_is_429_with_retry_after_and_ratelimit_fields(limited, caplog):
    client, services = limited(rate="3/minute")
    account = make_account(services)
    for _ in range(3):
        assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201
    caplog.set_level(logging.INFO)
    refused = client.post(GENERATE, json={"name": "4th"}, headers=account.headers())
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["status"] == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-policy"] == '"generate";q=3;w=60'
    assert refused.headers["ratelimit"] == f'"generate";r=0;t={refused.headers["retry-after"]}'
    assert len(client.get(LIST, headers=account.headers()).json()) == 3
    assert any(
        "key.generate_refused" in record.getMessage() and "reason=rate" in record.getMessage()
        for record in caplog.records
    )


def test_the_rate_is_per_user_and_organization(limited):
    client, services = limited(rate="1/hour")
    account = make_account(services)
    colleague = make_account(services)
    accounts.add_user(services.database, colleague.email, account.organization_id)
    other_organization = accounts.create_organization(services.database, "Other")
    accounts.add_user(services.database, account.email, other_organization)
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 429
    in_colleague = colleague.headers(organization_id=account.organization_id)
    assert client.post(GENERATE, json={}, headers=in_colleague).status_code == 201
    in_other = account.headers(organization_id=other_organization)
    assert client.post(GENERATE, json={}, headers=in_other).status_code == 201


def test_with_a_cap_of_5_the_6th_is_409_until_one_is_revoked(limited, caplog):
    client, services = limited(cap="5")
    account = make_account(services)
    created = [client.post(GENERATE, json={}, headers=account.headers()) for _ in range(5)]
    assert [response.status_code for response in created] == [201] * 5
    caplog.set_level(logging.INFO)
    full = client.post(GENERATE, json={}, headers=account.headers())
    assert full.status_code == 409
    assert full.headers["content-type"] == "application/problem+json"
    assert "revoke" in full.json()["detail"]
    assert key_count(services) == 5
    assert any("reason=organization_full" in record.getMessage() for record in caplog.records)
    first_id = created[0].json()["id"]
    assert client.put(f"/api/api-keys/{first_id}/revoke", headers=account.headers()).is_success
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201


def test_an_expired_key_frees_its_place(limited):
    client, services = limited(cap="1")
    account = make_account(services)
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201
    with services.database.transaction() as session:
        session.execute(update(ApiKey).values(expires_at=utc_now()))
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201


def test_a_generate_refused_for_the_cap_does_not_use_up_the_rate(limited):
    client, services = limited(rate="3/hour", cap="2")
    account = make_account(services)
    first = client.post(GENERATE, json={}, headers=account.headers()).json()
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 409
    client.put(f"/api/api-keys/{first['id']}/revoke", headers=account.headers())
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 201
    assert client.post(GENERATE, json={}, headers=account.headers()).status_code == 429
