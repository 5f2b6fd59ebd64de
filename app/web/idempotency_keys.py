"""The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header-07)
on the operations that create a key: read, and the request answered once.

The field is an RFC 8941 Item whose value is a String: ``"8e03978e-40d5"``.
The draft defines no parameters for it, so a value with any is refused as
malformed, as is anything else that is not one quoted string.
"""

import hashlib
import json
from collections.abc import Callable
from contextlib import suppress

import flask

from app.domain.api_keys import OnCreated
from app.domain.callers import Caller
from app.domain.errors import Unavailable
from app.domain.idempotency import StoredResponse
from app.services import current_services
from app.web.connexion_adaptations.request_problems import bad_request
from app.web.connexion_adaptations.responses import json_response

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
# The key is shown this once (and to its retries); no cache may keep it.
NO_STORE = {"Cache-Control": "no-store"}
# RFC 8941 sf-string: printable ASCII, with '"' and '\' escaped by '\'.
_UNESCAPED = frozenset(chr(code) for code in range(0x20, 0x7F)) - {'"', "\\"}


def parsed_string(value: str) -> str | None:
    """The String an RFC 8941 sf-string field value holds (its leading and
    trailing spaces discarded, as RFC 8941 parses); None when it is not one."""
    value = value.strip(" ")
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return None
    characters = []
    escaped = False
    for character in value[1:-1]:
        if escaped:
            if character not in '"\\':
                return None
            characters.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character in _UNESCAPED:
            characters.append(character)
        else:
            return None
    return None if escaped else "".join(characters)


def requested_key() -> str | None:
    """The request's Idempotency-Key; None without one. Raises a 400 for a
    malformed, empty or over-long one."""
    values = flask.request.headers.getlist(HEADER)
    if not values:
        return None
    # A field sent on several lines is one value, joined by commas (RFC 9110):
    # for a String, malformed.
    key = parsed_string(", ".join(values))
    if key is None or not key:
        problem = f'The {HEADER} header must be one quoted string, such as "8e03978e-40d5".'
    elif len(key) > MAX_LENGTH:
        problem = f"The {HEADER} header's string must be at most {MAX_LENGTH} characters."
    else:
        return key
    raise bad_request([{"detail": problem, "parameter": HEADER}])


def fingerprint(method: str, path: str, body: dict | None) -> str:
    """What makes two requests the same one: method, path and canonical body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{method}\n{path}\n{canonical}".encode()).hexdigest()


def created_once(
    caller: Caller, body: dict | None, create: Callable[[OnCreated | None], tuple[int, str]]
):
    """The 201 answer of ``create`` (which returns the new key's id and the
    key, and calls what it is given within its transaction); with an
    Idempotency-Key, the first answer again for a repeat of the request."""
    idempotency_key = requested_key()
    if idempotency_key is None:
        key_id, key = create(None)
        return json_response({"id": key_id, "key": key}, 201, NO_STORE)
    records = current_services().idempotency
    claimed = records.claim(
        caller.user_id,
        caller.organization_id,
        idempotency_key,
        fingerprint(flask.request.method, flask.request.path, body),
    )
    if isinstance(claimed, StoredResponse):
        return json_response(claimed.body, claimed.status, NO_STORE)

    def store(connection, key_id: int, key: str) -> None:
        records.complete(connection, claimed, 201, {"id": key_id, "key": key})

    try:
        key_id, key = create(store)
    except Exception:
        # Nothing was created: the request may be retried with its key.
        # When the database is away, the lease frees the record instead.
        with suppress(Unavailable):
            records.release(claimed)
        raise
    return json_response({"id": key_id, "key": key}, 201, NO_STORE)
