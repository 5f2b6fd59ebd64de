"""The bckeys command line, as an operator uses it, against a served API."""

import re

import jwt
import pytest

from app.domain import keys
from tests.support.server import bckeys

KEY = re.compile(r"bc_[0-9a-f]{72}")


def test_operator_flow_from_empty_database_to_revoked_key(env, start_server):
    assert bckeys("db", "upgrade", env=env).stdout == ""
    organization_id = bckeys("org", "create", "Acme Ltd", env=env).stdout.strip()
    assert re.fullmatch(r"org_[0-9a-f]{20}", organization_id)
    assert bckeys(
        "user", "create", "Ops@Example.com", "--org", organization_id, env=env
    ).stdout == ("Ops@Example.com\n")
    token = bckeys("token", "ops@example.com", "--ttl", "600", env=env).stdout.strip()
    assert token.count(".") == 2

    server = start_server()
    headers = {"Authorization": f"Bearer {token}", "organization-id": organization_id}
    with server.client() as client:
        created = client.post("/api/api-keys/generate", json={"name": "tab\there"}, headers=headers)
        assert created.status_code == 201
        key_id, key = created.json()["id"], created.json()["key"]

        listed = bckeys("keys", "list", "--org", organization_id, env=env).stdout
        assert listed.count("\n") == 1
        fields = listed.rstrip("\n").split("\t")
        assert fields[0] == str(key_id)
        assert fields[1] == key[:8] + "..."
        assert fields[-1] == "tab\\there"
        assert not KEY.search(listed)

        client.get("/api/api-keys", headers={**headers, "Authorization": f"Bearer {key}"})
        last_used = bckeys("keys", "list", "--org", organization_id, env=env).stdout.split("\t")[4]
        assert last_used != "-"

        assert bckeys("keys", "revoke", str(key_id), "--org", organization_id, env=env).stdout == ""
        revoked = client.get("/api/api-keys", headers={**headers, "Authorization": f"Bearer {key}"})
        assert revoked.status_code == 401
        assert bckeys("keys", "list", "--org", organization_id, env=env).stdout == ""

        assert bckeys("user", "deactivate", "ops@example.com", env=env).stdout == ""
        assert client.get("/api/api-keys", headers=headers).status_code == 401


def test_user_remove_stops_their_keys_in_that_organization(env, start_server):
    first = bckeys("org", "create", "One", env=env).stdout.strip()
    second = bckeys("org", "create", "Two", env=env).stdout.strip()
    bckeys("user", "create", "a@example.com", "--org", first, env=env)
    bckeys("user", "create", "a@example.com", "--org", second, env=env)
    token = bckeys("token", "a@example.com", env=env).stdout.strip()
    server = start_server()
    with server.client() as client:
        auth = {"Authorization": f"Bearer {token}"}
        key = client.post(
            "/api/api-keys/generate", json={}, headers={**auth, "organization-id": first}
        ).json()["key"]
        removed = bckeys("user", "remove", "a@example.com", "--org", first, env=env)
        assert removed.stdout == ""
        assert "key.revoked" in removed.stderr
        gone = {"Authorization": f"Bearer {key}", "organization-id": first}
        assert client.get("/api/api-keys", headers=gone).status_code == 401
        bckeys("user", "create", "a@example.com", "--org", first, env=env)
        assert client.get("/api/api-keys", headers=gone).status_code == 401
        bckeys("user", "remove", "a@example.com", "--org", first, env=env)
        assert (
            client.get("/api/api-keys", headers={**auth, "organization-id": first}).status_code
            == 403
        )
        assert (
            client.get("/api/api-keys", headers={**auth, "organization-id": second}).status_code
            == 200
        )


