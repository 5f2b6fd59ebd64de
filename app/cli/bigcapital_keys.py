"""bckeys keys import-bigcapital: Bigcapital's own API keys, taken in hashed."""

import click

from app.cli.accounts import OPERATOR
from app.cli.database import fails_cleanly, open_database
from app.cli.keys import keys

WIPE_PLAINTEXT = "UPDATE API_KEYS SET `KEY` = SHA2(`KEY`, 256) WHERE `KEY` LIKE 'bc\\_%';"


@keys.command("import-bigcapital")
@fails_cleanly
def keys_import_bigcapital():
    """Take Bigcapital's API keys into bckeys' database, hashed, with their
    names, owners, organizations, expiry and revocation; prints how many were
    taken. Running it again takes nothing twice."""
    from app.domain.bigcapital_import import bigcapital_keys, import_keys
    from app.domain.errors import Unavailable
    from app.storage.bigcapital import BigcapitalDatabase, create_bigcapital_engine

    settings, database = open_database()
    if settings.bigcapital_database_url is None:
        raise click.ClickException(
            "set BIGCAPITAL_DATABASE_URL to Bigcapital's system database to import its keys"
        )
    bigcapital = BigcapitalDatabase(create_bigcapital_engine(settings.bigcapital_database_url))
    try:
        found = bigcapital_keys(bigcapital)
    except Unavailable:
        raise click.ClickException(
            "Bigcapital's database is unavailable: check BIGCAPITAL_DATABASE_URL, and that "
            "the database server runs and accepts connections"
        ) from None
    finally:
        bigcapital.engine.dispose()
    outcome = import_keys(database, found, OPERATOR)
    click.echo(outcome.imported)
    click.echo(
        f"bckeys: imported {outcome.imported} of Bigcapital's {len(found)} keys "
        f"({outcome.already_here} already here, {outcome.left_out} not a key or of no "
        "organization). Bigcapital still holds them in plaintext: wipe them there, as an "
        f"account that may write: {WIPE_PLAINTEXT}",
        err=True,
    )
