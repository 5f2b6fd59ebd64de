"""Bigcapital's system database, read-only: its users, tenants and API keys.

Bigcapital's knex maps names to upper case (``knexSnakeCaseMappers({
upperCase: true })``), and MariaDB compares table names case-sensitively
on Linux, so every name is quoted as Bigcapital's migrations leave it; the
Python keys stay lower case. The engine answers within 5 s or fails, and
each statement commits as it runs, so every read sees what Bigcapital
last committed.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Integer, MetaData, String, Table
from sqlalchemy import create_engine as create_sqlalchemy_engine
from sqlalchemy.engine import Connection, Engine

from app.storage.outages import outages_unavailable

CONNECT_TIMEOUT_S = 2
# Each read or write on the socket: a ping, then a reconnect, stays under 5 s.
SOCKET_TIMEOUT_S = 2
POOL_TIMEOUT_S = 2

_metadata = MetaData()


def _column(name: str, *args, **kwargs) -> Column:
    return Column(name, *args, key=name.lower(), quote=True, **kwargs)


TENANTS = Table(
    "TENANTS",
    _metadata,
    _column("ID", BigInteger, primary_key=True),
    _column("ORGANIZATION_ID", String(255)),
    quote=True,
)

USERS = Table(
    "USERS",
    _metadata,
    _column("ID", Integer, primary_key=True),
    _column("EMAIL", String(255)),
    _column("ACTIVE", Boolean),
    _column("VERIFIED", Boolean),
    _column("DELETED_AT", DateTime),
    _column("TENANT_ID", BigInteger),
    quote=True,
)

API_KEYS = Table(
    "API_KEYS",
    _metadata,
    _column("ID", Integer, primary_key=True),
    _column("KEY", String(255)),
    _column("NAME", String(255)),
    _column("USER_ID", Integer),
    _column("TENANT_ID", BigInteger),
    _column("EXPIRES_AT", DateTime),
    _column("REVOKED_AT", DateTime),
    _column("CREATED_AT", DateTime),
    quote=True,
)


def create_bigcapital_engine(url: str) -> Engine:
    """The engine for a ``mysql+pymysql://`` URL (app.settings)."""
    return create_sqlalchemy_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
        # Bound values (emails, keys on import) never reach an error message.
        hide_parameters=True,
        isolation_level="AUTOCOMMIT",
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "read_timeout": SOCKET_TIMEOUT_S,
            "write_timeout": SOCKET_TIMEOUT_S,
            "charset": "utf8mb4",
        },
    )


class BigcapitalDatabase:
    """Bigcapital's system database, as bckeys reads it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for reads. Raises Unavailable when the database
        cannot be reached or does not answer in time."""
        with outages_unavailable(), self.engine.connect() as connection:
            yield connection
