"""Per-request facts the access log needs: the request id and, once known,
the caller's organization."""

import logging
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


def tag_records_with_request_ids() -> None:
    """Gives every log record made while a request is served (Connexion's,
    uvicorn's, ours) that request's id, as ``request_id``. Once per process."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "tags_request_ids", False):
        return

    def make_tagged_record(*args, **kwargs):
        record = make_record(*args, **kwargs)
        state = _current.get()
        if state is not None:
            record.request_id = state.request_id
        return record

    make_tagged_record.tags_request_ids = True
    logging.setLogRecordFactory(make_tagged_record)
