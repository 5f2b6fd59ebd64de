"""Who is calling: the bearer function Connexion's security step runs.

It runs before request validation, so a caller without credentials learns
nothing from validation errors.
"""

from app.domain import audit, keys
from app.domain.callers import Caller
from app.domain.errors import Unauthenticated
from app.domain.tokens import InvalidToken
from app.services import current_services
from app.web import metrics
from app.web.request_state import current_request

ORGANIZATION_HEADER = "organization-id"


def bearer_caller(token: str, request) -> dict:
    """Connexion's token-info function: the caller, or an exception.

    Raises Unauthenticated for any credential failure, Forbidden when the
    ``organization-id`` header names an organization the credential may not
    act in, Unavailable when the database cannot answer.

    It runs on the event loop, like the handlers (see
    app.web.connexion_adaptations.flask_bridge).
    """
    services = current_services()
    organization_public_id = request.headers.get(ORGANIZATION_HEADER)
    try:
        caller = _caller(services, token, organization_public_id)
    except Unauthenticated as refusal:
        record_refusal(token, organization_public_id, refusal.reason)
        raise
    state = current_request()
    if state is not None:
        state.organization_id = caller.organization_public_id
    # The token stays in this request's context: verify passes a JWT
    # caller's own token upstream.
    return {"sub": caller.email, "caller": caller, "token": token}


def record_refusal(token: str, organization_public_id: str | None, reason: str) -> None:
    """The audit line and the metric of a credential answered with 401."""
    audit.credential_rejected(token, organization_public_id, reason)
    metrics.CREDENTIALS_REFUSED.labels(keys.credential_kind(token), reason).inc()


def _caller(services, token: str, organization_public_id: str | None) -> Caller:
    if token.startswith(keys.PREFIX):
        # A malformed key never costs a database query.
        if not keys.is_well_formed(token):
            raise Unauthenticated("malformed")
        return services.callers.caller_for_key(token, organization_public_id)
    try:
        verified = services.tokens.verify(token)
    except InvalidToken as invalid:
        raise Unauthenticated(invalid.reason) from None
    if verified.api_key_id is not None:
        return services.callers.caller_for_exchanged_token(
            verified.api_key_id, verified.organization_id, organization_public_id
        )
    return services.callers.caller_for_user(
        verified.subject, organization_public_id, verified.expires_at
    )
