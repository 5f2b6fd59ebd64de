"""Scoped keys at the edge of the web layer: the permissions a generate asks
for, checked against the vocabulary; bckeys' own operations held to a key's
permissions; and, for verify, the original request a gateway names.

The decisions are app.domain.permissions'; here is where they meet HTTP.
"""

import connexion

from app.domain import permissions
from app.domain.callers import Caller
from app.domain.errors import Forbidden
from app.services import current_services
from app.web.connexion_adaptations.request_problems import bad_request

# Where gateways name the request they ask about: nginx's auth_request (as
# the shipped configuration sets them), then Traefik's and Caddy's.
ORIGINAL_REQUEST_HEADERS = (
    ("X-Original-Method", "X-Original-URI"),
    ("X-Forwarded-Method", "X-Forwarded-Uri"),
)


def requested_permissions(body: dict) -> dict[str, str] | None:
    """The body's permissions; raises a 400 pointing at each unknown tag."""
    asked = body.get("permissions")
    if asked is None:
        return None
    unknown = permissions.unknown_tags(asked, current_services().permission_tags)
    if unknown:
        raise bad_request(
            [
                {
                    "detail": f"'{tag}' is not a tag of the upstream's document or of bckeys'.",
                    "pointer": "/permissions/" + tag.replace("~", "~0").replace("/", "~1"),
                }
                for tag in unknown
            ]
        )
    return asked


def require_permission(caller: Caller, operation_id: str) -> None:
    """Raises Forbidden, naming what is missing, when a scoped key may not
    call this operation of bckeys' own."""
    if caller.permissions is None:
        return
    operation = current_services().own_operations.operation(operation_id)
    refusal = permissions.refusal(caller.permissions, operation)
    if refusal is not None:
        raise Forbidden(refusal)


def require_upstream_permission(caller: Caller) -> None:
    """For a scoped key: raises Forbidden unless the original request names
    an operation of the upstream's document that its permissions cover. It
    fails closed: no original request, or one in no canonical form or naming
    no operation, is refused."""
    if caller.permissions is None:
        return
    method, target = _original_request()
    if method is None or target is None:
        raise Forbidden("A scoped key is verified only for a request the gateway names.")
    index = current_services().upstream_operations
    operation = index.find(method, target) if index is not None else None
    if operation is None:
        raise Forbidden("A scoped key may not make this request: it names no known operation.")
    refusal = permissions.refusal(caller.permissions, operation)
    if refusal is not None:
        raise Forbidden(refusal)


def _original_request() -> tuple[str | None, str | None]:
    headers = connexion.request.headers
    for method_header, target_header in ORIGINAL_REQUEST_HEADERS:
        method, target = headers.get(method_header), headers.get(target_header)
        if method is not None or target is not None:
            return method, target
    return None, None
