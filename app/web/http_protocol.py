"""uvicorn's HTTP protocol with bounds on request heads and connections.

httptools buffers a header of any size before the application sees it (a
64 MiB header grew a worker by over 200 MB), and uvicorn sets no limit on
it. Here a connection whose request line and headers pass 32 KiB is
answered 431 and closed, as the bytes arrive, before anything buffers more.

uvicorn also starts no timer when a connection opens, and its keep-alive
timer stops at the first byte of the next request: a silent connection, or
one sending a byte every few seconds, was held for good, and enough of them
used up the worker's open files. Here a request head must arrive whole
within a deadline counted from the connection's start, or from the end of
the previous response on a keep-alive connection, however the bytes trickle.

A worker holding its most connections answers a new one 503 and closes it
at once, so the connections it has (and the files its database needs) keep
working. uvicorn's ``limit_concurrency`` does not: it counts idle
connections too and answers 503 to requests on the connections it has.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 32 * 1024


def _problem(status: int, title: str, detail: str) -> bytes:
    body = (
        f'{{"type": "about:blank", "title": "{title}", "status": {status}, "detail": "{detail}"}}'
    ).encode("ascii")
    return (
        f"HTTP/1.1 {status} {title}\r\n"
        "content-type: application/problem+json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("ascii") + body


_HEAD_TOO_LARGE = _problem(
    431,
    "Request Header Fields Too Large",
    f"The request line and headers are over {MAX_HEAD_BYTES} bytes.",
)
_WORKER_FULL = _problem(
    503,
    "Service Unavailable",
    "This server process holds its most connections: try again.",
)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Built by uvicorn per connection; ``head_timeout_s`` and
    ``max_connections`` (per worker) come bound with functools.partial."""

    def __init__(self, *args, head_timeout_s: float, max_connections: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._head_timeout_s = head_timeout_s
        self._max_connections = max_connections
        self._head_deadline = None
        self._in_head = True
        self._head_bytes = 0

    def connection_made(self, transport) -> None:
        if len(self.connections) >= self._max_connections:
            self.transport = transport
            transport.write(_WORKER_FULL)
            transport.close()
            return
        super().connection_made(transport)
        self._start_head_deadline()

    def connection_lost(self, exc) -> None:
        self._stop_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            # Counted before parsing: the head may end within this chunk.
            end_of_head = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end_of_head < 0 else end_of_head
            if self._head_bytes > MAX_HEAD_BYTES:
                self.transport.write(_HEAD_TOO_LARGE)
                self.transport.close()
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        # The count goes on: the parser begins a message within its first
        # read, which has been counted already.
        self._in_head = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        self._stop_head_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # A queued (pipelined) request's head has arrived already.
        next_head_due = not self.pipeline
        super().on_response_complete()
        if next_head_due and not self.transport.is_closing():
            self._in_head = True
            self._start_head_deadline()

    def _start_head_deadline(self) -> None:
        self._stop_head_deadline()
        self._head_deadline = self.loop.call_later(self._head_timeout_s, self.transport.close)

    def _stop_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
