"""The Flask request class: form parsing only for form bodies; and a path
parameter's text as routed.

Connexion asks every request for its uploaded files, and werkzeug then runs
its form parser whenever a Content-Type is sent, JSON included. This API
takes only JSON, so only form media types get parsed.
"""

import flask

FORM_MEDIA_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class JSONRequest(flask.Request):
    @property
    def want_form_data_parsed(self) -> bool:
        return self.mimetype in FORM_MEDIA_TYPES


def path_text(name: str) -> str:
    """A path parameter as the router matched it: percent-decoded text,
    before Connexion converts it to the spec's type."""
    return flask.request.view_args[name]
