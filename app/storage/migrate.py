"""Schema migrations: Alembic, driven from code (the only way the schema is made)."""

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
# Alembic announces each context it makes at INFO, and /readyz makes one per
# call: two lines a probe. They say nothing an operator needs; the lines of
# the migrations themselves ("Running upgrade ...") stay.
_CONTEXT_ANNOUNCEMENTS = frozenset({"Context impl %s.", "Will assume %s DDL."})
logging.getLogger("alembic.runtime.migration").addFilter(
    lambda record: record.msg not in _CONTEXT_ANNOUNCEMENTS
)


def _config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Applies the migrations up to ``revision`` (the newest by default)."""
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    with engine.connect() as connection:
        return current_revision(connection) == head_revision()


def current_revision(connection) -> str | None:
    """The migration the database is at; None for a database without schema."""
    return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str:
    """The newest migration this version ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()
