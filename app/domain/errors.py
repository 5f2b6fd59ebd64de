"""The domain's error vocabulary; app.web.problems maps each to an HTTP answer.

Unavailable is storage's (app.storage.outages), taken in here so that callers
name every error from one place.
"""

from app.storage.outages import Unavailable

__all__ = [
    "Conflict",
    "Forbidden",
    "IdempotencyKeyReused",
    "InProgress",
    "Invalid",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "Unavailable",
]


# Why a credential was refused: for operators (audit lines, metrics) only.
REFUSAL_REASONS = (
    "missing",
    "malformed",
    "bad_signature",
    "expired",
    "unknown",
    "revoked",
    "inactive_user",
    "not_member",
    # A key whose user has no upstream id, where tokens' sub is the user's id.
    "no_upstream_id",
)


class Unauthenticated(Exception):
    """No valid credential. Callers are never told which part was wrong;
    ``reason`` (one of REFUSAL_REASONS) is for operators."""

    def __init__(self, reason: str = "unknown"):
        super().__init__(reason)
        self.reason = reason


class Forbidden(Exception):
    """A valid credential, but not for the organization the request names,
    or a scoped key's permissions do not cover the request: then its message
    is one sentence naming what is missing."""


class NotFound(Exception):
    """The thing does not exist in the caller's organization."""


class Conflict(Exception):
    """The change contradicts what is stored (a taken id, a full organization)."""


class InProgress(Conflict):
    """A request with the same Idempotency-Key is still being answered."""


class IdempotencyKeyReused(Exception):
    """An Idempotency-Key sent again with another request than its first."""


class RateLimited(Exception):
    """Over the caller's rate: ``retry_after`` whole seconds until the next
    one is granted, under a rate of ``limit`` per ``period_seconds``."""

    def __init__(self, retry_after: int, limit: int, period_seconds: int):
        super().__init__(f"over {limit} per {period_seconds} s; retry after {retry_after} s")
        self.retry_after = retry_after
        self.limit = limit
        self.period_seconds = period_seconds


class Invalid(Exception):
    """An operator's input the domain refuses: a blank name, an email that
    does not look like one."""
