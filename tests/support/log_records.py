"""Log records as the tests read them: every record a logger passes on, as
text with its extra fields."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Records(logging.Handler):
    """Every record of the server's, at DEBUG, with its extra fields, as text
    (the tests' own HTTP client logs the URLs it requests)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.addFilter(lambda record: not record.name.startswith(("httpx", "httpcore")))

    def emit(self, record):
        self.lines.append(f"{record.getMessage()} {record.__dict__}")


@contextmanager
def recording(logger_name: str | None, level: int) -> Iterator[Records]:
    """The records ``logger_name`` (None: the root) passes at ``level`` and
    above while the block runs; the logger's level is restored after."""
    handler = Records()
    logger = logging.getLogger(logger_name)
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)
