"""Path routing: type checks left to request validation, and only what
Connexion routed reaches a handler.

Connexion routes an OpenAPI ``number`` path parameter with a regular
expression, so ``/api/api-keys/abc/revoke`` is a 404 and ``/+/`` crashes the
float conversion with a 500. Routing each parameter as a plain segment and
letting request validation judge it gives the 400 that names the field.

Connexion's router passes a request it finds no operation for on to Flask,
past security and validation, and Flask routes by rules of its own: it
merges ``//``, and redirects to a URL it builds from the Host header. So
neither redirects here, and Flask serves an operation's view only to a
request Connexion routed to that operation; anything else is a 404.
"""

import flask
import starlette.convertors
import starlette.routing
import werkzeug.exceptions
import werkzeug.routing
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware

from app.web.connexion_adaptations.prepared_validation import (
    PreparedRequestValidationMiddleware,
    PreparedResponseValidationMiddleware,
)
from app.web.connexion_adaptations.swagger_ui import SwaggerUIWithAuthorizationField


class _SegmentConvertor(starlette.convertors.StringConvertor):
    pass


class SegmentConverter(werkzeug.routing.BaseConverter):
    """Flask's side of the same rule: any one segment, as text."""


class SegmentRoutingMiddleware(RoutingMiddleware):
    def __init__(self, app) -> None:
        super().__init__(app)
        # Connexion registers its number convertors process-wide in the line
        # above; ours replace them before any route is compiled.
        for name in ("float", "int"):
            starlette.convertors.register_url_convertor(name, _SegmentConvertor())
        self.router.redirect_slashes = False

    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        super().add_api(specification, base_path=base_path, arguments=arguments, **kwargs)
        for route in self.router.routes:
            if isinstance(route, starlette.routing.Mount):
                route.app.redirect_slashes = False
                for operation_route in route.app.routes:
                    # Starlette answers HEAD for every GET; only a HEAD the
                    # spec declares is served (left with no method, a route
                    # would take any).
                    if "GET" in operation_route.methods:
                        operation_route.methods.discard("HEAD")


_REPLACED = {
    RoutingMiddleware: SegmentRoutingMiddleware,
    SwaggerUIMiddleware: SwaggerUIWithAuthorizationField,
    RequestValidationMiddleware: PreparedRequestValidationMiddleware,
    ResponseValidationMiddleware: PreparedResponseValidationMiddleware,
}
MIDDLEWARES = [
    _REPLACED.get(middleware, middleware) for middleware in ConnexionMiddleware.default_middlewares
]


def configure_flask_routing(flask_app, operation_of_endpoint: dict[str, str]) -> None:
    """Flask's side: segment converters, no merged slashes, no redirects, and
    an operation's view only for requests Connexion routed to it.

    ``operation_of_endpoint`` maps each operation's Flask endpoint to its
    operation id; it is filled when Connexion adds its APIs.
    """
    for name in ("float", "int"):
        flask_app.url_map.converters[name] = SegmentConverter
    flask_app.url_map.merge_slashes = False
    flask_app.url_map.redirect_defaults = False

    @flask_app.before_request
    def only_what_connexion_routed():
        # Werkzeug strips a path's leading slashes before matching it.
        if flask.request.environ["PATH_INFO"].startswith("//"):
            raise werkzeug.exceptions.NotFound
        expected = operation_of_endpoint.get(flask.request.endpoint)
        if expected is None:
            return
        scope = flask.request.environ.get("asgi.scope", {})
        routed = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
        if routed != expected:
            raise werkzeug.exceptions.NotFound
