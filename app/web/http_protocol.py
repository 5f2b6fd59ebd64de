"""uvicorn's HTTP protocol with a cap on the request head.

httptools buffers a header of any size before the application sees it (a
64 MiB header grew a worker by over 200 MB), and uvicorn sets no limit on
it. Here a connection whose request line and headers pass 32 KiB is
answered 431 and closed, as the bytes arrive, before anything buffers more.
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 32 * 1024
_BODY = (
    b'{"type": "about:blank", "title": "Request Header Fields Too Large", "status": 431, '
    b'"detail": "The request line and headers are over 32768 bytes."}'
)
_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/problem+json\r\n"
    b"content-length: " + str(len(_BODY)).encode("ascii") + b"\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


class HeadCappedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            # Counted before parsing: the head may end within this chunk.
            end_of_head = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end_of_head < 0 else end_of_head
            if self._head_bytes > MAX_HEAD_BYTES:
                self.transport.write(_RESPONSE)
                self.transport.close()
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()
