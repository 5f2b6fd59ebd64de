"""Operations answered without Flask: verify, the check a gateway makes
before every request it passes on.

By the time a request reaches the framework app, Connexion's middleware has
routed it, run the security check and validated it, and its response
validation checks whatever is sent back. What Flask adds after that (a WSGI
environ, a request context, its routing, Connexion's decorators, a Response
object) is most of what verify costs beyond its own work. An operation
named here is answered by calling its handler directly: the handler takes
no parameters and returns (payload, status, headers), which is written as
JSON with the one serializer. Its exceptions reach Connexion's error
handlers as a Flask handler's do. Every other operation goes on to Flask.
"""

from collections.abc import Callable

from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.utils import get_function_from_name

from app.services import current_services
from app.web.connexion_adaptations.responses import JSONIFIER
from app.web.resolver import handler_path

OPERATIONS = ("AuthApiKeysController_verify", "AuthApiKeysController_verifyHead")


class DirectOperations:
    def __init__(self, framework_app, operation_ids=OPERATIONS):
        """``framework_app``: the ASGI app serving every other operation."""
        self.framework_app = framework_app
        # Connexion's routing names an operation by the handler its
        # resolver found (app.web.resolver), not by its operationId.
        self.handlers: dict[str, Callable] = {
            path: get_function_from_name(path) for path in map(handler_path, operation_ids)
        }

    async def __call__(self, scope, receive, send) -> None:
        routed = scope.get("extensions", {}).get(ROUTING_CONTEXT, {}).get("operation_id")
        handler = self.handlers.get(routed) if scope["type"] == "http" else None
        if handler is None:
            await self.framework_app(scope, receive, send)
            return
        try:
            payload, status, headers = handler()
        finally:
            current_services().database.release_request_connection()
        body = JSONIFIER.dumps(payload).encode("utf-8")
        fields = {
            "content-type": "application/json",
            **{name.lower(): value for name, value in headers.items()},
            "content-length": str(len(body)),
        }
        raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in fields.items()
        ]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})
