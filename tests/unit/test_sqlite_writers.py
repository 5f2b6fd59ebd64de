"""Writers of one SQLite file take turns, and give up after the timeout."""

import threading
import time

import pytest

from app.domain.errors import Unavailable
from app.storage.sqlite_writers import SQLiteWriters


def test_a_second_writer_waits_for_the_first_to_finish(tmp_path):
    # Two instances open the lock file separately, as two processes do.
    first = SQLiteWriters(tmp_path / "keys.db", timeout_s=5)
    second = SQLiteWriters(tmp_path / "keys.db", timeout_s=5)
    events = []

    def write_second():
        with second.turn():
            events.append("second")

    with first.turn():
        waiting = threading.Thread(target=write_second)
        waiting.start()
        waiting.join(0.2)
        assert waiting.is_alive()
        events.append("first")
    waiting.join(5)
    assert events == ["first", "second"]


def test_no_turn_within_the_timeout_is_unavailable(tmp_path):
    first = SQLiteWriters(tmp_path / "keys.db", timeout_s=5)
    second = SQLiteWriters(tmp_path / "keys.db", timeout_s=0.05)
    with first.turn(), pytest.raises(Unavailable), second.turn():
        pass
    with second.turn():
        pass


def test_threads_of_one_process_take_turns_too(tmp_path):
    writers = SQLiteWriters(tmp_path / "keys.db", timeout_s=5)
    inside = []
    overlaps = []

    def write():
        for _ in range(200):
            with writers.turn():
                inside.append(1)
                time.sleep(0)
                overlaps.append(len(inside))
                inside.pop()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(overlaps) == 1
