"""The gateway fixture: Debian's nginx with the shipped configuration in
front of a bckeys server of the test and a stand-in Bigcapital."""

from dataclasses import dataclass

import pytest

from tests.conftest import JWT_SECRET, require
from tests.support.accounts import Account
from tests.support.gateway import Nginx, StandInBigcapital, find_nginx

UPSTREAM_PATH = "/api/invoices"


@dataclass
class Gateway:
    proxy: Nginx
    upstream: StandInBigcapital

    def through(self, token: str | None = None, **headers) -> tuple[int, dict | None]:
        """GET an upstream path through the proxy: (status, what the upstream
        received, or None when the request never reached it)."""
        before = len(self.upstream.received)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        with self.proxy.client() as client:
            response = client.get(UPSTREAM_PATH, headers=headers)
        reached = self.upstream.received[before:]
        assert len(reached) <= 1
        self.last_response = response
        return response.status_code, (reached[0]["headers"] if reached else None)

    def generate(self, account: Account) -> dict:
        with self.proxy.client() as client:
            response = client.post("/api/api-keys/generate", json={}, headers=account.headers())
        assert response.status_code == 201
        return response.json()

    def stop(self) -> None:
        self.proxy.stop()
        self.upstream.stop()


def start_gateway(start_server, **extra_env) -> Gateway:
    require(find_nginx() is not None, "nginx")
    server = start_server(**extra_env)
    upstream = StandInBigcapital(
        JWT_SECRET, extra_env.get("APP_JWT_ISSUER"), extra_env.get("APP_JWT_AUDIENCE")
    )
    proxy = Nginx(server.port, upstream.port)
    return Gateway(proxy, upstream)


@pytest.fixture
def gateway(start_server):
    gateway = start_gateway(start_server)
    yield gateway
    gateway.stop()
