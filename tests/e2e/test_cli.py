"""The bckeys command line, as an operator uses it, against a served API."""

import re

import jwt
import pytest

from app.domain import keys
from tests.support.accounts import generate_key
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
        ["user", "set-upstream-id"],
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


def in_digits(zero: str):
    """A number written in the digits that start at ``zero``."""
    return lambda number: "".join(chr(ord(zero) + int(digit)) for digit in str(number))


# What int() reads as a number and the API's plain ASCII form does not.
NOT_PLAIN = {
    "leading-space": lambda number: f" {number}",
    "plus": lambda number: f"+{number}",
    "underscore": lambda number: f"0_{number}",
    "leading-zero": lambda number: f"0{number}",
    "arabic-indic": in_digits("\u0660"),
    "full-width": in_digits("\uff10"),
}


def one_line_refusal(result) -> str:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("form", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_keys_revoke_refuses_an_id_the_api_would_not_read_and_revokes_nothing(
    env, client, account, form
):
    key_id = generate_key(client, account)["id"]
    result = bckeys(
        "keys", "revoke", form(key_id), "--org", account.organization_id, env=env, check=False
    )
    assert "plain ASCII" in one_line_refusal(result)
    listed = bckeys("keys", "list", "--org", account.organization_id, env=env).stdout
    assert [line.split("\t")[0] for line in listed.splitlines()] == [str(key_id)]


@pytest.mark.parametrize(
    "args",
    [
        ["user", "create", "new@example.com", "--org", "{org}", "--upstream-id", "\u0665"],
        ["user", "create", "new@example.com", "--org", "{org}", "--upstream-id", "1_000"],
        ["user", "set-upstream-id", "{email}", "\u0661\u0662"],
        ["token", "{email}", "--ttl", " 600"],
        ["serve", "--port", "\u0661"],
        ["serve", "--workers", "+2"],
    ],
    ids=" ".join,
)
def test_every_numeric_argument_reads_only_the_plain_ascii_form(env, account, args):
    filled = [arg.format(org=account.organization_id, email=account.email) for arg in args]
    members = bckeys("user", "list", "--org", account.organization_id, env=env).stdout
    assert "plain ASCII" in one_line_refusal(bckeys(*filled, env=env, check=False))
    assert bckeys("user", "list", "--org", account.organization_id, env=env).stdout == members


def upstream_subject(env, email: str) -> str:
    """The ``sub`` of the token bckeys issues for ``email`` in user_id mode."""
    token = bckeys("token", email, env={**env, "APP_JWT_SUBJECT": "user_id"}).stdout.strip()
    return jwt.decode(token, options={"verify_signature": False})["sub"]


def create_user(env, account, upstream_id: str, check: bool = True):
    return bckeys(
        "user",
        "create",
        account.email,
        "--org",
        account.organization_id,
        "--upstream-id",
        upstream_id,
        env=env,
        check=check,
    )


def test_user_create_recording_a_first_upstream_id_is_audited(env, account):
    stderr = create_user(env, account, "5").stderr
    assert f"user.upstream_id_set actor=operator (cli) email={account.email} " in stderr
    assert "old_upstream_id=None new_upstream_id=5" in stderr
    assert upstream_subject(env, account.email) == "5"


def test_user_create_with_the_upstream_id_the_user_has_changes_nothing(env, account):
    create_user(env, account, "5")
    again = create_user(env, account, "5")
    assert again.stdout == f"{account.email}\n"
    assert "upstream_id_set" not in again.stderr


def test_user_create_never_replaces_an_upstream_id_and_says_how_to(env, account):
    create_user(env, account, "5")
    refusal = one_line_refusal(create_user(env, account, "12", check=False))
    assert f"bckeys user set-upstream-id {account.email} 12" in refusal
    assert upstream_subject(env, account.email) == "5"


def test_user_set_upstream_id_replaces_it_and_audits_the_old_and_new_ids(env, account):
    create_user(env, account, "5")
    changed = bckeys("user", "set-upstream-id", account.email, "12", env=env)
    assert changed.stdout == ""
    assert f"user.upstream_id_set actor=operator (cli) email={account.email} " in changed.stderr
    assert "old_upstream_id=5 new_upstream_id=12" in changed.stderr
    assert upstream_subject(env, account.email) == "12"


def test_user_set_upstream_id_refuses_another_user_s_id(env, account):
    create_user(env, account, "5")
    bckeys("user", "create", "other@example.com", "--org", account.organization_id, env=env)
    refusal = bckeys("user", "set-upstream-id", "other@example.com", "5", env=env, check=False)
    assert account.email in one_line_refusal(refusal)
    assert upstream_subject(env, account.email) == "5"


def test_user_set_upstream_id_of_an_unknown_user_is_one_line(env):
    refusal = bckeys("user", "set-upstream-id", "nobody@example.com", "5", env=env, check=False)
    assert "no user nobody@example.com" in one_line_refusal(refusal)
