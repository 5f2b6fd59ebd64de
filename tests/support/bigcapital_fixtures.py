"""Fixtures for accounts from Bigcapital: a throwaway MariaDB holding
Bigcapital's system database, and the environment that points bckeys at it
through a read-only account. Skipped locally, failed under CI=true, where
MariaDB is not installed.
"""

import pytest

from tests.conftest import require
from tests.support.bigcapital import DATABASE, READER, SCHEMA, WRITER, Bigcapital
from tests.support.mariadb import MariaDBServer, find_binaries


@pytest.fixture(scope="session")
def mariadb_server():
    binaries = find_binaries()
    require(binaries is not None, "MariaDB (Debian's mariadb-server)")
    server = MariaDBServer(binaries)
    try:
        server.start()
        server.execute(SCHEMA)
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def bigcapital_session(mariadb_server):
    bigcapital = Bigcapital(
        mariadb_server.url(*WRITER, DATABASE), mariadb_server.url(*READER, DATABASE)
    )
    yield bigcapital
    bigcapital.engine.dispose()


@pytest.fixture
def bigcapital(bigcapital_session):
    """Bigcapital's system database, emptied for the test."""
    bigcapital_session.empty()
    return bigcapital_session


@pytest.fixture
def bigcapital_env(env, bigcapital) -> dict[str, str]:
    """The test's environment, with accounts from Bigcapital read as bckeys_ro."""
    return {**env, "BIGCAPITAL_DATABASE_URL": bigcapital.reader_url}
