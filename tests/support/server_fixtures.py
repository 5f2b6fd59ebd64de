"""The start_server fixture: server processes over the test's database, whose
logs are scanned for credentials when the test ends."""

import pytest

from tests.support.secrets_scan import credentials_in
from tests.support.server import ServerProcess


@pytest.fixture
def start_server(env, tmp_path):
    started = []

    def start(workers: int = 1, **extra_env) -> ServerProcess:
        server = ServerProcess(
            {**env, **extra_env}, tmp_path / f"server-{len(started)}.log", workers
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
    for server in started:
        assert credentials_in(server.logs()) == [], f"credential in {server.log_path}"
