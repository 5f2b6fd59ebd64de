"""bckeys db check, for a release pipeline, and bckeys db backup, for the
embedded database, while a server writes to it."""

import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from app.settings import load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from tests.conftest import environment
from tests.e2e.test_cli_operators import one_line_failure, schemaless_postgres  # noqa: F401
from tests.e2e.test_readme import shell_blocks
from tests.support.accounts import Account, generate_key
from tests.support.server import BIN, bckeys


def one_line(result) -> str:
    assert result.stderr == "" and result.stdout.count("\n") == 1
    return result.stdout


def test_db_check_is_0_on_a_current_schema(env):
    checked = bckeys("db", "check", env=env, check=False)
    assert checked.returncode == 0
    assert "this version's schema" in one_line(checked)


def test_db_check_is_1_on_a_schema_behind(tmp_path, engine_name, request):
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("schemaless_postgres")["DATABASE_URL"]
    env = environment(tmp_path / "data", url)
    engine = create_database_engine(load_settings(env))
    migrate.upgrade(engine, "0005")
    engine.dispose()
    checked = bckeys("db", "check", env=env, check=False)
    assert checked.returncode == 1
    assert "0005" in one_line(checked) and "bckeys db upgrade" in checked.stdout


def test_db_check_is_1_on_no_database_and_creates_none(tmp_path):
    env = environment(tmp_path / "data", f"sqlite:///{tmp_path / 'none.db'}")
    checked = bckeys("db", "check", env=env, check=False)
    assert checked.returncode == 1
    assert "bckeys db upgrade" in one_line(checked)
    assert not (tmp_path / "none.db").exists()


def test_db_check_is_1_on_a_postgres_without_schema(request):
    env = request.getfixturevalue("schemaless_postgres")
    checked = bckeys("db", "check", env=env, check=False)
    assert checked.returncode == 1
    assert "no schema" in one_line(checked)


def test_db_check_is_2_on_an_unreachable_database(tmp_path):
    env = environment(tmp_path, "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    checked = bckeys("db", "check", env=env, check=False)
    assert checked.returncode == 2
    line = one_line_failure(checked, "127.0.0.1:1", "unavailable")
    assert "secret" not in line


def test_db_check_is_2_on_a_bad_configuration(tmp_path):
    env = environment(tmp_path, "mysql://x/y")
    checked = bckeys("db", "check", env=env, check=False)
    assert checked.returncode == 2
    one_line_failure(checked, "DATABASE_URL")


# The backup copies the embedded SQLite database.
on_sqlite = pytest.mark.parametrize("engine_name", ["sqlite"])


@on_sqlite
def test_db_backup_is_a_consistent_copy_while_a_server_writes(env, start_server, tmp_path):
    organization = bckeys("org", "create", "Acme", env=env).stdout.strip()
    bckeys("user", "create", "a@example.com", "--org", organization, env=env)
    token = bckeys("token", "a@example.com", env=env).stdout.strip()
    account = Account(organization, "a@example.com", token)
    server = start_server(workers=2, API_KEY_GENERATE_RATE="off")
    writing = threading.Event()
    generated = []

    def keep_generating():
        with server.client() as client:
            while not writing.is_set() or len(generated) < 5:
                generated.append(generate_key(client, account)["id"])
                writing.set()

    writer = threading.Thread(target=keep_generating)
    writer.start()
    writing.wait(10)
    backed_up = bckeys("db", "backup", str(tmp_path / "copy.db"), env=env)
    writing.set()
    writer.join(30)
    assert backed_up.stdout == "" and backed_up.stderr == ""
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    (copied,) = copy.execute("SELECT count(*) FROM api_keys").fetchone()
    copy.close()
    assert 1 <= copied <= len(generated)
    assert (tmp_path / "copy.db").stat().st_mode & 0o077 == 0
    restored = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'copy.db'}"}
    assert bckeys("db", "check", env=restored, check=False).returncode == 0


@on_sqlite
def test_db_backup_never_overwrites_a_file(env, tmp_path):
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    backed_up = bckeys("db", "backup", str(existing), env=env, check=False)
    one_line_failure(backed_up, str(existing), "exists")
    assert existing.read_bytes() == b"keep me"


def test_db_backup_refuses_postgres_pointing_to_pg_dump(tmp_path):
    env = environment(tmp_path, "postgresql+psycopg://bckeys:secret@127.0.0.1:1/bckeys")
    backed_up = bckeys("db", "backup", str(tmp_path / "copy.db"), env=env, check=False)
    line = one_line_failure(backed_up, "pg_dump")
    assert "secret" not in line
    assert not (tmp_path / "copy.db").exists()


@on_sqlite
def test_the_readmes_restore_brings_back_a_key_revoked_since_the_backup(
    env, start_server, tmp_path
):
    data = Path(env["BCKEYS_DATA_DIR"])
    data.mkdir(mode=0o700)
    # The database where the README restores it: in the data folder.
    shutil.move(env["DATABASE_URL"].removeprefix("sqlite:///"), data / "bckeys.db")
    env = {**env, "DATABASE_URL": f"sqlite:///{data / 'bckeys.db'}"}
    organization = bckeys("org", "create", "Acme", env=env).stdout.strip()
    bckeys("user", "create", "a@example.com", "--org", organization, env=env)
    account = Account(
        organization, "a@example.com", bckeys("token", "a@example.com", env=env).stdout.strip()
    )
    server = start_server(DATABASE_URL=env["DATABASE_URL"])
    with server.client() as client:
        key = generate_key(client, account)
        bckeys("db", "backup", str(tmp_path / "backup.db"), env=env)
        client.put(f"/api/api-keys/{key['id']}/revoke", headers=account.headers())
        assert (
            client.get("/api/api-keys", headers=account.headers(token=key["key"])).status_code
            == 401
        )
    server.stop()

    (block,) = shell_blocks("Backups and restores")
    script = (
        block.replace("/var/lib/bckeys", str(data))
        .replace("/var/backups/bckeys.db", str(tmp_path / "backup.db"))
        .replace("bckeys db check", f"{BIN}/bckeys db check")
    )
    subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{script}"], env={**os.environ, **env}, check=True
    )
    assert (data / "bckeys.db").stat().st_mode & 0o077 == 0

    restored = start_server(DATABASE_URL=env["DATABASE_URL"])
    with restored.client() as client:
        assert (
            client.get("/api/api-keys", headers=account.headers(token=key["key"])).status_code
            == 200
        )
