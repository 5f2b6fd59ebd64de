"""A rolled key through Debian's nginx with the shipped configuration, on
both engines: the old key and its successor both work during the grace
period, and the old key is refused once it ends."""

from datetime import timedelta

from sqlalchemy import update

from app.storage.models import ApiKey, utc_now


def test_a_rolled_key_and_its_successor_both_work_until_the_grace_period_ends(
    gateway, account, services
):
    old = gateway.generate(account)
    with gateway.proxy.client() as client:
        rolled = client.post(
            f"/api/api-keys/{old['id']}/roll",
            json={"expiresInSeconds": 3600},
            headers=account.headers(),
        )
    assert rolled.status_code == 201, rolled.text
    new = rolled.json()
    assert gateway.through(old["key"])[0] == 200
    assert gateway.through(new["key"])[0] == 200
    # The grace period ends: set in the database rather than waited for.
    with services.database.transaction() as session:
        session.execute(
            update(ApiKey)
            .where(ApiKey.id == old["id"])
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    assert gateway.through(old["key"]) == (401, None)
    status, received = gateway.through(new["key"])
    assert status == 200
    assert received["x-auth-api-key-id"] == str(new["id"])
