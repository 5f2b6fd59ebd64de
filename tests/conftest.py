"""Fixtures: every HTTP test runs on SQLite and on a throwaway PostgreSQL.

PostgreSQL tests skip locally when no server binaries are installed; under
CI=true they must run, so a missing PostgreSQL fails them instead.
"""

import io
import logging
import os
import shutil

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from app.web.application import create_app
from tests.support.accounts import make_account
from tests.support.postgres import PostgresServer, find_bin_dir
from tests.support.secrets_scan import CREDENTIAL, credentials_in

JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long"
IN_CI = os.environ.get("CI") == "true"
TABLES = "api_keys, memberships, users, organizations"


pytest_plugins = [
    "tests.support.server_fixtures",
    "tests.support.gateway_fixtures",
    "tests.support.bigcapital_fixtures",
]

SUITE_LOG = io.StringIO()


def pytest_configure(config):
    """Every log record of the whole suite, at DEBUG, kept for the final scan."""
    handler = logging.StreamHandler(SUITE_LOG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    # The tests' own HTTP client logs the URLs it requests; it is not the server.
    handler.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)


def pytest_sessionfinish(session, exitstatus):
    """The suite fails if any log record of any test held a credential."""
    leaking = [line for line in SUITE_LOG.getvalue().splitlines() if credentials_in(line)]
    if leaking:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line("credentials found in the suite's logs, in lines like:", red=True)
        for line in leaking[:5]:
            reporter.write_line("  " + CREDENTIAL.sub("[credential]", line)[:300], red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def require(condition: bool, what: str) -> None:
    """Skip locally, fail in CI, when a part the test needs is missing."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{what} is required under CI=true")
        pytest.skip(f"{what} is not installed")


def environment(data_dir, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "BCKEYS_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "APP_JWT_SECRET": JWT_SECRET,
        **extra,
    }


def started_postgres(database: str):
    """A throwaway PostgreSQL holding ``database``, destroyed when the caller
    is done; skips (fails under CI) where none is installed."""
    bin_dir = find_bin_dir()
    require(bin_dir is not None, "PostgreSQL")
    server = PostgresServer(bin_dir)
    server.start()
    server.create_database(database)
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def postgres_server():
    yield from started_postgres("bckeys")


@pytest.fixture(scope="session")
def postgres_url(postgres_server):
    url = postgres_server.url("bckeys")
    engine = create_database_engine(
        load_settings({"DATABASE_URL": url, "APP_JWT_SECRET": JWT_SECRET})
    )
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test instead of migrating anew."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    settings = load_settings(environment(folder, f"sqlite:///{folder / 'bckeys.db'}"))
    engine = create_database_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    return folder / "bckeys.db"


@pytest.fixture(params=["sqlite", "postgres"])
def engine_name(request):
    return request.param


@pytest.fixture
def database_url(request, engine_name, tmp_path):
    if engine_name == "sqlite":
        path = tmp_path / "bckeys.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = create_database_engine(
        load_settings({"DATABASE_URL": url, "APP_JWT_SECRET": JWT_SECRET})
    )
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def env(tmp_path, database_url) -> dict[str, str]:
    """The environment a server or CLI process of this test runs with."""
    return environment(tmp_path / "data", database_url)


@pytest.fixture
def settings(env):
    return load_settings(env)


@pytest.fixture
def services(settings):
    services = build_services(settings)
    yield services
    services.database.engine.dispose()


@pytest.fixture
def client(services):
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def account(services):
    return make_account(services)


@pytest.fixture
def other_account(services):
    return make_account(services)


@pytest.fixture
def app_with(env):
    """A factory of apps over the test's database with settings of their own,
    environment variables by name: (client, services), closed at the end."""
    made = []

    def make(**settings: str):
        services = build_services(load_settings({**env, **settings}))
        client = TestClient(create_app(services=services), raise_server_exceptions=False)
        made.append((client, services))
        return client, services

    yield make
    for client, services in made:
        client.close()
        services.database.engine.dispose()


@pytest.fixture
def limited(app_with):
    """A factory of apps with the given minting limits, both off by default."""

    def make(rate: str = "off", cap: str = "off"):
        return app_with(API_KEY_GENERATE_RATE=rate, API_KEYS_PER_ORGANIZATION=cap)

    return make
