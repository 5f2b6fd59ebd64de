"""Logging: one stream, JSON or console, set from LOG_LEVEL and LOG_FORMAT."""

import logging
import re
import sys
import time
from datetime import UTC, datetime
from urllib.parse import unquote

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# uvicorn's copy of each message with terminal colours: never written.
_DROPPED_FIELDS = ["color_message"]


class _JsonLines(JsonFormatter):
    """One JSON object a line; ``time`` in ISO 8601 UTC."""

    def formatTime(self, record, datefmt=None):
        instant = datetime.fromtimestamp(record.created, UTC)
        return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _ConsoleLines(logging.Formatter):
    """The console format, with the request id of a record logged while
    serving a request when its message does not name it already.

    Every character that is not printable is written escaped (``\\x1b``),
    whatever field holds it: a logged value must not drive the terminal that
    shows it, nor start a line of its own. Tracebacks keep their newlines.
    """

    _second_formatted = (None, "")

    def formatTime(self, record, datefmt=None):
        # The second's text is made once a second, not for every line.
        second, formatted = self._second_formatted
        if second != int(record.created):
            second = int(record.created)
            formatted = time.strftime(self.default_time_format, self.converter(record.created))
            self._second_formatted = (second, formatted)
        return self.default_msec_format % (formatted, record.msecs)

    def formatMessage(self, record):
        return _escaped(super().formatMessage(record))

    def format(self, record):
        line = _escaped(super().format(record), keep="\n")
        request_id = getattr(record, "request_id", None)
        if request_id and "request_id=" not in line:
            line += f" request_id={request_id}"
        return line


def _escaped(text: str, keep: str = "") -> str:
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() or char in keep else char.encode("unicode_escape").decode()
        for char in text
    )


def console_handler() -> logging.Handler:
    """Writes records to stderr in the console format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_ConsoleLines(CONSOLE_FORMAT))
    return handler


def configure_logging(level: str, log_format: str) -> None:
    if log_format == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            _JsonLines(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                reserved_attrs=[*RESERVED_ATTRS, *_DROPPED_FIELDS],
                # Control characters, in every field, are written as JSON escapes.
                json_ensure_ascii=True,
            )
        )
    else:
        handler = console_handler()
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    _skip_unwritten_record_fields()


def _skip_unwritten_record_fields() -> None:
    """No format here writes a record's source line, thread or process, so
    they are not looked up for every record (the logging HOWTO's
    "Optimization"): the caller's frame walk alone costs about half of an
    access-log line."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def silence_value_echoing_loggers() -> None:
    """Loggers that write what a client sent, at some level: a key sent in
    the wrong field would be logged with it. Connexion's JSON validators log
    the values they reject, its parameter validator the decoded path (DEBUG),
    and SQLAlchemy's engine every statement's parameters (INFO and DEBUG).
    Rejections still reach the client as 400s and the access log records
    their status."""
    logging.getLogger("connexion.validators.json").setLevel(logging.ERROR)
    logging.getLogger("connexion.validators.parameter").setLevel(logging.INFO)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


# What a credential looks like, wherever it stands: a key's random part is a
# run of hex, a JWT's parts are runs of base64url. Client text is redacted by
# these shapes, so no field the client chose can carry one into a log.
_CREDENTIAL_SHAPED = re.compile(r"[0-9A-Fa-f]{16,}|[A-Za-z0-9_-]{32,}")
REDACTED = "[redacted]"
_PERCENT_DECODINGS = 3


def redact(text: str) -> str:
    """Client-supplied text with every credential-shaped run taken out,
    after undoing percent-encoding (up to three layers of it)."""
    for _ in range(_PERCENT_DECODINGS):
        decoded = unquote(text, errors="backslashreplace")
        if decoded == text:
            break
        text = decoded
    return _CREDENTIAL_SHAPED.sub(REDACTED, text)


def is_redaction_free(text: str) -> bool:
    """Whether ``text`` would be logged as it is: nothing in it is shaped
    like a credential."""
    return redact(text) == text


def printable(text: str | None, limit: int = 80) -> str | None:
    """Text made safe for a log line: escaped and bounded."""
    if text is None:
        return None
    escaped = text[:limit].encode("ascii", "backslashreplace").decode("ascii")
    escaped = "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in escaped)
    return escaped + ("..." if len(text) > limit else "")
