"""Records carry what the formats write, and not what none of them writes."""

import io
import json
import logging

import pytest

from app import logs
from app.domain import audit

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


def configured_lines(monkeypatch, log_format: str, log) -> str:
    """What configure_logging's handler writes for the records ``log`` makes."""
    written = io.StringIO()
    monkeypatch.setattr(logs.sys, "stderr", written)
    logs.configure_logging("INFO", log_format)
    log()
    return written.getvalue()


HOSTILE_EMAIL = "evil\x1b[2J\x9b\u202e\n@example.com"


def test_console_lines_escape_control_characters_in_every_field(restored, monkeypatch):
    written = configured_lines(
        monkeypatch,
        "console",
        lambda: audit.key_created(HOSTILE_EMAIL, "org_\x1b", 7, "bc_\x1b\x07"),
    )
    assert "\x1b" not in written and "\x9b" not in written and "\u202e" not in written
    (line,) = written.splitlines()
    assert "actor=evil\\x1b[2J\\x9b\\u202e\\n@example.com" in line
    assert "organization_id=org_\\x1b" in line


def test_json_lines_escape_control_characters_in_every_field(restored, monkeypatch):
    written = configured_lines(
        monkeypatch, "json", lambda: audit.key_created(HOSTILE_EMAIL, "org_\x1b", 7, "bc_")
    )
    assert "\x1b" not in written and "\x9b" not in written and "\u202e" not in written
    (line,) = written.splitlines()
    fields = json.loads(line)
    assert (fields["actor"], fields["organization_id"]) == (HOSTILE_EMAIL, "org_\x1b")
    assert "\\u001b" in line


def test_a_console_traceback_keeps_its_lines_with_controls_escaped(restored, monkeypatch):
    def log_a_failure():
        try:
            raise ValueError("bad \x1b[2J value")
        except ValueError:
            logging.getLogger("bckeys.test").exception("failed")

    written = configured_lines(monkeypatch, "console", log_a_failure)
    assert "\x1b" not in written
    assert "ValueError: bad \\x1b[2J value" in written
    assert written.count("\n") > 2


@pytest.mark.parametrize("offset", [0.0, 0.25, 0.999, 1.0, 61.5, 3600.001])
def test_console_times_are_logging_s_own_across_seconds(offset):
    console, reference = logs.console_handler().formatter, logging.Formatter(logs.CONSOLE_FORMAT)
    for created in (1_790_000_000.5, 1_790_000_000.5 + offset):
        record = logging.LogRecord("bckeys", logging.INFO, __file__, 1, "m", None, None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        assert console.formatTime(record) == reference.formatTime(record)
