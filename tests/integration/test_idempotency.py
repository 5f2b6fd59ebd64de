"""Generate and roll that are safe to retry (Idempotency-Key), on both
engines: a repeat answers the first 201 again and creates nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.domain.idempotency import InProgress
from app.domain.tokens import issue_token
from app.storage.models import IdempotencyRecord, utc_now
from app.web.idempotency_keys import fingerprint
from tests.support.accounts import generate_key, make_account
from tests.support.database import key_count

GENERATE = "/api/api-keys/generate"


def generate(client, account, idempotency_key: str | None, body: dict, token: str | None = None):
    headers = account.headers(token=token)
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return client.post(GENERATE, json=body, headers=headers)


def record_count(services) -> int:
    with services.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(IdempotencyRecord))


def age_records(services, by: timedelta) -> None:
    """Every record, as if first claimed ``by`` ago."""
    with services.database.transaction() as session:
        session.execute(update(IdempotencyRecord).values(created_at=utc_now() - by))


def test_a_repeat_answers_the_first_response_and_creates_nothing(client, account, services):
    first = generate(client, account, '"8e03978e-40d5"', {"name": "ci"})
    again = generate(client, account, '"8e03978e-40d5"', {"name": "ci"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Cache-Control"] == "no-store"
    assert key_count(services) == 1


def test_a_repeat_through_a_key_of_the_same_user_gets_the_same_answer(client, account, services):
    key = generate_key(client, account)["key"]
    first = generate(client, account, '"k"', {})
    again = generate(client, account, '"k"', {}, token=key)
    assert again.json() == first.json()
    assert key_count(services) == 2


def test_the_same_key_with_another_body_is_422_and_creates_nothing(client, account, services):
    generate(client, account, '"k"', {"name": "a"})
    refused = generate(client, account, '"k"', {"name": "b"})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert key_count(services) == 1


def test_the_same_key_on_another_operation_is_422(client, account, services):
    old = generate_key(client, account)
    generate(client, account, '"k"', {})
    refused = client.post(
        f"/api/api-keys/{old['id']}/roll",
        json={},
        headers={**account.headers(), "Idempotency-Key": '"k"'},
    )
    assert refused.status_code == 422
    assert key_count(services) == 2


def test_without_the_header_every_request_creates_a_key(client, account, services):
    generate(client, account, None, {"name": "a"})
    generate(client, account, None, {"name": "a"})
    assert key_count(services) == 2
    assert record_count(services) == 0


@pytest.mark.parametrize(
    "value",
    ["8e03978e-40d5", '"unterminated', '"a";p=1', r'"\x"', '"é"', '""', '"' + "x" * 256 + '"'],
    ids=["token", "unterminated", "parameters", "bad escape", "non-ascii", "empty", "256 chars"],
)
def test_a_malformed_or_over_long_key_is_400_and_creates_nothing(client, account, services, value):
    refused = client.post(
        GENERATE,
        json={},
        headers={**account.headers(), "Idempotency-Key": value.encode("utf-8")},
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["parameter"] == "Idempotency-Key"
    assert key_count(services) == 0


def test_a_key_of_255_characters_is_taken(client, account):
    assert generate(client, account, '"' + "x" * 255 + '"', {}).status_code == 201


def test_another_user_with_the_same_key_gets_its_own_key(client, account, services):
    other = make_account(services)
    mine = generate(client, account, '"k"', {})
    theirs = generate(client, other, '"k"', {})
    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


def test_a_repeat_while_the_first_is_in_progress_is_409(client, account, services):
    user = services.callers.caller_for_user(account.email, account.organization_id)
    services.idempotency.claim(
        user.user_id, user.organization_id, "k", fingerprint("POST", GENERATE, {})
    )
    refused = generate(client, account, '"k"', {})
    assert refused.status_code == 409
    assert key_count(services) == 0


def test_a_record_abandoned_in_progress_is_taken_over_after_its_lease(client, account, services):
    user = services.callers.caller_for_user(account.email, account.organization_id)
    abandoned = services.idempotency.claim(
        user.user_id, user.organization_id, "k", fingerprint("POST", GENERATE, {})
    )
    age_records(services, timedelta(minutes=1))
    taken = generate(client, account, '"k"', {})
    assert taken.status_code == 201
    # The crashed request, had it lived on, may no longer complete the record.
    with services.database.connection(atomic=True) as connection, pytest.raises(InProgress):
        services.idempotency.complete(connection, abandoned, 201, {"id": 1, "key": "x"})
    assert generate(client, account, '"k"', {}).json() == taken.json()


def test_a_refused_request_stores_nothing_and_may_be_retried(client, account, services):
    refused = client.post(
        "/api/api-keys/999/roll", json={}, headers={**account.headers(), "Idempotency-Key": '"k"'}
    )
    assert refused.status_code == 404
    assert record_count(services) == 0
    assert generate(client, account, '"k"', {}).status_code == 201


def test_records_are_forgotten_after_24_hours(client, account, services):
    first = generate(client, account, '"k"', {})
    age_records(services, timedelta(hours=24, seconds=1))
    again = generate(client, account, '"k"', {})
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert record_count(services) == 1


def test_old_records_of_others_are_purged_on_insert(client, account, services):
    other = make_account(services)
    generate(client, other, '"old"', {})
    age_records(services, timedelta(hours=25))
    generate(client, account, '"new"', {})
    assert record_count(services) == 1


def test_a_repeated_roll_answers_the_first_successor_and_rolls_once(client, account, services):
    old = generate_key(client, account)
    headers = {**account.headers(), "Idempotency-Key": '"roll-1"'}
    first = client.post(f"/api/api-keys/{old['id']}/roll", json={}, headers=headers)
    again = client.post(f"/api/api-keys/{old['id']}/roll", json={}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert key_count(services) == 2


def test_the_stored_response_holds_no_key_and_no_idempotency_key(client, account, services):
    created = generate(client, account, '"visible-idempotency-key"', {}).json()
    with services.database.transaction() as session:
        record = session.scalars(select(IdempotencyRecord)).one()
    stored = repr(
        (record.key_digest, record.fingerprint, record.sealed_response, record.response_status)
    )
    assert created["key"] not in stored
    assert created["key"][3:].encode() not in record.sealed_response
    assert "visible-idempotency-key" not in stored
    assert record.created_at <= utc_now()


def test_a_request_that_lost_its_record_to_a_takeover_creates_no_key(account, services):
    caller = services.callers.caller_for_user(account.email, account.organization_id)
    same = (caller.user_id, caller.organization_id, "k", fingerprint("POST", GENERATE, {}))
    slow = services.idempotency.claim(*same)
    age_records(services, timedelta(minutes=1))
    services.idempotency.claim(*same)

    def store(connection, key_id, key):
        services.idempotency.complete(connection, slow, 201, {"id": key_id, "key": key})

    with pytest.raises(InProgress):
        services.api_keys.generate(caller, None, None, store)
    assert key_count(services) == 0


def test_after_app_jwt_secret_rotates_a_repeat_is_a_new_request(
    client, account, services, app_with
):
    # The records are found and opened under secrets derived from
    # APP_JWT_SECRET (README, "Rotating APP_JWT_SECRET").
    first = generate(client, account, '"before-rotation"', {"name": "ci"})
    rotated_client, rotated = app_with(APP_JWT_SECRET="r" * 40)
    token = issue_token(rotated.settings, account.email, 600)
    again = generate(rotated_client, account, '"before-rotation"', {"name": "ci"}, token)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert key_count(services) == 2
