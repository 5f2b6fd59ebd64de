"""UPSTREAM_OPENAPI: the upstream's document, from a file or a URL, or one line
saying why not."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.settings import ConfigurationError
from app.upstream_document import load_operation_index

DOCUMENT = {
    "openapi": "3.0.0",
    "info": {"title": "upstream", "version": "1"},
    "paths": {"/api/items": {"get": {"tags": ["Items"], "responses": {}}}},
}


@pytest.fixture
def served():
    """A URL serving ``DOCUMENT`` at /swagger-json and 404 elsewhere."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(DOCUMENT).encode()
            self.send_response(200 if self.path == "/swagger-json" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_file_is_read(tmp_path):
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(DOCUMENT))
    assert load_operation_index(str(path)).tags == {"Items"}


def test_a_url_is_read(served):
    assert load_operation_index(f"{served}/swagger-json").tags == {"Items"}


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "cannot read it"),
        ("{not json", "cannot read it"),
        (json.dumps({"swagger": "2.0", "paths": {}}), "not an OpenAPI 3 document"),
        (json.dumps([1, 2]), "not an OpenAPI 3 document"),
    ],
)
def test_a_missing_or_invalid_file_is_one_line(tmp_path, content, said):
    path = tmp_path / "openapi.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigurationError) as refused:
        load_operation_index(str(path))
    assert said in str(refused.value)
    assert "\n" not in str(refused.value)


def test_an_unreadable_url_is_one_line(served):
    with pytest.raises(ConfigurationError) as refused:
        load_operation_index(f"{served}/nothing-here")
    assert "cannot read it" in str(refused.value)
    assert "\n" not in str(refused.value)
