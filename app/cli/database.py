"""The database a command works on, opened so that every failure says which
database it was and what to do, and no command but db upgrade and serve
creates one.

SQLAlchemy and Alembic are imported by the functions that use them, never
at the top: a command that needs no database (``--version``, ``--help``)
starts in a tenth of the time.
"""

import functools
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import click

from app.environment import ConfigurationError
from app.settings import Settings, load_settings

# What the failure messages name: the database of the command running.
_where = {"database": "the database"}


def described(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

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
        except Exception as error:
            one_line = _one_line(error)
            if one_line is None:
                raise
            raise one_line from None

    return wrapper


def _one_line(error: Exception) -> click.ClickException | None:
    # Imported here: the error vocabulary brings SQLAlchemy with it.
    from app.domain.errors import Conflict, Invalid, NotFound, Unavailable

    if isinstance(error, (NotFound, Conflict, Invalid)):
        return click.ClickException(str(error) or "not found")
    if isinstance(error, Unavailable):
        return click.ClickException(
            f"{_where['database']} is unavailable: check DATABASE_URL, and that the "
            "database server runs and accepts connections"
        )
    return None


def open_database():
    """The settings and the database (app.storage.database.Database), which
    must exist with a current schema.

    No file (database, folder, JWT secret) is created: only db upgrade and
    serve create a database, so that a command run outside the server's
    folder says where it looked instead of leaving an empty one behind.
    """
    from sqlalchemy.engine import make_url

    from app.domain.errors import NotFound
    from app.storage.database import Database
    from app.storage.engine import create_database_engine

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
    if not schema_is_current(database.engine):
        raise _old_schema(settings)
    return settings, database


def schema_is_current(engine) -> bool:
    """Raises Unavailable when the database does not answer."""
    from app.storage import migrate
    from app.storage.outages import outages_unavailable

    with outages_unavailable():
        return migrate.is_current(engine)


def schema_state(settings: Settings) -> tuple[bool, str]:
    """Whether the database's schema is this version's, and a line saying so.
    Creates nothing. Raises Unavailable, naming the database, when it cannot
    be reached."""
    from sqlalchemy.engine import make_url

    from app.domain.errors import Unavailable
    from app.storage import migrate
    from app.storage.engine import create_database_engine
    from app.storage.outages import outages_unavailable

    where = described(settings)
    head = migrate.head_revision()
    database_file = make_url(settings.database_url).database if settings.is_sqlite else None
    if database_file and not Path(database_file).exists():
        return False, f"{where} does not exist: run bckeys db upgrade"
    engine = create_database_engine(settings, create_folder=False)
    try:
        with outages_unavailable(), engine.connect() as connection:
            revision = migrate.current_revision(connection)
    except Unavailable:
        raise Unavailable(
            f"{where} is unavailable: check DATABASE_URL, and that the database server "
            "runs and accepts connections"
        ) from None
    finally:
        engine.dispose()
    if revision == head:
        return True, f"{where} is at this version's schema ({head})"
    if revision is None:
        return False, f"{where} has no schema: run bckeys db upgrade"
    return (
        False,
        f"{where} is at schema {revision}, this version's is {head}: run bckeys db upgrade",
    )


def backup_sqlite(settings: Settings, path: str) -> None:
    """A consistent copy of the SQLite database at ``path``, made while
    servers write to it (SQLite's online backup, in one step: one read
    transaction sees one state of the database). ``path`` must not exist;
    the copy is its owner's alone (0600), like the database.

    Raises Invalid for PostgreSQL and for an existing ``path``, NotFound for
    no database.
    """
    from sqlalchemy.engine import make_url

    from app.domain.errors import Invalid, NotFound

    if not settings.is_sqlite:
        raise Invalid(
            f"{described(settings)} is PostgreSQL: back it up with pg_dump "
            "(pg_dump --format=custom --file=FILE DATABASE)"
        )
    database_file = make_url(settings.database_url).database
    if not Path(database_file).exists():
        raise NotFound(
            f"no database: {database_file} does not exist (data folder {settings.data_dir})"
        )
    try:
        # O_EXCL: an existing file is never overwritten, even one made meanwhile.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise Invalid(f"{path} exists: back up to a new file") from None
    except OSError as error:
        raise Invalid(f"cannot write {path}: {error.strerror}") from None
    try:
        with (
            closing(sqlite3.connect(database_file, timeout=5)) as source,
            closing(sqlite3.connect(path)) as copy,
        ):
            source.backup(copy)
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def upgrade_schema() -> None:
    from app.storage import migrate
    from app.storage.engine import create_database_engine
    from app.storage.outages import outages_unavailable

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
    from app.domain.errors import Unavailable
    from app.storage.engine import create_database_engine

    engine = create_database_engine(settings)
    try:
        current = schema_is_current(engine)
    except Unavailable:
        return
    finally:
        engine.dispose()
    if not current:
        raise _old_schema(settings)


def _old_schema(settings: Settings) -> Exception:
    from app.domain.errors import NotFound

    return NotFound(f"{described(settings)} has no schema, or an older one: run bckeys db upgrade")
