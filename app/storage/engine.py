"""The engine per settings.

SQLite gets WAL, foreign keys and a busy timeout on every connection;
PostgreSQL gets connect, statement and TCP timeouts so that a stuck database
becomes a 503 within 5 s instead of a hung request (the calls run on the
event loop: see app.web.connexion_adaptations.flask_bridge).

Every engine hides bound parameters from its errors and logs: they hold
emails and key hashes, and an error's message reaches the logs.
"""

import contextlib
import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from app.settings import DATA_DIR_MODE, Settings

SQLITE_BUSY_TIMEOUT_MS = 4000
POSTGRES_CONNECT_TIMEOUT_S = 2
POSTGRES_STATEMENT_TIMEOUT_MS = 3000
# Sent data left unacknowledged this long (a network blackhole) fails the call.
POSTGRES_TCP_USER_TIMEOUT_MS = 4000
POOL_TIMEOUT_S = 3
DATABASE_FILE_MODE = 0o600


def create_database_engine(settings: Settings, *, create_folder: bool = True) -> Engine:
    """The engine for the configured database; ``create_folder`` makes the
    SQLite file's folder (commands that only read make none)."""
    if settings.is_sqlite:
        if create_folder:
            _create_database_file(Path(make_url(settings.database_url).database))
        engine = create_engine(
            settings.database_url,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=8,
            pool_timeout=POOL_TIMEOUT_S,
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(
        settings.database_url,
        hide_parameters=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S,
            "tcp_user_timeout": POSTGRES_TCP_USER_TIMEOUT_MS,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "options": f"-c statement_timeout={POSTGRES_STATEMENT_TIMEOUT_MS}",
        },
    )


def _create_database_file(path: Path) -> None:
    """The SQLite file, made its owner's alone before SQLite creates it
    world-readable; SQLite gives its -wal and -shm files the same mode. A
    folder or file that exists already keeps the mode its operator chose."""
    path.parent.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DATABASE_FILE_MODE))


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a key whose 201 reached the client survives a power cut too.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()
