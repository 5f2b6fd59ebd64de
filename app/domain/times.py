"""The one form an instant is written in, by the API and the CLI alike:
ISO 8601 in UTC, to the millisecond, with ``Z``."""

from datetime import datetime


def iso_8601(instant: datetime) -> str:
    """``instant`` (stored times are UTC) as ``2026-01-31T12:00:00.000Z``."""
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")
