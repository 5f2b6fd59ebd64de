"""What the access log says about where a request came from: the client's
address (through trusted proxies only), the request a gateway asked verify
about, and the proxy's request id."""

import logging

import pytest
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.web.application import create_app
from tests.support.accounts import generate_key
from tests.support.log_records import Records, recording

VERIFY = "/api/api-keys/verify"
NGINX_REQUEST_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def records():
    with recording("bckeys.access", logging.INFO) as handler:
        yield handler


def served(env, peer: str, **extra: str):
    services = build_services(load_settings({**env, **extra}))
    return services, TestClient(create_app(services=services), client=(peer, 50000))


@pytest.fixture
def behind_proxy(env):
    """A client whose peer is the trusted proxy 127.0.0.1."""
    services, client = served(env, "127.0.0.1", TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8")
    with client:
        yield client
    services.database.engine.dispose()


@pytest.fixture
def direct(env):
    """A client whose peer is no proxy, while TRUSTED_PROXIES names one."""
    services, client = served(env, "192.0.2.7", TRUSTED_PROXIES="127.0.0.1")
    with client:
        yield client
    services.database.engine.dispose()


def access_line(records: Records) -> str:
    (line,) = [line for line in records.lines if line.startswith(("GET", "PUT", "POST"))]
    return line.split(" {", 1)[0]


def test_the_client_is_the_peer_when_no_proxy_is_trusted(client, records):
    client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert access_line(records).endswith("client=testclient")


def test_the_client_is_the_peer_when_the_peer_is_no_trusted_proxy(direct, records):
    direct.get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    assert access_line(records).endswith("client=192.0.2.7")


def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_address(
    behind_proxy, records
):
    forwarded = "198.51.100.1, 203.0.113.9, 10.1.2.3"
    behind_proxy.get("/healthz", headers={"X-Forwarded-For": forwarded})
    assert access_line(records).endswith("client=203.0.113.9")


def test_an_address_the_client_forged_left_of_a_bad_entry_is_not_believed(behind_proxy, records):
    behind_proxy.get("/healthz", headers={"X-Forwarded-For": "198.51.100.1, nonsense, 10.1.2.3"})
    assert access_line(records).endswith("client=10.1.2.3")


@pytest.mark.parametrize(
    ("method_header", "uri_header", "method", "uri", "logged"),
    [
        # nginx's names, as the shipped configuration sends them
        (
            "X-Original-Method",
            "X-Original-URI",
            "POST",
            "/api/sales/invoices?page=2",
            "original_method=POST original_path=/api/sales/invoices",
        ),
        # Traefik's and Caddy's
        (
            "X-Forwarded-Method",
            "X-Forwarded-Uri",
            "DELETE",
            "/api/items/3",
            "original_method=DELETE original_path=/api/items/3",
        ),
    ],
)
def test_verify_logs_the_request_it_authorized(
    client, account, records, method_header, uri_header, method, uri, logged
):
    key = generate_key(client, account)["key"]
    records.lines.clear()
    client.get(
        VERIFY,
        headers={"Authorization": f"Bearer {key}", method_header: method, uri_header: uri},
    )
    assert access_line(records).endswith(logged)


def test_a_key_in_the_original_uri_is_redacted(client, account, records):
    key = generate_key(client, account)["key"]
    records.lines.clear()
    client.get(VERIFY, headers={"Authorization": f"Bearer {key}", "X-Original-URI": f"/a/{key}"})
    line = access_line(records)
    assert line.endswith("original_path=/a/[redacted]")
    assert key[3:19] not in " ".join(records.lines)


def test_a_trusted_proxys_request_id_is_kept(behind_proxy, records):
    answered = behind_proxy.get("/healthz", headers={"X-Request-ID": NGINX_REQUEST_ID})
    assert answered.headers["x-request-id"] == NGINX_REQUEST_ID
    assert f"request_id={NGINX_REQUEST_ID}" in access_line(records)


def test_a_proxy_shaped_request_id_from_anyone_else_is_replaced(direct):
    answered = direct.get("/healthz", headers={"X-Request-ID": NGINX_REQUEST_ID})
    assert answered.headers["x-request-id"] != NGINX_REQUEST_ID
