"""What an operator tripped over in the CLI: a slow start, a busy port in
eight lines, changes without an audit line, a removal that removed nobody,
hidden upstream ids, and times written in two forms."""

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from app.domain.tokens import issue_token
from app.settings import load_settings
from tests.e2e.test_cli_operators import one_line_failure
from tests.e2e.test_readme import wait_ready
from tests.support.accounts import Account, generate_key
from tests.support.postgres import free_port
from tests.support.server import BIN, bckeys

API_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def test_version_imports_neither_sqlalchemy_nor_alembic():
    probe = (
        "import sys\n"
        "from app.cli import main\n"
        "main(['--version'])\n"
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'sqlalchemy', 'alembic'}))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines()[-1] == "[]"


def test_version_answers_within_a_second_and_a_half():
    started = time.perf_counter()
    subprocess.run([str(BIN / "bckeys"), "--version"], capture_output=True, check=True)
    assert time.perf_counter() - started < 1.5


def test_serve_on_a_busy_port_is_one_line_saying_so(env):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        served = bckeys("serve", "--port", str(port), env=env, check=False, timeout=30)
    line = one_line_failure(served, str(port), "in use", "--port")
    assert line.startswith("bckeys: ")


def test_a_first_serve_on_a_busy_port_is_one_line_and_creates_nothing(tmp_path):
    # No APP_JWT_SECRET and a new data folder: the generated secret's warning
    # would be a second line, and the folder and secret would stay behind.
    data = tmp_path / "data"
    env = {"BCKEYS_DATA_DIR": str(data)}
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        served = bckeys("serve", "--port", str(port), env=env, check=False, timeout=30)
    one_line_failure(served, str(port), "in use")
    assert not data.exists()


def test_serve_on_a_host_that_names_no_address_says_so_not_in_use(env):
    served = bckeys("serve", "--host", "nosuch.invalid", env=env, check=False, timeout=30)
    line = one_line_failure(served, "nosuch.invalid", "no such address", "--host")
    assert "in use" not in line


def test_serve_listens_on_an_ipv6_address(env):
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    port = free_port()
    served = subprocess.Popen(
        [str(BIN / "bckeys"), "serve", "--host", "::1", "--port", str(port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(served, f"http://[::1]:{port}")
    finally:
        os.killpg(served.pid, signal.SIGTERM)
        served.wait(40)


@pytest.fixture
def organization(env) -> str:
    return bckeys("org", "create", "Acme", env=env).stdout.strip()


def audit_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "bckeys.audit" in line]


def test_org_create_leaves_an_audit_line(env):
    created = bckeys("org", "create", "Acme", env=env)
    (line,) = audit_lines(created)
    assert "organization.created" in line and created.stdout.strip() in line


def test_user_create_leaves_an_audit_line_when_it_adds_a_member(env, organization):
    added = bckeys("user", "create", "a@example.com", "--org", organization, env=env)
    (line,) = audit_lines(added)
    assert "user.added" in line and "a@example.com" in line and organization in line
    again = bckeys("user", "create", "a@example.com", "--org", organization, env=env)
    assert audit_lines(again) == []


@pytest.mark.parametrize(
    ("command", "event"), [("deactivate", "user.deactivated"), ("activate", "user.activated")]
)
def test_user_activation_leaves_an_audit_line(env, organization, command, event):
    bckeys("user", "create", "a@example.com", "--org", organization, env=env)
    (line,) = audit_lines(bckeys("user", command, "a@example.com", env=env))
    assert event in line and "a@example.com" in line


@pytest.mark.parametrize("command", ["deactivate", "activate", "remove"])
def test_audit_lines_name_a_user_by_the_email_recorded_not_as_typed(env, organization, command):
    # One spelling for one user, so that the audit lines of a user can be found.
    bckeys("user", "create", "Ada@Example.com", "--org", organization, env=env)
    options = ["--org", organization] if command == "remove" else []
    (line,) = audit_lines(bckeys("user", command, "ADA@EXAMPLE.COM", *options, env=env))
    assert "email=Ada@Example.com" in line


def test_user_remove_leaves_an_audit_line_and_one_per_key_revoked(env, organization, client):
    bckeys("user", "create", "a@example.com", "--org", organization, env=env)
    account = Account(
        organization, "a@example.com", issue_token(load_settings(env), "a@example.com", 600)
    )
    key_id = generate_key(client, account)["id"]
    removed = bckeys("user", "remove", "a@example.com", "--org", organization, env=env)
    assert removed.stdout == ""
    first, second = audit_lines(removed)
    assert "user.removed" in first and "a@example.com" in first
    assert "key.revoked" in second and f"key_id={key_id}" in second


def test_user_remove_of_someone_who_is_not_a_member_fails_in_one_line(env, organization):
    other = bckeys("org", "create", "Other", env=env).stdout.strip()
    bckeys("user", "create", "a@example.com", "--org", other, env=env)
    removed = bckeys("user", "remove", "a@example.com", "--org", organization, env=env, check=False)
    one_line_failure(removed, "a@example.com", "not a member", organization)
    assert bckeys("user", "list", "--org", other, env=env).stdout.startswith("a@example.com\t")


def test_user_list_shows_upstream_ids(env, organization):
    bckeys("user", "create", "a@example.com", "--org", organization, "--upstream-id", "42", env=env)
    bckeys("user", "create", "b@example.com", "--org", organization, env=env)
    assert bckeys("user", "list", "--org", organization, env=env).stdout == (
        "a@example.com\tactive\t42\nb@example.com\tactive\t-\n"
    )


def test_cli_writes_times_as_the_api_does(env, client, account):
    generate_key(client, account)
    listed = client.get("/api/api-keys", headers=account.headers()).json()
    created_at = listed[0]["createdAt"]
    assert API_TIME.fullmatch(created_at)
    cli_line = bckeys("keys", "list", "--org", account.organization_id, env=env).stdout
    assert cli_line.split("\t")[2] == created_at
    organizations = bckeys("org", "list", env=env).stdout
    assert API_TIME.fullmatch(organizations.splitlines()[0].split("\t")[2])
