"""Path routing that leaves type checks to request validation.

Connexion routes an OpenAPI ``number`` path parameter with a regular
expression, so ``/api/api-keys/abc/revoke`` is a 404 and ``/+/`` crashes the
float conversion with a 500. Routing each parameter as a plain segment and
letting request validation judge it gives the 400 that names the field.
"""

import starlette.convertors
import werkzeug.routing
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.routing import RoutingMiddleware


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


MIDDLEWARES = [
    SegmentRoutingMiddleware if middleware is RoutingMiddleware else middleware
    for middleware in ConnexionMiddleware.default_middlewares
]


def use_segment_converters(flask_app) -> None:
    for name in ("float", "int"):
        flask_app.url_map.converters[name] = SegmentConverter
