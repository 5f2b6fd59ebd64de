"""What operators tripped over: every failure one clear line, read-only
commands that create nothing, and the operator commands they missed."""

import itertools
import os
import pty
import subprocess

import pytest
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.web.application import create_app
from tests.conftest import environment
from tests.support.server import BIN, bckeys

_databases = itertools.count()


def one_line_failure(result, *expected: str) -> str:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]
    return lines[0]


@pytest.fixture
def schemaless_postgres(postgres_server, tmp_path) -> dict:
    name = f"schemaless_{next(_databases)}"
    postgres_server.create_database(name)
    return environment(tmp_path / "data", postgres_server.url(name))


def test_commands_on_a_postgres_without_schema_say_run_db_upgrade(schemaless_postgres):
    for args in (["org", "create", "Acme"], ["token", "a@example.com"], ["org", "list"]):
        one_line_failure(bckeys(*args, env=schemaless_postgres, check=False), "db upgrade")


def test_readyz_is_503_on_a_postgres_without_schema(schemaless_postgres):
    services = build_services(load_settings(schemaless_postgres))
    with TestClient(create_app(services=services)) as client:
        response = client.get("/readyz")
    services.database.engine.dispose()
    assert response.status_code == 503
    assert "schema" in response.json()["status"]


def test_db_upgrade_against_an_unreachable_postgres_is_one_line(tmp_path):
    env = environment(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    one_line_failure(bckeys("db", "upgrade", env=env, check=False), "127.0.0.1:1", "unavailable")


def test_the_heroku_spelling_of_a_postgres_url_is_postgres(postgres_server, tmp_path):
    name = f"heroku_{next(_databases)}"
    postgres_server.create_database(name)
    url = postgres_server.url(name).replace("postgresql+psycopg://", "postgres://")
    env = environment(tmp_path, url)
    assert bckeys("db", "upgrade", env=env).returncode == 0
    assert bckeys("org", "create", "Heroku", env=env).stdout.startswith("org_")


@pytest.mark.parametrize(
    ("name", "value"),
    [("LOG_LEVEL", "verbose"), ("LOG_FORMAT", "xml"), ("DATABASE_URL", "mysql://x/y")],
)
def test_a_bad_setting_is_one_line_naming_it(tmp_path, name, value):
    env = {**environment(tmp_path, f"sqlite:///{tmp_path / 'x.db'}"), name: value}
    one_line_failure(bckeys("org", "list", env=env, check=False), name)


def run_outside_the_repository(folder, args: list[str]) -> subprocess.CompletedProcess:
    """``bckeys`` run in ``folder``, with no data folder or database named in
    the environment: the default, ``var/`` in the working folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BCKEYS_DATA_DIR", "DATABASE_URL", "APP_JWT_SECRET")
    }
    return subprocess.run(
        [str(BIN / "bckeys"), *args], cwd=folder, env=env, capture_output=True, text=True
    )


def test_read_only_commands_outside_the_repository_create_nothing(tmp_path):
    for args in (["org", "list"], ["keys", "list", "--org", "org_x"], ["token", "a@b.example"]):
        result = run_outside_the_repository(tmp_path, args)
        one_line_failure(result, str(tmp_path / "var"), "db upgrade")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["org", "create", "Acme"],
        ["user", "create", "a@example.com", "--org", "org_x"],
        ["user", "activate", "a@example.com"],
        ["user", "deactivate", "a@example.com"],
        ["user", "remove", "a@example.com", "--org", "org_x"],
        ["keys", "revoke", "1", "--org", "org_x"],
    ],
    ids=" ".join,
)
def test_writing_commands_outside_the_repository_create_nothing(tmp_path, args):
    result = run_outside_the_repository(tmp_path, args)
    one_line_failure(result, str(tmp_path / "var"), "db upgrade")
    assert list(tmp_path.iterdir()) == []


def test_operator_commands_list_activate_and_version(env):
    bckeys("db", "upgrade", env=env)
    organization_id = bckeys("org", "create", "Acme", env=env).stdout.strip()
    duplicate = bckeys("org", "create", "Acme", env=env)
    assert "warning" in duplicate.stderr and organization_id in duplicate.stderr
    listed = bckeys("org", "list", env=env).stdout.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [
        [organization_id, "Acme"],
        [duplicate.stdout.strip(), "Acme"],
    ]
    bckeys("user", "create", "a@example.com", "--org", organization_id, env=env)
    bckeys("user", "deactivate", "a@example.com", env=env)
    assert bckeys("user", "list", "--org", organization_id, env=env).stdout == (
        "a@example.com\tinactive\t-\n"
    )
    one_line_failure(bckeys("token", "a@example.com", env=env, check=False))
    bckeys("user", "activate", "a@example.com", env=env)
    assert bckeys("user", "list", "--org", organization_id, env=env).stdout == (
        "a@example.com\tactive\t-\n"
    )
    assert bckeys("token", "a@example.com", env=env).stdout.count(".") == 2
    assert bckeys("--version", env=env).stdout.strip() == "0.1.0"


@pytest.mark.parametrize(
    "args",
    [
        ["user", "create", "not-an-email", "--org", "org_x"],
        ["user", "create", " ", "--org", "org_x"],
        ["user", "create", "a@b", "--org", "org_x"],
        ["org", "create", "   "],
        ["serve", "--port", "0"],
    ],
)
def test_blank_and_malformed_input_is_refused_in_one_line(env, args):
    bckeys("db", "upgrade", env=env)
    one_line_failure(bckeys(*args, env=env, check=False))


def test_workers_0_is_refused(env):
    one_line_failure(bckeys("serve", env={**env, "WORKERS": "0"}, check=False), "WORKERS")


def test_keys_list_prints_names_as_written_with_a_header_on_a_terminal(env, start_server):
    bckeys("db", "upgrade", env=env)
    organization_id = bckeys("org", "create", "Names", env=env).stdout.strip()
    bckeys("user", "create", "n@example.com", "--org", organization_id, env=env)
    token = bckeys("token", "n@example.com", env=env).stdout.strip()
    server = start_server()
    headers = {"Authorization": f"Bearer {token}", "organization-id": organization_id}
    with server.client() as client:
        for name in ("Ünïcødé", "tab\there"):
            assert client.post(
                "/api/api-keys/generate", json={"name": name}, headers=headers
            ).is_success
    piped = bckeys("keys", "list", "--org", organization_id, env=env).stdout.splitlines()
    assert [line.split("\t")[-1] for line in piped] == ["Ünïcødé", "tab\\there"]
    assert terminal_output(["keys", "list", "--org", organization_id], env).startswith(
        "id\tkey\tcreated"
    )


def terminal_output(args: list[str], env: dict) -> str:
    """What a command prints when its output is a terminal."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(BIN / "bckeys"), *args],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(30)
    os.close(controller)
    return b"".join(chunks).decode().replace("\r\n", "\n")
