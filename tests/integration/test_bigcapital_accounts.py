"""Accounts from Bigcapital's system database (BIGCAPITAL_DATABASE_URL), read
live through a read-only account, on both engines for bckeys' own database.

No bckeys account command runs in these tests: users and organizations are
Bigcapital's, written here as Bigcapital writes them.
"""

import socket
import threading
import time
from contextlib import contextmanager

import jwt
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from app.domain.bigcapital_registry import registered
from app.services import build_services
from app.settings import load_settings
from app.storage.models import User
from app.web.application import create_app
from tests.conftest import JWT_SECRET
from tests.support.postgres import free_port

GENERATE = "/api/api-keys/generate"
LIST = "/api/api-keys"
VERIFY = "/api/api-keys/verify"


@pytest.fixture
def settings(bigcapital_env):
    return load_settings(bigcapital_env)


@pytest.fixture
def services(services):
    yield services
    services.callers.bigcapital.engine.dispose()


@pytest.fixture
def organization_id(bigcapital):
    return bigcapital.add_organization()


@pytest.fixture
def user(bigcapital, organization_id):
    """(id, email) of a Bigcapital user of ``organization_id``."""
    return bigcapital.add_user(organization_id)


@contextmanager
def client_for(settings):
    services = build_services(settings)
    try:
        with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
            yield client
    finally:
        services.database.engine.dispose()
        services.callers.bigcapital.engine.dispose()


def bigcapital_token(subject: str) -> str:
    """A token as Bigcapital's signin issues it: HS384, {sub: email}."""
    now = int(time.time())
    return jwt.encode({"sub": subject, "iat": now, "exp": now + 3600}, JWT_SECRET, "HS384")


def headers(token: str, organization_id: str) -> dict:
    return {"Authorization": f"Bearer {token}", "organization-id": organization_id}


