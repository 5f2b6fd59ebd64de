"""A PostgreSQL outage: 503 with Retry-After within 5 s while it is down,
201 again once it is back, with no server restart."""

import time

import httpx
import pytest

from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from tests.conftest import environment, started_postgres
from tests.support.accounts import make_account
from tests.support.server import ServerProcess


@pytest.fixture
def own_postgres():
    """A server of this test's own, since the test stops it."""
    yield from started_postgres("outage")


def test_outage_gives_503_then_recovers_without_restart(own_postgres, tmp_path):
    env = environment(tmp_path / "data", own_postgres.url("outage"))
    settings = load_settings(env)
    engine = create_database_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    services = build_services(settings)
    account = make_account(services)
    key = None
    services.database.engine.dispose()

    server = ServerProcess(env, tmp_path / "server.log", workers=2)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            created = client.post("/api/api-keys/generate", json={}, headers=account.headers())
            assert created.status_code == 201
            key = created.json()["key"]

            own_postgres.stop()
            for headers in [account.headers(), account.headers(token=key)] * 3:
                started = time.monotonic()
                response = client.post("/api/api-keys/generate", json={}, headers=headers)
                assert time.monotonic() - started < 5
                assert response.status_code == 503, response.text
                assert response.headers["content-type"] == "application/problem+json"
                assert int(response.headers["retry-after"]) > 0
            assert client.get("/readyz").status_code == 503
            assert client.get("/healthz").status_code == 200

            own_postgres.start()
            deadline = time.monotonic() + 10
            statuses = []
            while time.monotonic() < deadline:
                response = client.post("/api/api-keys/generate", json={}, headers=account.headers())
                statuses.append(response.status_code)
                if response.status_code == 201:
                    break
                time.sleep(0.2)
            assert statuses[-1] == 201
            assert set(statuses) <= {201, 503}
            assert client.get("/readyz").status_code == 200
            with_key = account.headers(token=key)
            assert client.get("/api/api-keys", headers=with_key).status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.logs()
