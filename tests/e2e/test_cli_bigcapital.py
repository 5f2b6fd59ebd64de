"""The command line when accounts come from Bigcapital: the account commands
say where accounts are managed, keys commands take Bigcapital's
organization ids, and import-bigcapital takes Bigcapital's own keys in."""

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from app.cli.accounts import ACCOUNTS_FROM_BIGCAPITAL
from app.services import build_services
from app.settings import load_settings
from app.storage.models import ApiKey
from app.web.application import create_app
from tests.support.server import bckeys

ACCOUNT_COMMANDS = [
    ["org", "create", "Acme"],
    ["org", "list"],
    ["user", "create", "a@example.com", "--org", "org_1"],
    ["user", "list", "--org", "org_1"],
    ["user", "activate", "a@example.com"],
    ["user", "deactivate", "a@example.com"],
    ["user", "remove", "a@example.com", "--org", "org_1"],
    ["token", "a@example.com"],
]


@pytest.fixture
def services(bigcapital_env):
    services = build_services(load_settings(bigcapital_env))
    yield services
    services.database.engine.dispose()
    services.callers.bigcapital.engine.dispose()


@pytest.fixture
def client(services):
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def organization_id(bigcapital):
    return bigcapital.add_organization()


@pytest.fixture
def user_id(bigcapital, organization_id):
    return bigcapital.add_user(organization_id)[0]


def headers(key: str, organization_id: str) -> dict:
    return {"Authorization": f"Bearer {key}", "organization-id": organization_id}


@pytest.mark.parametrize("args", ACCOUNT_COMMANDS, ids=" ".join)
def test_account_commands_say_in_one_line_that_accounts_come_from_bigcapital(bigcapital_env, args):
    result = bckeys(*args, env=bigcapital_env, check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr == f"bckeys: {ACCOUNTS_FROM_BIGCAPITAL}\n"


def test_import_prints_how_many_keys_it_took_and_how_to_wipe_them_upstream(
    bigcapital_env, bigcapital, user_id, organization_id
):
    bigcapital.add_api_key(user_id, organization_id)
    bigcapital.add_api_key(user_id, organization_id, revoked_at="2026-01-03 00:00:00")
    result = bckeys("keys", "import-bigcapital", env=bigcapital_env)
    assert result.stdout == "2\n"
    assert "UPDATE API_KEYS SET `KEY` = SHA2(`KEY`, 256)" in result.stderr


def test_import_leaves_an_audit_line_for_each_key_it_took(
    bigcapital_env, bigcapital, user_id, organization_id
):
    bigcapital.add_api_key(user_id, organization_id)
    bigcapital.add_api_key(user_id, organization_id)
    result = bckeys("keys", "import-bigcapital", env=bigcapital_env)
    audited = [line for line in result.stderr.splitlines() if "bckeys.audit" in line]
    assert len(audited) == 2
    for line in audited:
        assert "key.created actor=operator (cli)" in line
        assert f"organization_id={organization_id}" in line
    assert bckeys("keys", "import-bigcapital", env=bigcapital_env).stderr.count("bckeys.audit") == 0


def test_importing_again_takes_nothing_twice(bigcapital_env, bigcapital, user_id, organization_id):
    bigcapital.add_api_key(user_id, organization_id)
    bckeys("keys", "import-bigcapital", env=bigcapital_env)
    assert bckeys("keys", "import-bigcapital", env=bigcapital_env).stdout == "0\n"


def test_imported_key_authenticates_and_lists_masked_with_its_facts(
    bigcapital_env, bigcapital, client, user_id, organization_id
):
    key = bigcapital.add_api_key(
        user_id, organization_id, name="from bigcapital", expires_at="2099-01-01 00:00:00"
    )
    bckeys("keys", "import-bigcapital", env=bigcapital_env)
    listed = client.get("/api/api-keys", headers=headers(key, organization_id))
    assert listed.status_code == 200
    (item,) = listed.json()
    assert item["token"] == key[:8] + "..."
    assert item["name"] == "from bigcapital"
    assert item["createdAt"].startswith("2026-01-02T03:04:05")
    assert item["expiresAt"].startswith("2099-01-01T00:00:00")
    cli_listed = bckeys("keys", "list", "--org", organization_id, env=bigcapital_env).stdout
    assert key[:8] + "..." in cli_listed
    assert key not in cli_listed


def test_key_revoked_in_bigcapital_stays_revoked_once_imported(
    bigcapital_env, bigcapital, client, user_id, organization_id
):
    key = bigcapital.add_api_key(user_id, organization_id, revoked_at="2026-01-03 00:00:00")
    bckeys("keys", "import-bigcapital", env=bigcapital_env)
    assert client.get("/api/api-keys", headers=headers(key, organization_id)).status_code == 401


def test_imported_key_is_stored_hashed_never_in_plaintext(
    bigcapital_env, bigcapital, services, user_id, organization_id
):
    key = bigcapital.add_api_key(user_id, organization_id)
    bckeys("keys", "import-bigcapital", env=bigcapital_env)
    with services.database.transaction() as session:
        rows = [tuple(row) for row in session.execute(select(ApiKey.__table__))]
    assert len(rows) == 1
    assert key not in repr(rows)


def test_keys_revoke_takes_bigcapitals_organization_id(
    bigcapital_env, bigcapital, client, user_id, organization_id
):
    key = bigcapital.add_api_key(user_id, organization_id)
    bckeys("keys", "import-bigcapital", env=bigcapital_env)
    key_id = bckeys("keys", "list", "--org", organization_id, env=bigcapital_env).stdout.split()[0]
    bckeys("keys", "revoke", key_id, "--org", organization_id, env=bigcapital_env)
    assert client.get("/api/api-keys", headers=headers(key, organization_id)).status_code == 401


def test_import_without_bigcapital_database_url_says_to_set_it(env):
    result = bckeys("keys", "import-bigcapital", env=env, check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "set BIGCAPITAL_DATABASE_URL" in result.stderr
