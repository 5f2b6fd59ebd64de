"""The one-hand-off WSGI bridge follows PEP 3333 where Flask relies on it."""

import asyncio

from app.web.connexion_adaptations.flask_bridge import FlaskBridge


def call(wsgi_app, body: bytes = b"") -> list[dict]:
    sent = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "query_string": b"a=1",
        "headers": [(b"content-type", b"application/json")],
        "http_version": "1.1",
    }
    asyncio.run(FlaskBridge(wsgi_app, other_scopes=None)(scope, receive, send))
    return sent


def test_request_and_response_cross_in_one_call():
    seen = {}

    def app(environ, start_response):
        seen["body"] = environ["wsgi.input"].read()
        seen["query"] = environ["QUERY_STRING"]
        seen["type"] = environ["CONTENT_TYPE"]
        start_response("201 Created", [("Content-Type", "application/json")])
        return [b'{"a": ', b"1}"]

    start, body = call(app, b'{"n": 1}')
    assert seen == {"body": b'{"n": 1}', "query": "a=1", "type": "application/json"}
    assert start["status"] == 201
    assert start["headers"] == [(b"content-type", b"application/json")]
    assert body["body"] == b'{"a": 1}'


def test_written_chunks_come_first_and_the_iterable_is_closed():
    closed = []

    class Body(list):
        def close(self):
            closed.append(True)

    def app(environ, start_response):
        write = start_response("200 OK", [])
        write(b"first ")
        return Body([b"second"])

    _, body = call(app)
    assert body["body"] == b"first second"
    assert closed == [True]
