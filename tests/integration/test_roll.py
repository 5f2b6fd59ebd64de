"""Rolling a key, on both engines: a successor in its place, the old key
retired now or after a grace period."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.domain import accounts
from app.domain.tokens import issue_token
from app.storage.models import ApiKey, utc_now
from tests.support.accounts import Account, generate_key
from tests.support.database import key_count, stored_key

LIST = "/api/api-keys"


def roll(client, key_id, headers: dict, body: dict | None = None):
    return client.post(f"/api/api-keys/{key_id}/roll", json=body, headers=headers)


def works(client, account, key: str) -> bool:
    status = client.get(LIST, headers=account.headers(token=key)).status_code
    assert status in (200, 401)
    return status == 200


def expire(services, key_id: int) -> None:
    with services.database.transaction() as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )


def mint(client, account, token: str, body: dict | None = None) -> dict:
    created = client.post(
        "/api/api-keys/generate", json=body or {}, headers=account.headers(token=token)
    )
    assert created.status_code == 201, created.text
    return created.json()


def test_a_roll_answers_201_with_a_new_key_shown_once(client, account):
    old = generate_key(client, account)
    rolled = roll(client, old["id"], account.headers())
    assert rolled.status_code == 201, rolled.text
    assert rolled.headers["Cache-Control"] == "no-store"
    assert set(rolled.json()) == {"id", "key"}
    assert rolled.json()["id"] != old["id"]
    assert works(client, account, rolled.json()["key"])


def test_without_a_grace_period_the_old_key_is_401_at_once(client, account):
    old = generate_key(client, account)
    assert roll(client, old["id"], account.headers()).status_code == 201
    assert not works(client, account, old["key"])


def test_with_a_grace_period_both_keys_work_until_it_ends(client, account, services):
    old = generate_key(client, account)
    before = utc_now()
    new = roll(client, old["id"], account.headers(), {"expiresInSeconds": 3600}).json()
    assert works(client, account, old["key"])
    assert works(client, account, new["key"])
    grace_ends = stored_key(services, old["id"]).expires_at
    assert before + timedelta(seconds=3599) <= grace_ends <= utc_now() + timedelta(seconds=3600)
    expire(services, old["id"])
    assert not works(client, account, old["key"])
    assert works(client, account, new["key"])


def test_a_grace_period_never_lets_the_old_key_work_longer_than_it_would_have(
    client, account, services
):
    old = generate_key(client, account)
    soon = utc_now() + timedelta(seconds=30)
    with services.database.transaction() as session:
        session.execute(update(ApiKey).where(ApiKey.id == old["id"]).values(expires_at=soon))
    roll(client, old["id"], account.headers(), {"expiresInSeconds": 604800})
    assert stored_key(services, old["id"]).expires_at == soon


@pytest.mark.parametrize("grace", [-1, 604801, 1.5, "60"])
def test_a_grace_period_outside_0_to_7_days_is_400_and_changes_nothing(
    client, account, services, grace
):
    old = generate_key(client, account)
    refused = roll(client, old["id"], account.headers(), {"expiresInSeconds": grace})
    assert refused.status_code == 400
    assert key_count(services) == 1
    assert works(client, account, old["key"])


def test_the_successor_keeps_the_name_and_permissions_and_gets_a_fresh_lifetime(app_with, account):
    client, services = app_with(API_KEY_TTL_DAYS="30")
    old = mint(client, account, account.token, {"name": "ci", "permissions": {"*": "read"}})
    with services.database.transaction() as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == old["id"])
            .values(expires_at=utc_now() + timedelta(days=1))
        )
    new = roll(client, old["id"], account.headers()).json()
    listed = {item["id"]: item for item in client.get(LIST, headers=account.headers()).json()}
    assert listed[new["id"]]["name"] == "ci"
    assert listed[new["id"]]["permissions"] == {"*": "read"}
    lifetime = stored_key(services, new["id"]).expires_at - utc_now()
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


def test_the_old_keys_children_become_the_successors_and_are_revoked_with_it(client, account):
    old = generate_key(client, account)
    child = mint(client, account, old["key"])
    grandchild = mint(client, account, child["key"])
    new = roll(client, old["id"], account.headers()).json()
    assert works(client, account, child["key"])
    assert works(client, account, grandchild["key"])
    client.put(f"/api/api-keys/{new['id']}/revoke", headers=account.headers())
    assert not works(client, account, child["key"])
    assert not works(client, account, grandchild["key"])


def test_the_successor_takes_the_old_keys_parent_and_is_revoked_with_it(client, account, services):
    parent = generate_key(client, account)
    child = mint(client, account, parent["key"])
    new = roll(client, child["id"], account.headers(token=parent["key"])).json()
    assert stored_key(services, new["id"]).parent_id == parent["id"]
    client.put(f"/api/api-keys/{parent['id']}/revoke", headers=account.headers())
    assert not works(client, account, new["key"])


def test_a_successor_never_expires_after_its_parent(client, account, services):
    parent = generate_key(client, account)
    child = mint(client, account, parent["key"])
    parent_expiry = utc_now() + timedelta(hours=1)
    with services.database.transaction() as session:
        session.execute(
            update(ApiKey).where(ApiKey.id == parent["id"]).values(expires_at=parent_expiry)
        )
    new = roll(client, child["id"], account.headers()).json()
    assert stored_key(services, new["id"]).expires_at == parent_expiry


def test_a_key_can_roll_itself(client, account):
    old = generate_key(client, account)
    rolled = roll(client, old["id"], account.headers(token=old["key"]), {"expiresInSeconds": 60})
    assert rolled.status_code == 201
    assert works(client, account, rolled.json()["key"])
    assert works(client, account, old["key"])


def test_rolling_a_revoked_key_is_409(client, account, services):
    old = generate_key(client, account)
    client.put(f"/api/api-keys/{old['id']}/revoke", headers=account.headers())
    refused = roll(client, old["id"], account.headers())
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert key_count(services) == 1


def test_rolling_an_expired_key_is_409(client, account, services):
    old = generate_key(client, account)
    expire(services, old["id"])
    assert roll(client, old["id"], account.headers()).status_code == 409
    assert key_count(services) == 1


def test_rolling_another_organizations_key_is_the_same_404_as_an_unknown_id(
    client, account, other_account
):
    foreign = generate_key(client, other_account)
    refused = roll(client, foreign["id"], account.headers())
    unknown = roll(client, 999999, account.headers())
    assert refused.status_code == unknown.status_code == 404
    assert refused.json() == unknown.json()
    assert works(client, other_account, foreign["key"])


@pytest.mark.parametrize("key_id", ["0", "-1", "1.5", "9223372036854775808", "1e300"])
def test_ids_that_name_no_key_are_404(client, account, key_id):
    generate_key(client, account)
    assert roll(client, key_id, account.headers()).status_code == 404


def test_another_users_key_may_not_be_rolled(client, account, services):
    other_user = "colleague@example.com"
    accounts.add_user(services.database, other_user, account.organization_id)
    colleague = Account(
        account.organization_id, other_user, issue_token(services.settings, other_user, 3600)
    )
    theirs = generate_key(client, colleague)
    refused = roll(client, theirs["id"], account.headers())
    assert refused.status_code == 403
    assert works(client, account, theirs["key"])


def test_a_scoped_key_without_api_keys_write_may_not_roll(client, account, services):
    scoped = mint(client, account, account.token, {"permissions": {"Api keys": "read"}})
    refused = roll(client, scoped["id"], account.headers(token=scoped["key"]))
    assert refused.status_code == 403
    assert "write" in refused.json()["detail"]
    assert key_count(services) == 1


def test_a_scoped_key_may_not_roll_a_key_with_more_permissions(client, account, services):
    unscoped = generate_key(client, account)
    scoped = mint(client, account, account.token, {"permissions": {"Api keys": "write"}})
    refused = roll(client, unscoped["id"], account.headers(token=scoped["key"]))
    assert refused.status_code == 403
    assert key_count(services) == 2


def test_a_roll_counts_against_the_generate_rate(limited, account):
    client, services = limited(rate="2/minute")
    old = generate_key(client, account)
    assert roll(client, old["id"], account.headers()).status_code == 201
    refused = client.post("/api/api-keys/generate", json={}, headers=account.headers())
    assert refused.status_code == 429
    assert key_count(services) == 2


def test_a_roll_over_the_rate_is_429_and_leaves_the_old_key_working(limited, account):
    client, services = limited(rate="1/minute")
    old = generate_key(client, account)
    refused = roll(client, old["id"], account.headers())
    assert refused.status_code == 429
    assert works(client, account, old["key"])
    assert key_count(services) == 1


def test_a_roll_is_allowed_at_the_organizations_cap(limited, account):
    client, _ = limited(cap="1")
    old = generate_key(client, account)
    rolled = roll(client, old["id"], account.headers(), {"expiresInSeconds": 60})
    assert rolled.status_code == 201
    assert works(client, account, old["key"])
    assert works(client, account, rolled.json()["key"])
