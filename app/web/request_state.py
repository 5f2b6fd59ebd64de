"""Per-request facts the access log needs: the request id and, once known,
the caller's organization."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestState:
    request_id: str
    organization_id: str | None = None


_current: ContextVar[RequestState | None] = ContextVar("bckeys_request", default=None)


def current_request() -> RequestState | None:
    return _current.get()


def begin_request(request_id: str) -> RequestState:
    state = RequestState(request_id)
    _current.set(state)
    return state
