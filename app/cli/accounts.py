"""Organizations and users: bckeys org ..., bckeys user ..., bckeys token."""

import click

from app.cli import cli, shown
from app.cli.database import fails_cleanly, open_database
from app.cli.numbers import WholeNumber
from app.domain import audit
from app.domain.times import iso_8601
from app.settings import load_settings

DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600
MAX_UPSTREAM_ID = 2**63 - 1  # the column is a 64-bit integer
OPERATOR = "operator (cli)"
ACCOUNTS_FROM_BIGCAPITAL = (
    "accounts come from Bigcapital's database (BIGCAPITAL_DATABASE_URL): "
    "manage users and organizations in Bigcapital"
)


@fails_cleanly
def _accounts_are_bckeys_own() -> None:
    """These commands manage bckeys' own accounts: refused, in one line, when
    accounts come from Bigcapital."""
    if load_settings(create_secret=False).bigcapital_database_url is not None:
        raise click.ClickException(ACCOUNTS_FROM_BIGCAPITAL)


@cli.group()
def org():
    """Organizations."""
    _accounts_are_bckeys_own()


@org.command("create")
@click.argument("name")
@fails_cleanly
def org_create(name):
    """Create an organization; prints its id."""
    from app.domain import accounts

    _, database = open_database()
    taken = accounts.organization_ids_named(database, name)
    organization_id = accounts.create_organization(database, name)
    audit.organization_created(OPERATOR, organization_id, name)
    if taken:
        click.echo(
            f"bckeys: warning: {len(taken)} other organization(s) are named {name!r}: "
            f"{', '.join(taken)}",
            err=True,
        )
    click.echo(organization_id)


@org.command("list")
@fails_cleanly
def org_list():
    """List organizations, one a line: id, name, created."""
    from app.domain import accounts

    _, database = open_database()
    for public_id, name, created_at in accounts.organizations(database):
        click.echo(f"{public_id}\t{shown(name)}\t{iso_8601(created_at)}")


@cli.group()
def user():
    """Users."""
    _accounts_are_bckeys_own()


@user.command("create")
@click.argument("email")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@click.option(
    "--upstream-id",
    type=WholeNumber(1, MAX_UPSTREAM_ID),
    help="Bigcapital's id for the user (the sub of its id-subject tokens), if it has none.",
)
@fails_cleanly
def user_create(email, organization_id, upstream_id):
    """Create the user if new and add it to the organization; prints the email."""
    from app.domain import accounts

    settings, database = open_database()
    added = accounts.add_user(database, email, organization_id, upstream_id)
    if added.joined:
        audit.member_added(OPERATOR, added.email, organization_id)
    if added.recorded_upstream_id is not None:
        audit.upstream_id_set(OPERATOR, added.email, None, added.recorded_upstream_id)
    if settings.jwt_subject == "user_id" and accounts.upstream_id_of(database, added.email) is None:
        click.echo(
            f"bckeys: warning: {added.email} has no upstream id and APP_JWT_SUBJECT=user_id: "
            "verify refuses their keys until one is recorded with --upstream-id N",
            err=True,
        )
    click.echo(added.email)


@user.command("set-upstream-id")
@click.argument("email")
@click.argument("upstream_id", metavar="N", type=WholeNumber(1, MAX_UPSTREAM_ID))
@fails_cleanly
def user_set_upstream_id(email, upstream_id):
    """Record Bigcapital's id for the user, replacing the one it has."""
    from app.domain import accounts

    _, database = open_database()
    recorded_email, previous = accounts.set_upstream_id(database, email, upstream_id)
    if previous != upstream_id:
        audit.upstream_id_set(OPERATOR, recorded_email, previous, upstream_id)


@user.command("list")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@fails_cleanly
def user_list(organization_id):
    """List the organization's members, one a line: email, active or
    inactive, upstream id (- for none)."""
    from app.domain import accounts

    _, database = open_database()
    for email, active, upstream_id in accounts.members(database, organization_id):
        state = "active" if active else "inactive"
        click.echo(f"{email}\t{state}\t{'-' if upstream_id is None else upstream_id}")


@user.command("deactivate")
@click.argument("email")
@fails_cleanly
def user_deactivate(email):
    """Deactivate the user: its tokens and keys stop working."""
    _set_active(email, False)


@user.command("activate")
@click.argument("email")
@fails_cleanly
def user_activate(email):
    """Activate a deactivated user again."""
    _set_active(email, True)


def _set_active(email: str, active: bool) -> None:
    from app.domain import accounts

    _, database = open_database()
    recorded_email = accounts.set_user_active(database, email, active)
    audit.user_activation_set(OPERATOR, recorded_email, active)


@user.command("remove")
@click.argument("email")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@fails_cleanly
def user_remove(email, organization_id):
    """Take the user out of the organization and revoke their keys there."""
    from app.domain import accounts

    _, database = open_database()
    recorded_email, revoked = accounts.remove_user(database, email, organization_id)
    audit.member_removed(OPERATOR, recorded_email, organization_id)
    for key_id in revoked:
        audit.key_revoked(OPERATOR, organization_id, key_id)


@cli.command()
@click.argument("email")
@click.option(
    "--ttl",
    type=WholeNumber(1, 10 * 365 * 24 * 3600),
    default=DEFAULT_TOKEN_TTL_SECONDS,
    show_default=True,
    help="Lifetime in seconds.",
)
@fails_cleanly
def token(email, ttl):
    """Issue a JWT for an active user; prints the token."""
    from app.domain import accounts
    from app.domain.tokens import issue_token

    _accounts_are_bckeys_own()
    _, database = open_database()
    settings = load_settings()
    subject = accounts.token_subject(database, settings.jwt_subject, email)
    click.echo(issue_token(settings, subject, ttl))
