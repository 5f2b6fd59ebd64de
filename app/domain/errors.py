"""The domain's error vocabulary; app.web.problems maps each to an HTTP answer.

Unavailable is storage's (app.storage.outages), taken in here so that callers
name every error from one place.
"""

from app.storage.outages import Unavailable

__all__ = ["Conflict", "Forbidden", "NotFound", "Unauthenticated", "Unavailable"]


class Unauthenticated(Exception):
    """No valid credential. Callers are never told which part was wrong."""


class Forbidden(Exception):
    """A valid credential, but not for the organization the request names."""


class NotFound(Exception):
    """The thing does not exist in the caller's organization."""


class Conflict(Exception):
    """The change contradicts what is stored (a taken id, a full organization)."""
