"""One request id across nginx, bckeys and the upstream: nginx's
$request_id, sent as X-Request-ID to both, and believed by bckeys because
nginx is a trusted proxy (TRUSTED_PROXIES)."""

import re
import time

import pytest

from tests.support.accounts import make_account
from tests.support.gateway_fixtures import start_gateway

NGINX_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
CLIENT_REQUEST_ID = "chosen-by-the-client"


@pytest.fixture
def traced(start_server):
    """The gateway in front of a bckeys that trusts it, and that bckeys."""
    servers = []

    def starting(**env):
        servers.append(start_server(**env))
        return servers[-1]

    gateway = start_gateway(starting, TRUSTED_PROXIES="127.0.0.1")
    yield gateway, servers[0]
    gateway.stop()


def logged_lines(server, text: str, timeout: float = 5) -> list[str]:
    """The server's log lines holding ``text``, once there are any: an access
    line is written just after its response is sent."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in server.logs().splitlines() if text in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_the_upstream_and_bckeys_verify_log_share_nginxs_request_id(traced, services):
    gateway, bckeys = traced
    key = gateway.generate(make_account(services))["key"]
    status, received = gateway.through(key, **{"X-Request-ID": CLIENT_REQUEST_ID})
    assert status == 200
    request_id = received["x-request-id"]
    assert NGINX_REQUEST_ID.fullmatch(request_id)
    (verified,) = logged_lines(bckeys, f"request_id={request_id}")
    assert "/api/api-keys/verify" in verified and "original_path=/api/invoices" in verified


def test_bckeys_own_api_gets_nginxs_request_id_never_the_clients(traced, services):
    gateway, bckeys = traced
    account = make_account(services)
    with gateway.proxy.client() as client:
        listed = client.get(
            "/api/api-keys", headers={**account.headers(), "X-Request-ID": CLIENT_REQUEST_ID}
        )
    assert listed.status_code == 200
    request_id = listed.headers["x-request-id"]
    assert NGINX_REQUEST_ID.fullmatch(request_id)
    (listed_line,) = logged_lines(bckeys, f"request_id={request_id}")
    assert "GET /api/api-keys 200" in listed_line
