"""API keys: bckeys keys list, bckeys keys revoke."""

import sys

import click

from app.cli import cli, shown
from app.cli.accounts import OPERATOR
from app.cli.database import fails_cleanly, open_database
from app.cli.numbers import WholeNumber
from app.domain import audit
from app.domain.keys import MAX_KEY_ID
from app.domain.times import iso_8601

HEADER = ("id", "key", "created", "expires", "last used", "name")


@cli.group()
def keys():
    """API keys."""


@keys.command("list")
@click.option("--org", "organization_id", required=True, help="Organization id.")
@fails_cleanly
def keys_list(organization_id):
    """List the organization's keys that are not revoked, one a line:
    id, masked key, created, expires, last used, name (a header row on a
    terminal)."""
    from app.domain.api_keys import ApiKeyService

    _, database = open_database()
    api_keys = ApiKeyService(database, None)
    listed = api_keys.list(_organization(api_keys, organization_id))
    if sys.stdout.isatty():
        click.echo("\t".join(HEADER))
    for key in listed:
        click.echo(
            "\t".join(
                [
                    str(key.id),
                    key.token,
                    iso_8601(key.created_at),
                    iso_8601(key.expires_at) if key.expires_at else "-",
                    iso_8601(key.last_used_at) if key.last_used_at else "-",
                    shown(key.name or ""),
                ]
            )
        )


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=WholeNumber(1, MAX_KEY_ID))
@click.option("--org", "organization_id", required=True, help="Organization id.")
@fails_cleanly
def keys_revoke(key_id, organization_id):
    """Revoke a key of the organization."""
    from app.domain.api_keys import ApiKeyService
    from app.domain.errors import NotFound

    _, database = open_database()
    api_keys = ApiKeyService(database, None)
    try:
        revoked = api_keys.revoke(_organization(api_keys, organization_id), key_id)
    except NotFound:
        raise NotFound(f"no key {key_id} in organization {organization_id}") from None
    if revoked:
        audit.key_revoked(OPERATOR, organization_id, key_id)


def _organization(api_keys, public_id: str) -> int:
    from app.domain.errors import NotFound

    try:
        return api_keys.organization_id(public_id)
    except NotFound:
        raise NotFound(f"no organization {public_id}") from None
