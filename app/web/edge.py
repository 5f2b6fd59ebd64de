"""The outermost ASGI layer, in front of all of Connexion's middleware.

It makes the app's services current, gives each request an id and one
database connection to share (see Database.request_scope), caps the body at
64 KiB before anything reads it, and writes one access-log line per request:
with the client's address, and for verify the request the proxy asked about.
Connexion's validation would otherwise read a body of any size.
"""

import logging
import re
import secrets
import time

from connexion.middleware.abstract import ROUTING_CONTEXT
from starlette.datastructures import Headers, MutableHeaders

from app.logs import is_redaction_free, printable, redact
from app.services import Services, make_current
from app.web import metrics
from app.web.forwarded import client_address, is_trusted, original_request
from app.web.request_state import begin_request

MAX_BODY_BYTES = 64 * 1024
MAX_LOGGED_PATH = 200
REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# nginx's $request_id: shaped like a credential, so believed from a proxy only.
_PROXY_REQUEST_ID = re.compile(r"[0-9a-f]{32}")

access_log = logging.getLogger("bckeys.access")

# Connexion's router mounts the API with a pattern that stops at a newline,
# while Flask's matches it: such a path would reach a handler unrouted,
# past security and validation. No resource has one in its path.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
_NO_SUCH_PATH = (
    b'{"type": "about:blank", "title": "Not Found", "status": 404, '
    b'"detail": "No resource has control characters in its path."}'
)
_TOO_LARGE_BODY = (
    b'{"type": "about:blank", "title": "Content Too Large", "status": 413, '
    b'"detail": "The request body is over 65536 bytes."}'
)


class BodyTooLarge(Exception):
    pass


class Edge:
    def __init__(self, app, services: Services):
        self.app = app
        self.services = services

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        make_current(self.services)
        # Shared with the copies of the scope Connexion's router makes, so
        # that the operation it routes to can be read here afterwards.
        extensions = scope.setdefault("extensions", {})
        headers = Headers(scope=scope)
        peer = (scope.get("client") or (None, None))[0]
        from_proxy = is_trusted(peer, self.services.settings.trusted_proxies)
        state = begin_request(_request_id(headers.get(REQUEST_ID_HEADER), from_proxy))
        started = time.perf_counter()
        status = 500

        async def send_with_request_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, state.request_id)
            await send(message)

        try:
            if _CONTROL_CHARACTER.search(scope["path"]):
                await _send_problem(send_with_request_id, 404, _NO_SUCH_PATH)
                return
            try:
                body = await _read_capped_body(headers, receive)
            except BodyTooLarge:
                # The rest of the body is never read: the connection cannot be reused.
                await _send_problem(send_with_request_id, 413, _TOO_LARGE_BODY, close=True)
                return
            scope = _with_length(scope, headers, body)
            with self.services.database.request_scope():
                await self.app(scope, _replay(body, receive), send_with_request_id)
        finally:
            seconds = time.perf_counter() - started
            routed = extensions.get(ROUTING_CONTEXT, {}).get("operation_id")
            metrics.count_request(metrics.operation_label(scope["path"], routed), status, seconds)
            fields = {
                "method": scope["method"],
                "path": _loggable_path(scope),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "request_id": state.request_id,
                "organization_id": state.organization_id,
                "client": client_address(
                    peer, headers, from_proxy, self.services.settings.trusted_proxies
                ),
            }
            line = _ACCESS_LINE
            if routed and routed.endswith((".verify", ".verify_head")):
                fields["original_method"], fields["original_path"] = original_request(
                    headers, MAX_LOGGED_PATH
                )
                line = _VERIFY_ACCESS_LINE
            access_log.info(
                line,
                fields,
                # request_id: every record made while serving has it already
                # (app.web.request_state.tag_records_with_request_ids).
                extra={name: value for name, value in fields.items() if name != "request_id"},
            )


_ACCESS_LINE = (
    "%(method)s %(path)s %(status)s %(duration_ms).1fms "
    "request_id=%(request_id)s organization_id=%(organization_id)s client=%(client)s"
)
_VERIFY_ACCESS_LINE = (
    _ACCESS_LINE + " original_method=%(original_method)s original_path=%(original_path)s"
)


def _request_id(sent: str | None, from_proxy: bool) -> str:
    """The client's request id when it is sane and shaped like no credential
    (it is logged and echoed back), or a trusted proxy's own (nginx's
    $request_id, 32 lowercase hex characters); a new one otherwise."""
    if sent and from_proxy and _PROXY_REQUEST_ID.fullmatch(sent):
        return sent
    if sent and _CLIENT_REQUEST_ID.fullmatch(sent) and is_redaction_free(sent):
        return sent
    return secrets.token_hex(16)


async def _read_capped_body(headers: Headers, receive) -> bytes:
    """The whole body, or BodyTooLarge: at once when the declared length is
    over the cap, else as soon as what arrives passes it."""
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge
    return await read_body(receive, MAX_BODY_BYTES)


async def read_body(receive, limit: int | None = None) -> bytes:
    """The whole body from an ASGI ``receive``; BodyTooLarge past ``limit``."""
    chunks = []
    size = 0
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        more_body = message.get("more_body", False)
    return b"".join(chunks)


def _with_length(scope, headers: Headers, body: bytes):
    """The scope with a Content-Length matching the buffered body.

    A chunked body carries no length, and Connexion's validation takes a
    request without one for a request without a body.
    """
    if not body or headers.get("content-length"):
        return scope
    raw = [(name, value) for name, value in scope["headers"] if name != b"transfer-encoding"]
    raw.append((b"content-length", str(len(body)).encode("ascii")))
    return {**scope, "headers": raw}


def _replay(body: bytes, receive):
    delivered = False

    async def replayed_receive():
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed_receive


async def _send_problem(send, status: int, body: bytes, close: bool = False) -> None:
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _loggable_path(scope) -> str:
    path = scope.get("raw_path") or scope["path"].encode("utf-8", "backslashreplace")
    return printable(redact(path.decode("ascii", "backslashreplace")), MAX_LOGGED_PATH)
