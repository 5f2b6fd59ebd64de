"""One request id across nginx, bckeys and the upstream: nginx's
$request_id, sent as X-Request-ID to both, and believed by bckeys because
nginx is a trusted proxy (TRUSTED_PROXIES)."""

import re

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


def test_the_upstream_and_bckeys_verify_log_share_nginxs_request_id(traced, services):
    gateway, bckeys = traced
    key = gateway.generate(make_account(services))["key"]
    status, received = gateway.through(key, **{"X-Request-ID": CLIENT_REQUEST_ID})
    assert status == 200
    request_id = received["x-request-id"]
    assert NGINX_REQUEST_ID.fullmatch(request_id)
    (verified,) = [
        line for line in bckeys.logs().splitlines() if f"request_id={request_id}" in line
    ]
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
    assert "GET /api/api-keys 200" in bckeys.logs() and f"request_id={request_id}" in bckeys.logs()
