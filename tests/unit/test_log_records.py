"""Records carry what the formats write, and not what none of them writes."""

import io
import json
import logging

import pytest

from app import logs

_FLAGS = ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing")


@pytest.fixture
def restored():
    """configure_logging's effect on this process, undone afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {flag: getattr(logging, flag) for flag in _FLAGS}
    yield
    root.handlers, root.level = saved[0], saved[1]
    for flag, value in saved[2].items():
        setattr(logging, flag, value)


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_records_skip_source_thread_and_process_lookups(restored, monkeypatch, log_format):
    written = io.StringIO()
    monkeypatch.setattr(logs.sys, "stderr", written)
    logs.configure_logging("INFO", log_format)
    made = []
    logger = logging.getLogger("bckeys.test")
    logger.addFilter(lambda record: made.append(record) or True)
    logger.info("one line", extra={"status": 200})
    logger.filters.clear()
    (record,) = made
    assert (record.lineno, record.thread, record.process) == (0, None, None)
    line = written.getvalue().strip()
    if log_format == "json":
        assert set(json.loads(line)) == {"time", "level", "logger", "message", "status"}
    else:
        assert line.endswith("INFO bckeys.test: one line")
