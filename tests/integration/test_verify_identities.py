"""Verify for every identity bckeys accepts: emails beyond ASCII, users
without an upstream id, hostile subjects, keys about to expire."""

import logging
import math
import time
from datetime import timedelta
from urllib.parse import unquote

import jwt
import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.storage.models import ApiKey, User, utc_now
from app.web import metrics
from app.web.application import create_app
from tests.conftest import JWT_SECRET
from tests.support.accounts import generate_key, make_account

VERIFY = "/api/api-keys/verify"


def verify(client, token: str):
    return client.get(VERIFY, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def user_id_client(env):
    """A client of a server whose tokens carry the user's id as ``sub``,
    on the same database as ``client``."""
    services = build_services(load_settings({**env, "APP_JWT_SUBJECT": "user_id"}))
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        yield client
    services.database.engine.dispose()


def test_a_non_latin_1_email_is_verified_and_percent_encoded_in_its_header(client, services):
    account = make_account(services, email="用户@例子.example")
    key = generate_key(client, account)["key"]
    for token in (key, account.token):
        response = verify(client, token)
        assert response.status_code == 200, response.text
        assert response.json()["userEmail"] == "用户@例子.example"
        header = response.headers["x-auth-user-email"]
        assert header == "%E7%94%A8%E6%88%B7@%E4%BE%8B%E5%AD%90.example"
        assert unquote(header) == "用户@例子.example"


def test_an_ascii_email_is_its_own_header_and_a_percent_sign_is_encoded(client, services):
    plain = make_account(services, email="Ada.O'Brien+keys@example.com")
    percent = make_account(services, email="100%real@example.com")
    assert verify(client, plain.token).headers["x-auth-user-email"] == plain.email
    assert verify(client, percent.token).headers["x-auth-user-email"] == "100%25real@example.com"


def test_a_stored_email_with_control_characters_is_verified_with_them_encoded(client, services):
    account = make_account(services)
    key = generate_key(client, account)["key"]
    # Written before emails were checked for them, or by another system.
    with services.database.transaction() as session:
        session.execute(
            update(User).where(User.email == account.email).values(email="evil\x1b[2J@example.com")
        )
    response = verify(client, key)
    assert response.status_code == 200
    assert response.headers["x-auth-user-email"] == "evil%1B[2J@example.com"


def test_a_key_of_a_user_without_an_upstream_id_is_refused_where_sub_is_the_user_id(
    client, services, user_id_client, caplog
):
    key = generate_key(client, make_account(services))["key"]
    refused = metrics.CREDENTIALS_REFUSED.labels("api_key", "no_upstream_id")
    counted = refused._value.get()
    caplog.set_level(logging.INFO, logger="bckeys.audit")
    caplog.clear()
    response = verify(user_id_client, key)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    (line,) = [record for record in caplog.records if record.name == "bckeys.audit"]
    assert (line.event, line.kind, line.reason) == (
        "credential.rejected",
        "api_key",
        "no_upstream_id",
    )
    assert refused._value.get() == counted + 1


@pytest.mark.parametrize("subject", ["\ud800", "ada\udfff@example.com", "ada\x00@example.com"])
def test_a_signed_subject_that_cannot_name_a_user_is_401(client, account, subject):
    token = jwt.encode({"sub": subject, "exp": int(time.time()) + 600}, JWT_SECRET, "HS384")
    assert verify(client, token).status_code == 401
    assert client.get("/api/api-keys", headers=account.headers(token=token)).status_code == 401


def test_an_exchanged_token_expires_no_later_than_its_key(client, account, services):
    generated = generate_key(client, account)
    expires_at = utc_now() + timedelta(seconds=1.7)
    with services.database.transaction() as session:
        session.execute(
            update(ApiKey).where(ApiKey.id == generated["id"]).values(expires_at=expires_at)
        )
    response = verify(client, generated["key"])
    assert response.status_code == 200
    exchanged = response.headers["x-auth-upstream-authorization"].removeprefix("Bearer ")
    claims = jwt.decode(exchanged, options={"verify_signature": False})
    assert claims["exp"] == math.floor(expires_at.timestamp())
