"""No field a client fills can carry a key into a log, at any level: not the
path (raw or percent-encoded), not organization-id, not X-Request-ID, not the
bearer token, not what a trusted proxy forwards (X-Forwarded-For, the
original method and URI verify is asked about). Checked for the reported
cases, then as a property."""

import logging
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.web.application import create_app
from tests.support.accounts import generate_key
from tests.support.log_records import recording

LIST = "/api/api-keys"
RUN = 16
# Each property runs its examples against the test's one app and database.
AGAINST_A_SERVER = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def records():
    with recording(None, logging.DEBUG) as handler:
        yield handler


def runs_of(key: str) -> set[str]:
    random_part = key[3:67]
    return {random_part[start : start + RUN] for start in range(len(random_part) - RUN + 1)}


def leaked(lines: list[str], key: str) -> list[str]:
    runs = runs_of(key)
    return [line for line in lines if any(run in line for run in runs)]


def percent_encoded(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


@pytest.fixture
def key(client, account):
    return generate_key(client, account)["key"]


def test_a_key_in_organization_id_is_not_in_the_rejection_audit(client, key, records):
    response = client.get(LIST, headers={"Authorization": "Bearer nope", "organization-id": key})
    assert response.status_code == 401
    assert leaked(records.lines, key) == []
    assert any("[75 characters]" in line for line in records.lines)


def test_a_key_as_request_id_is_neither_echoed_nor_logged(client, account, key, records):
    response = client.get(LIST, headers={**account.headers(), "X-Request-ID": key})
    assert response.status_code == 200
    assert response.headers["x-request-id"] != key
    assert leaked(records.lines, key) == []


def test_a_sane_request_id_is_kept(client, account):
    sent = "req-2026-11-27.checkout:42"
    response = client.get(LIST, headers={**account.headers(), "X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "path",
    [
        lambda key: "/" + percent_encoded(key),
        lambda key: "/bc%5f" + key[3:],
        lambda key: "/api/api-keys/" + percent_encoded(percent_encoded(key)) + "/revoke",
        lambda key: "/x/" + key[3:40] + "/" + key[40:],
    ],
    ids=["percent-encoded", "encoded-underscore", "double-encoded-in-id", "split"],
)
def test_a_key_in_the_path_is_not_logged_at_debug(client, account, key, records, path):
    client.put(f"http://testserver{path(key)}", headers=account.headers())
    assert leaked(records.lines, key) == []


def test_a_jwt_in_the_path_is_not_logged(client, account, records):
    client.get(f"http://testserver/{account.token}")
    signature = account.token.rsplit(".", 1)[1]
    assert not [line for line in records.lines if signature in line]


PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
EMBEDDINGS = st.sampled_from(["raw", "percent-encoded", "split"])


@st.composite
def carrying(draw, key: str) -> str:
    """Arbitrary text with the key embedded in it, one way or another."""
    embedding = draw(EMBEDDINGS)
    if embedding == "raw":
        carried = key
    elif embedding == "percent-encoded":
        carried = percent_encoded(key)
    else:
        cut = draw(st.integers(min_value=1, max_value=len(key) - 1))
        carried = key[:cut] + draw(PRINTABLE) + key[cut:]
    return draw(PRINTABLE) + carried + draw(PRINTABLE)


@pytest.mark.parametrize("field", ["path", "organization-id", "X-Request-ID", "bearer"])
def test_no_field_carries_a_key_into_any_log_record(client, account, key, records, field):
    @AGAINST_A_SERVER
    @given(data=st.data())
    def check(data):
        text = data.draw(carrying(key))
        headers = account.headers()
        url = "http://testserver/api/api-keys"
        if field == "path":
            url = "http://testserver/" + quote(text, safe="/%")
        elif field == "bearer":
            headers["Authorization"] = f"Bearer {text}"
        else:
            headers[field] = text
        records.lines.clear()
        response = client.get(url, headers=headers)
        assert response.status_code < 500, response.text
        assert leaked(records.lines, key) == []
        assert key not in response.headers.get("x-request-id", "")

    check()


@pytest.fixture
def through_a_trusted_proxy(env):
    """A client whose peer is a trusted proxy: every header it forwards is
    believed and logged."""
    services = build_services(load_settings({**env, "TRUSTED_PROXIES": "127.0.0.1"}))
    with TestClient(create_app(services=services), client=("127.0.0.1", 50000)) as client:
        yield client
    services.database.engine.dispose()


@pytest.mark.parametrize(
    "field",
    [
        "X-Forwarded-For",
        "X-Original-Method",
        "X-Original-URI",
        "X-Forwarded-Method",
        "X-Forwarded-Uri",
        "X-Request-ID",
    ],
)
def test_no_gateway_field_carries_a_key_into_any_log_record(
    through_a_trusted_proxy, key, records, field
):
    @AGAINST_A_SERVER
    @given(data=st.data())
    def check(data):
        text = data.draw(carrying(key))
        records.lines.clear()
        response = through_a_trusted_proxy.get(
            "/api/api-keys/verify", headers={"Authorization": f"Bearer {key}", field: text}
        )
        assert response.status_code == 200, response.text
        assert leaked(records.lines, key) == []
        assert key not in response.headers.get("x-request-id", "")

    check()
