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
from connexion.jsonifier import Jsonifier

# Every JSON body is written by this one serializer: sorted keys, ASCII only,
# one line. Connexion is given it too (app.web.application), for any payload a
# handler leaves to Connexion to serialize.
JSONIFIER = Jsonifier(json, sort_keys=True)


def json_response(payload, status: int, headers: dict | None = None) -> flask.Response:
    return flask.Response(
        JSONIFIER.dumps(payload), status=status, headers=headers, mimetype="application/json"
    )
