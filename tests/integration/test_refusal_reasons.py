"""A refused credential's audit line names a bounded reason for operators,
while every client gets the same 401."""

import logging
import time

import jwt
import pytest

from app.domain import accounts
from tests.conftest import JWT_SECRET
from tests.support.accounts import generate_key, make_account

LIST = "/api/api-keys"


def _claims(email: str, **extra) -> dict:
    return {"sub": email, "exp": int(time.time()) + 600, **extra}


def refusal(client, caplog, headers) -> tuple[str, str]:
    caplog.clear()
    response = client.get(LIST, headers=headers)
    assert response.status_code == 401
    (line,) = [record for record in caplog.records if record.name == "bckeys.audit"]
    return line.reason, response.text


@pytest.fixture
def audited(caplog):
    caplog.set_level(logging.INFO, logger="bckeys.audit")
    return caplog


def test_each_refusal_names_its_reason_and_clients_see_one_answer(client, services, audited):
    account = make_account(services)
    revoked = generate_key(client, account)
    client.put(f"/api/api-keys/{revoked['id']}/revoke", headers=account.headers())
    leaver = make_account(services)
    leaver_key = generate_key(client, leaver)["key"]
    accounts.remove_user(services.database, leaver.email, leaver.organization_id)
    accounts.add_user(services.database, leaver.email, leaver.organization_id)
    inactive = make_account(services)
    inactive_key = generate_key(client, inactive)["key"]
    accounts.set_user_active(services.database, inactive.email, False)
    cases = {
        "malformed": "bc_" + "0" * 72,
        "bad_signature": jwt.encode(_claims(account.email), "x" * 40, "HS384"),
        "expired": jwt.encode(_claims(account.email, exp=1), JWT_SECRET, "HS384"),
        "unknown": jwt.encode(_claims("nobody@example.com"), JWT_SECRET, "HS384"),
        "revoked": revoked["key"],
        "inactive_user": inactive_key,
    }
    answers = set()
    for reason, token in cases.items():
        logged, answer = refusal(client, audited, account.headers(token=token))
        assert logged == reason
        answers.add(answer)
    assert len(answers) == 1
    assert refusal(client, audited, leaver.headers(token=leaver_key))[0] == "revoked"