def generated_key(client, email: str, organization_id: str) -> str:
    response = client.post(
        GENERATE, json={"name": "ci"}, headers=headers(bigcapital_token(email), organization_id)
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_a_bigcapital_users_jwt_generates_a_key(client, user, organization_id):
    response = client.post(
        GENERATE, json={"name": "ci"}, headers=headers(bigcapital_token(user[1]), organization_id)
    )
    assert response.status_code == 201


def test_the_generated_key_lists_its_organizations_keys_masked(client, user, organization_id):
    key = generated_key(client, user[1], organization_id)
    listed = client.get(LIST, headers=headers(key, organization_id))
    assert listed.status_code == 200
    assert [item["token"] for item in listed.json()] == [key[:8] + "..."]


def test_the_generated_key_verifies_as_its_bigcapital_user(client, user, organization_id):
    key = generated_key(client, user[1], organization_id)
    verified = client.get(VERIFY, headers=headers(key, organization_id))
    assert verified.status_code == 200
    assert verified.json()["userEmail"] == user[1]
    assert verified.headers["X-Auth-Organization-Id"] == organization_id


def test_email_subject_matches_ascii_case_insensitively(client, user, organization_id):
    response = client.get(LIST, headers=headers(bigcapital_token(user[1].upper()), organization_id))
    assert response.status_code == 200


def test_email_subject_matching_only_under_mariadbs_collation_is_401(
    client, bigcapital, organization_id
):
    bigcapital.add_user(organization_id, "rene@example.com")
    # utf8_general_ci holds these equal; bckeys, like its own tables, does not.
    response = client.get(
        LIST, headers=headers(bigcapital_token("rené@example.com"), organization_id)
    )
    assert response.status_code == 401


@pytest.mark.parametrize("subject", ["\U0001f600@example.com", "a\ud800@example.com"])
def test_email_subject_bigcapital_cannot_hold_is_401(client, user, organization_id, subject):
    response = client.get(LIST, headers=headers(bigcapital_token(subject), organization_id))
    assert response.status_code == 401


def test_jwt_for_another_organization_is_403(client, bigcapital, user):
    other = bigcapital.add_organization()
    response = client.get(LIST, headers=headers(bigcapital_token(user[1]), other))
    assert response.status_code == 403


def test_key_for_another_organization_is_403(client, bigcapital, user, organization_id):
    key = generated_key(client, user[1], organization_id)
    other = bigcapital.add_organization()
    assert client.get(LIST, headers=headers(key, other)).status_code == 403


def test_unknown_email_is_401(client, organization_id):
    response = client.get(
        LIST, headers=headers(bigcapital_token("nobody@example.com"), organization_id)
    )
    assert response.status_code == 401


@pytest.mark.parametrize("assignments", ["`ACTIVE` = 0", "`DELETED_AT` = NOW()", "`VERIFIED` = 0"])
def test_user_deactivated_in_bigcapital_is_refused_on_the_next_request(
    client, bigcapital, user, organization_id, assignments
):
    key = generated_key(client, user[1], organization_id)
    bigcapital.update_user(user[0], assignments)
    assert client.get(LIST, headers=headers(key, organization_id)).status_code == 401
    token = bigcapital_token(user[1])
    assert client.get(LIST, headers=headers(token, organization_id)).status_code == 401


def test_user_deleted_in_bigcapital_is_refused_on_the_next_request(
    client, bigcapital, user, organization_id
):
    key = generated_key(client, user[1], organization_id)
    bigcapital.delete_user(user[0])
    assert client.get(LIST, headers=headers(key, organization_id)).status_code == 401
    token = bigcapital_token(user[1])
    assert client.get(LIST, headers=headers(token, organization_id)).status_code == 401


def test_deleted_users_keys_never_work_for_a_new_user_with_that_email(
    client, bigcapital, user, organization_id
):
    key = generated_key(client, user[1], organization_id)
    bigcapital.delete_user(user[0])
    bigcapital.add_user(organization_id, user[1])
    assert client.get(LIST, headers=headers(key, organization_id)).status_code == 401
    token = bigcapital_token(user[1])
    assert client.get(LIST, headers=headers(token, organization_id)).status_code == 200


def test_user_moved_to_another_organization_is_refused_in_the_old_one(
    client, bigcapital, user, organization_id
):
    key = generated_key(client, user[1], organization_id)
    other = bigcapital.add_organization()
    bigcapital.move_user(user[0], other)
    assert client.get(LIST, headers=headers(key, organization_id)).status_code == 401
    token = bigcapital_token(user[1])
    assert client.get(LIST, headers=headers(token, organization_id)).status_code == 403
    assert client.get(LIST, headers=headers(token, other)).status_code == 200


def test_exchanged_token_stops_with_its_users_deactivation(
    client, bigcapital, user, organization_id
):
    key = generated_key(client, user[1], organization_id)
    exchanged = client.get(VERIFY, headers=headers(key, organization_id)).headers[
        "X-Auth-Upstream-Authorization"
    ]
    upstream = {"Authorization": exchanged, "organization-id": organization_id}
    assert client.get(LIST, headers=upstream).status_code == 200
    bigcapital.update_user(user[0], "`ACTIVE` = 0")
    assert client.get(LIST, headers=upstream).status_code == 401


def test_user_id_subject_names_bigcapital_users_id(bigcapital_env, user, organization_id):
    settings = load_settings({**bigcapital_env, "APP_JWT_SUBJECT": "user_id"})
    with client_for(settings) as client:
        token = bigcapital_token(str(user[0]))
        assert client.get(LIST, headers=headers(token, organization_id)).status_code == 200


def test_unreachable_bigcapital_database_is_503_within_5_seconds(env, organization_id):
    unreachable = f"mysql+pymysql://bckeys_ro:x@127.0.0.1:{free_port()}/bigcapital_system"
    settings = load_settings({**env, "BIGCAPITAL_DATABASE_URL": unreachable})
    with client_for(settings) as client:
        started = time.monotonic()
        response = client.get(LIST, headers=headers(bigcapital_token("a@x.io"), organization_id))
    assert response.status_code == 503
    assert time.monotonic() - started < 5


def test_bigcapital_database_that_never_answers_is_503_within_5_seconds(env, organization_id):
    with socket.socket() as silent:
        # Connections complete in the kernel's backlog; no greeting ever comes.
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        url = f"mysql+pymysql://bckeys_ro:x@127.0.0.1:{port}/bigcapital_system"
        settings = load_settings({**env, "BIGCAPITAL_DATABASE_URL": url})
        with client_for(settings) as client:
            started = time.monotonic()
            token = bigcapital_token("a@x.io")
            response = client.get(LIST, headers=headers(token, organization_id))
    assert response.status_code == 503
    assert time.monotonic() - started < 5


def test_identities_register_once_under_concurrent_first_requests(services, organization_id):
    results = []
    start = threading.Barrier(8)

    def register():
        start.wait()
        results.append(registered(services.database, 7, "a@example.com", organization_id))

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == len(threads)
    assert len(set(results)) == 1
    with services.database.transaction() as session:
        assert session.query(User).filter(User.upstream_id == 7).count() == 1


def test_bckeys_reads_through_an_account_that_may_only_select(bigcapital, user):
    reader = create_engine(bigcapital.reader_url)
    try:
        with reader.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM `USERS`")).scalar() == 1
            with pytest.raises(OperationalError, match="command denied"):
                connection.execute(text("DELETE FROM `USERS`"))
    finally:
        reader.dispose()
