"""The database a command works on, opened so that every failure says which
database it was and what to do, and no command but db upgrade and serve
creates one."""

import functools
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from app.domain.errors import Conflict, Invalid, NotFound, Unavailable
from app.settings import ConfigurationError, Settings, load_settings
from app.storage import migrate
from app.storage.database import Database
from app.storage.engine import create_database_engine
from app.storage.outages import outages_unavailable

# What the failure messages name: the database of the command running.
_where = {"database": "the database"}


def described(settings: Settings) -> str:
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        return f"the SQLite database {url.database} (data folder {settings.data_dir})"
    return f"the database {url.render_as_string(hide_password=True)}"


def fails_cleanly(command):
    """One clear line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigurationError as error:
            raise click.ClickException(f"configuration: {error}") from None
        except (NotFound, Conflict, Invalid) as error:
            raise click.ClickException(str(error) or "not found") from None
        except Unavailable:
            raise click.ClickException(
                f"{_where['database']} is unavailable: check DATABASE_URL, and that the "
                "database server runs and accepts connections"
            ) from None

    return wrapper


def open_database() -> tuple[Settings, Database]:
    """The settings and the database, which must exist with a current schema.

    No file (database, folder, JWT secret) is created: only db upgrade and
    serve create a database, so that a command run outside the server's
    folder says where it looked instead of leaving an empty one behind.
    """
    # No command but token and serve needs the JWT secret: none creates it.
    settings = load_settings(create_secret=False)
    _where["database"] = described(settings)
    database_file = make_url(settings.database_url).database if settings.is_sqlite else None
    if database_file and not Path(database_file).exists():
        raise NotFound(
            f"no database: {database_file} does not exist (data folder {settings.data_dir}): "
            "run bckeys db upgrade to create it, or set BCKEYS_DATA_DIR or DATABASE_URL "
            "to the server's"
        )
    database = Database(create_database_engine(settings, create_folder=False))
    with outages_unavailable():
        current = migrate.is_current(database.engine)
    if not current:
        raise _old_schema(settings)
    return settings, database


def upgrade_schema() -> None:
    settings = load_settings()
    _where["database"] = described(settings)
    with outages_unavailable():
        migrate.upgrade(create_database_engine(settings))


def refuse_an_old_schema(settings: Settings) -> None:
    """Raises NotFound when the database answers with a schema other than
    this version's: a server started on it would answer 500 to every call.

    An unreachable database is let be: the server answers 503 until it
    returns, as in any outage.
    """
    engine = create_database_engine(settings)
    try:
        with outages_unavailable():
            current = migrate.is_current(engine)
    except Unavailable:
        return
    finally:
        engine.dispose()
    if not current:
        raise _old_schema(settings)


def _old_schema(settings: Settings) -> NotFound:
    return NotFound(f"{described(settings)} has no schema, or an older one: run bckeys db upgrade")
