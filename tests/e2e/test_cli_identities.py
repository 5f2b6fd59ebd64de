"""Users as the CLI creates them, through the served verify: every email it
takes works, and it says when a user's keys cannot be exchanged."""

from urllib.parse import unquote

import pytest

from tests.support.server import bckeys

EMAIL = "用户@例子.example"


def _organization(env) -> str:
    bckeys("db", "upgrade", env=env)
    return bckeys("org", "create", "Identities", env=env).stdout.strip()


def test_a_cli_created_user_with_a_non_latin_1_email_is_verified_by_the_server(env, start_server):
    organization_id = _organization(env)
    assert bckeys("user", "create", EMAIL, "--org", organization_id, env=env).stdout == f"{EMAIL}\n"
    token = bckeys("token", EMAIL, env=env).stdout.strip()
    server = start_server()
    with server.client() as client:
        created = client.post(
            "/api/api-keys/generate",
            json={},
            headers={"Authorization": f"Bearer {token}", "organization-id": organization_id},
        )
        key = created.json()["key"]
        verified = client.get("/api/api-keys/verify", headers={"Authorization": f"Bearer {key}"})
    assert verified.status_code == 200
    assert verified.json()["userEmail"] == EMAIL
    assert unquote(verified.headers["x-auth-user-email"]) == EMAIL


@pytest.mark.parametrize(
    "email", ["evil\x1b[2J@example.com", "a\x7f@example.com", "a\u202e@b.example"]
)
def test_user_create_refuses_an_email_with_control_characters_in_one_line(env, email):
    result = bckeys("user", "create", email, "--org", _organization(env), env=env, check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "\x1b" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_user_create_warns_in_one_line_of_a_user_without_upstream_id_where_sub_is_the_id(env):
    hardened = {**env, "APP_JWT_SUBJECT": "user_id"}
    organization_id = _organization(env)
    created = bckeys("user", "create", "a@example.com", "--org", organization_id, env=hardened)
    assert created.stdout == "a@example.com\n"
    (warning,) = [line for line in created.stderr.splitlines() if "warning" in line]
    assert "warning" in warning and "a@example.com" in warning and "--upstream-id" in warning
    recorded = ("user", "create", "b@example.com", "--org", organization_id, "--upstream-id", "5")
    # Recording the id is audited on stderr, with no warning.
    assert "warning" not in bckeys(*recorded, env=hardened).stderr
    unwarned = bckeys("user", "create", "c@example.com", "--org", organization_id, env=env)
    assert "warning" not in unwarned.stderr
