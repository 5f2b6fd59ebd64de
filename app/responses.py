"""JSON responses that the handlers build themselves.

For a handler's (payload, status, headers), Connexion infers the content
type from the spec, serializes through Flask's JSON provider and builds the
response, on every request; a Flask response returned by the handler is
passed through as it is. The spec is still enforced where it was: Connexion's
response validation checks the status, content type and body of every
response.
"""

import json

import flask


def json_response(payload, status: int, headers: dict | None = None) -> flask.Response:
    # The same bytes Connexion's serialization gave: sorted keys, ASCII only.
    body = json.dumps(payload, ensure_ascii=True, sort_keys=True) + "\n"
    return flask.Response(body, status=status, headers=headers, mimetype="application/json")
