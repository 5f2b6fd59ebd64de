"""Turns for the processes that write one SQLite file.

SQLite lets one writer in at a time. A writer that finds the file locked
sleeps in SQLite's busy handler, 1 ms, then 2, then 5 and more, even when
the lock is freed a fraction of a millisecond later; and since database
calls run on the event loop (see app.web.connexion_adaptations.flask_bridge),
the whole worker sleeps with it. Here writers first take turns on a lock file beside the database,
checking every 50 to 500 µs, so a waiting worker gets in soon after the
writer before it commits.
"""

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.storage.outages import Unavailable

FIRST_WAIT_S = 50e-6
LONGEST_WAIT_S = 500e-6


class SQLiteWriters:
    def __init__(self, database_file: Path, timeout_s: float):
        self._lock_path = f"{database_file}.writers"
        # Opened on the first write: a process that only reads makes no file.
        self._lock_file: int | None = None
        self._timeout_s = timeout_s
        # flock is held per open file, so threads of one process (the tests'
        # clients) take turns on this lock first.
        self._threads = threading.Lock()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Holds this process's turn to write; raises Unavailable when no turn
        comes within the timeout."""
        if not self._threads.acquire(timeout=self._timeout_s):
            raise Unavailable
        try:
            self._wait_for_turn()
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _wait_for_turn(self) -> None:
        if self._lock_file is None:
            self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self._timeout_s
        wait = FIRST_WAIT_S
        while True:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Unavailable from None
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT_S)