@pytest.mark.parametrize(
    "args",
    [
        ["user", "create", "a@example.com", "--org", "org_missing"],
        ["user", "deactivate", "nobody@example.com"],
        ["user", "remove", "nobody@example.com", "--org", "org_missing"],
        ["token", "nobody@example.com"],
        ["keys", "list", "--org", "org_missing"],
        ["keys", "revoke", "1", "--org", "org_missing"],
        ["keys", "revoke", "abc", "--org", "org_missing"],
    ],
)
def test_failures_print_one_line_on_stderr_and_exit_non_zero(env, args):
    bckeys("db", "upgrade", env=env)
    result = bckeys(*args, env=env, check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_revoking_a_key_of_another_organization_fails(env):
    bckeys("db", "upgrade", env=env)
    first = bckeys("org", "create", "One", env=env).stdout.strip()
    result = bckeys("keys", "revoke", "12345", "--org", first, env=env, check=False)
    assert result.returncode != 0
    assert "no key 12345" in result.stderr


def test_bad_configuration_fails_cleanly(env):
    result = bckeys("db", "upgrade", env={**env, "APP_JWT_SECRET": "short"}, check=False)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "APP_JWT_SECRET" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["db", "upgrade"],
        ["org", "create"],
        ["user", "create"],
        ["user", "deactivate"],
        ["user", "remove"],
        ["token"],
        ["keys", "list"],
        ["keys", "revoke"],
    ],
)
def test_every_command_has_help(env, command):
    result = bckeys(*command, "--help", env=env)
    assert "Usage:" in result.stdout


def test_token_is_verified_by_the_server_settings(env):
    from app.domain.tokens import TokenVerifier
    from app.settings import load_settings

    bckeys("db", "upgrade", env=env)
    organization_id = bckeys("org", "create", "Acme", env=env).stdout.strip()
    bckeys("user", "create", "t@example.com", "--org", organization_id, env=env)
    token = bckeys("token", "t@example.com", env=env).stdout.strip()
    assert TokenVerifier(load_settings(env)).verify(token).subject == "t@example.com"
    assert not keys.is_well_formed(token)


def _create_user_with_upstream_id(env, upstream_id: str, check: bool = True):
    """``bckeys user create`` of id@example.com in a new organization."""
    bckeys("db", "upgrade", env=env)
    organization_id = bckeys("org", "create", "Ids", env=env).stdout.strip()
    return bckeys(
        "user",
        "create",
        "id@example.com",
        "--org",
        organization_id,
        "--upstream-id",
        upstream_id,
        env=env,
        check=check,
    )


@pytest.mark.parametrize("upstream_id", ["1", str(2**63 - 1)])
def test_user_create_records_an_upstream_id_at_its_bounds(env, upstream_id):
    _create_user_with_upstream_id(env, upstream_id)
    hardened = {**env, "APP_JWT_SUBJECT": "user_id"}
    token = bckeys("token", "id@example.com", env=hardened).stdout.strip()
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == upstream_id


@pytest.mark.parametrize("upstream_id", ["0", str(2**63), "-1", "x"])
def test_user_create_refuses_an_upstream_id_outside_64_bits(env, upstream_id):
    result = _create_user_with_upstream_id(env, upstream_id, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_an_upstream_id_belongs_to_one_user(env):
    bckeys("db", "upgrade", env=env)
    organization_id = bckeys("org", "create", "Ids", env=env).stdout.strip()
    bckeys(
        "user", "create", "a@example.com", "--org", organization_id, "--upstream-id", "5", env=env
    )
    result = bckeys(
        "user",
        "create",
        "b@example.com",
        "--org",
        organization_id,
        "--upstream-id",
        "5",
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "a@example.com" in result.stderr


def test_token_in_the_id_format_without_an_upstream_id_says_what_to_do(env):
    bckeys("db", "upgrade", env=env)
    organization_id = bckeys("org", "create", "Ids", env=env).stdout.strip()
    bckeys("user", "create", "a@example.com", "--org", organization_id, env=env)
    result = bckeys(
        "token", "a@example.com", env={**env, "APP_JWT_SUBJECT": "user_id"}, check=False
    )
    assert result.returncode != 0
    assert "--upstream-id" in result.stderr
