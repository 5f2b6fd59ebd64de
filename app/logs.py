"""Logging: one stream, JSON or console, set from LOG_LEVEL and LOG_FORMAT."""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str, log_format: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)


def silence_value_echoing_loggers() -> None:
    """Connexion's JSON validators log the values they reject, and a key sent
    in the wrong field, or a response, would be logged with them. Rejections
    still reach the client as 400s and the access log records their status."""
    logging.getLogger("connexion.validators.json").setLevel(logging.ERROR)


def printable(text: str | None, limit: int = 80) -> str | None:
    """Client-supplied text made safe for a log line: escaped and bounded."""
    if text is None:
        return None
    escaped = text[:limit].encode("ascii", "backslashreplace").decode("ascii")
    escaped = "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in escaped)
    return escaped + ("..." if len(text) > limit else "")
