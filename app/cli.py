"""bckeys: the operators' command line. Each command prints only its result."""

import functools
import logging
import sys

import click

from app.domain import accounts, audit
from app.domain.errors import Conflict, NotFound, Unavailable
from app.domain.keys import MAX_KEY_ID
from app.domain.tokens import issue_token
from app.logs import CONSOLE_FORMAT
from app.services import build_services
from app.settings import ConfigurationError, load_settings
from app.storage import migrate
from app.storage.database import Database
from app.storage.engine import create_database_engine

DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600
MAX_UPSTREAM_ID = 2**63 - 1  # the column is a 64-bit integer


def _fails_cleanly(command):
    """One clear line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigurationError as error:
            raise click.ClickException(f"configuration: {error}") from None
        except (NotFound, Conflict) as error:
            raise click.ClickException(str(error) or "not found") from None
        except Unavailable:
            raise click.ClickException("the database is unavailable") from None

    return wrapper


def _database() -> Database:
    return Database(create_database_engine(load_settings()))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Operate the Bigcapital API-key server."""
    # Audit lines (keys revoked by an operator) go to stderr, like the server's.
    logging.basicConfig(level=logging.WARNING, format=CONSOLE_FORMAT, stream=sys.stderr)
    audit.audit_log.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    """The ``bckeys`` command: every failure is one line on stderr."""
    try:
        cli.main(args=argv, prog_name="bckeys", standalone_mode=False)
    except click.ClickException as error:
        click.echo(f"bckeys: {error.format_message()}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo("bckeys: aborted", err=True)
        return 1
    return 0


@cli.command()
@click.option("--host", help="Address to listen on (default: HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (default: PORT or 8000).")
@click.option(
    "--workers", type=click.IntRange(min=1), help="Worker processes (default: WORKERS or cores)."
)
@_fails_cleanly
def serve(host, port, workers):
    """Serve the API (never creates accounts by itself)."""
    from app.server import serve as run_server

    settings = load_settings()
    run_server(
        settings,
        host or settings.host,
        port or settings.port,
        workers or settings.workers,
    )


@cli.group()
def db():
    """The database schema."""


@db.command()
@_fails_cleanly
def upgrade():
    """Apply the migrations."""
    migrate.upgrade(_database().engine)


@cli.group()
def org():
    """Organizations."""


@org.command("create")
@click.argument("name")
@_fails_cleanly
def org_create(name):
    """Create an organization; prints its id."""
    click.echo(accounts.create_organization(_database(), name))


@cli.group()
def user():
    """Users."""


@user.command("create")
@click.argument("email")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@click.option(
    "--upstream-id",
    type=click.IntRange(min=1, max=MAX_UPSTREAM_ID),
    help="Bigcapital's id for the user (the sub of its id-subject tokens).",
)
@_fails_cleanly
def user_create(email, organization_id, upstream_id):
    """Create the user if new and add it to the organization; prints the email."""
    click.echo(accounts.add_user(_database(), email, organization_id, upstream_id))


@user.command("deactivate")
@click.argument("email")
@_fails_cleanly
def user_deactivate(email):
    """Deactivate the user: its tokens and keys stop working."""
    accounts.deactivate_user(_database(), email)


@user.command("remove")
@click.argument("email")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@_fails_cleanly
def user_remove(email, organization_id):
    """Take the user out of the organization and revoke their keys there."""
    for key_id in accounts.remove_user(_database(), email, organization_id):
        audit.key_revoked("operator (cli)", organization_id, key_id)


@cli.command()
@click.argument("email")
@click.option(
    "--ttl",
    type=click.IntRange(min=1),
    default=DEFAULT_TOKEN_TTL_SECONDS,
    show_default=True,
    help="Lifetime in seconds.",
)
@_fails_cleanly
def token(email, ttl):
    """Issue a JWT for an active user; prints the token."""
    settings = load_settings()
    database = Database(create_database_engine(settings))
    subject = accounts.token_subject(database, settings.jwt_subject, email)
    click.echo(issue_token(settings, subject, ttl))


@cli.group()
def keys():
    """API keys."""


@keys.command("list")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@_fails_cleanly
def keys_list(organization_id):
    """List the organization's keys that are not revoked, one a line:
    id, masked token, created, expires, last used, name."""
    api_keys = build_services(load_settings()).api_keys
    for key in api_keys.list(_organization(api_keys, organization_id)):
        click.echo(
            "\t".join(
                [
                    str(key.id),
                    key.token,
                    key.created_at.isoformat(),
                    key.expires_at.isoformat() if key.expires_at else "-",
                    key.last_used_at.isoformat() if key.last_used_at else "-",
                    # Names may hold tabs, newlines or NUL: shown escaped.
                    (key.name or "").encode("unicode_escape").decode("ascii"),
                ]
            )
        )


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=click.IntRange(min=1, max=MAX_KEY_ID))
@click.option("--org", "organization_id", required=True, help="Organization id.")
@_fails_cleanly
def keys_revoke(key_id, organization_id):
    """Revoke a key of the organization."""
    api_keys = build_services(load_settings()).api_keys
    try:
        api_keys.revoke(_organization(api_keys, organization_id), key_id)
    except NotFound:
        raise NotFound(f"no key {key_id} in organization {organization_id}") from None
    audit.key_revoked("operator (cli)", organization_id, key_id)


def _organization(api_keys, public_id: str) -> int:
    try:
        return api_keys.organization_id(public_id)
    except NotFound:
        raise NotFound(f"no organization {public_id}") from None


if __name__ == "__main__":
    sys.exit(main())
