"""bckeys serve on a PostgreSQL without this version's schema refuses to
start with one line, instead of answering 500 to every call."""

import itertools

from tests.conftest import environment
from tests.support.postgres import free_port
from tests.support.server import ServerProcess, bckeys

_databases = itertools.count()


def test_serve_on_a_postgres_without_schema_is_one_line_saying_run_db_upgrade(
    postgres_server, tmp_path
):
    name = f"unmigrated_{next(_databases)}"
    postgres_server.create_database(name)
    env = environment(tmp_path / "data", postgres_server.url(name))
    result = bckeys("serve", "--port", str(free_port()), env=env, check=False, timeout=30)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "has no schema, or an older one: run bckeys db upgrade" in line


def test_serve_on_an_unreachable_postgres_starts_and_is_not_ready(tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    server = ServerProcess(environment(tmp_path, url), tmp_path / "server.log")
    try:
        with server.client() as client:
            assert client.get("/readyz").status_code == 503
    finally:
        server.stop()
