"""The database: engine per settings, sessions, and outage translation.

SQLite gets WAL, foreign keys and a busy timeout on every connection, and
its writers take turns (app.storage.sqlite_writers);
PostgreSQL gets connect, statement and TCP timeouts so that a stuck database
becomes a 503 within 5 s instead of a hung request (the calls run on the
event loop: see app.web.connexion_adaptations.flask_bridge).
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app.storage.engine import SQLITE_BUSY_TIMEOUT_MS
from app.storage.outages import outages_unavailable
from app.storage.sqlite_writers import SQLiteWriters

# PostgreSQL's default level, for the blocks that leave autocommit.
POSTGRES_TRANSACTION_ISOLATION = "READ COMMITTED"


class Database:
    """An engine and the transactions run on it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # The request paths run one statement per block, or a read and then a
        # write that is right on its own, so on PostgreSQL each statement
        # commits as it runs: no BEGIN and COMMIT round trips. (On SQLite,
        # switching a connection to autocommit costs more than it saves.)
        self._statements = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        # Within a request scope: a list holding the request's connection
        # once one is checked out.
        self._request_connection: ContextVar[list[Connection] | None] = ContextVar(
            "bckeys_request_connection", default=None
        )
        database_file = engine.url.database if engine.dialect.name == "sqlite" else None
        self._sqlite_writers = (
            SQLiteWriters(Path(database_file), SQLITE_BUSY_TIMEOUT_MS / 1000)
            if database_file and database_file != ":memory:"
            else None
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """An ORM session in a transaction, committed when the block ends.

        Raises Unavailable when the database cannot be reached, is locked for
        too long, or a statement times out.
        """
        with outages_unavailable(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def connection(self, *, writes: bool = False, atomic: bool = False) -> Iterator[Connection]:
        """A Core connection whose block commits when it ends (on PostgreSQL,
        each statement as it runs): the request paths' lighter way. Within a
        request scope, every block runs on the request's one connection. A
        block that ``writes`` on SQLite first waits for its turn among
        writers (app.storage.sqlite_writers). An ``atomic`` block is one
        transaction on either engine: on PostgreSQL the request's connection
        leaves autocommit for the block.

        Raises Unavailable as ``transaction`` does.
        """
        writes = writes or atomic
        turn = self._sqlite_writers.turn() if writes and self._sqlite_writers else nullcontext()
        autocommits = self._statements is not self.engine
        with turn, outages_unavailable():
            held = self._request_connection.get()
            if held is None:
                with (self.engine if atomic else self._statements).begin() as connection:
                    yield connection
                return
            if not held:
                held.append(self._statements.connect())
            connection = held[0]
            if atomic and autocommits:
                # One transaction on the request's connection; the pool
                # resets its isolation level when it is returned.
                connection.execution_options(isolation_level=POSTGRES_TRANSACTION_ISOLATION)
            try:
                with connection.begin():
                    yield connection
            finally:
                if atomic and autocommits and not connection.invalidated:
                    connection.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def request_scope(self) -> Iterator[None]:
        """Lets a request's database calls share one pooled connection: the
        security step's and the handler's."""
        token = self._request_connection.set([])
        try:
            yield
        finally:
            self.release_request_connection()
            self._request_connection.reset(token)

    def release_request_connection(self) -> None:
        """Returns the request's connection to the pool, as soon as the
        handler is done: not held while a slow client reads the response."""
        held = self._request_connection.get()
        if held:
            held.pop().close()
