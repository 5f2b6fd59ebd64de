"""Every error answer, in one place: domain exceptions to problem+json.

Bodies follow RFC 9457. A credential failure gets one body whatever its
reason; a 500 gets a request id and nothing internal.
"""

import json
import logging

from connexion import FlaskApp
from connexion.exceptions import OAuthProblem, ProblemException
from connexion.lifecycle import ConnexionResponse
from connexion.problem import problem

from app.domain.errors import (
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
)
from app.environment import RATE_PERIODS
from app.web import metrics
from app.web.request_state import current_request

log = logging.getLogger("bckeys.errors")

RETRY_AFTER_SECONDS = "5"


def _request_id() -> str | None:
    state = current_request()
    return state.request_id if state else None


async def missing_credentials(request, error) -> ConnexionResponse:
    metrics.CREDENTIALS_REFUSED.labels("none", "missing").inc()
    return await unauthenticated(request, error)


async def unauthenticated(_request, _error) -> ConnexionResponse:
    return problem(
        401,
        "Unauthorized",
        "The request's credentials are missing or not valid.",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def forbidden(_request, error: Forbidden) -> ConnexionResponse:
    detail = (
        str(error) or "The credential may not act in the organization named by organization-id."
    )
    # The same sentence for a gateway to show the client (auth_request
    # passes no body): a JSON string, ASCII as a header must be.
    return problem(403, "Forbidden", detail, headers={"X-Auth-Problem": json.dumps(detail)})


async def conflict(_request, error: Conflict) -> ConnexionResponse:
    return problem(409, "Conflict", str(error))


async def idempotency_key_reused(_request, _error) -> ConnexionResponse:
    return problem(
        422,
        "Unprocessable Content",
        "This Idempotency-Key was sent with another request; use a new key for a new request.",
    )


# The IETF RateLimit fields as draft-ietf-httpapi-ratelimit-headers-10 writes
# them: the policy's quota (q) and window (w), what remains (r) and when (t).
RATE_POLICY = "generate"
_PERIOD_NAMES = {seconds: name for name, seconds in RATE_PERIODS.items()}


async def rate_limited(_request, error: RateLimited) -> ConnexionResponse:
    period = _PERIOD_NAMES.get(error.period_seconds, f"{error.period_seconds} seconds")
    return problem(
        429,
        "Too Many Requests",
        f"At most {error.limit} keys a {period} may be generated; "
        f"try again in {error.retry_after} seconds.",
        headers={
            "Retry-After": str(error.retry_after),
            "RateLimit-Policy": f'"{RATE_POLICY}";q={error.limit};w={error.period_seconds}',
            "RateLimit": f'"{RATE_POLICY}";r=0;t={error.retry_after}',
        },
    )


async def not_found(_request, _error) -> ConnexionResponse:
    return problem(404, "Not Found", "No API key with this id in the caller's organization.")


async def unavailable(_request, error) -> ConnexionResponse:
    metrics.DATABASE_UNAVAILABLE.inc()
    # The class name only: a driver's message can quote SQL and parameters.
    log.warning(
        "database unavailable (%s) request_id=%s",
        type(error.__cause__ or error).__name__,
        _request_id(),
    )
    return problem(
        503,
        "Service Unavailable",
        "The database is unavailable; try again shortly.",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


async def internal_error(_request, error) -> ConnexionResponse:
    request_id = _request_id()
    log.error("unexpected error request_id=%s", request_id, exc_info=error)
    return _internal_error_response(request_id)


def _internal_error_response(request_id: str | None) -> ConnexionResponse:
    metrics.INTERNAL_ERRORS.inc()
    return problem(
        500,
        "Internal Server Error",
        "The server failed to answer this request; quote the request id when reporting it.",
        ext={"requestId": request_id},
    )


async def spec_problem(request, error: ProblemException) -> ConnexionResponse:
    """Connexion's own problems (validation, routing); its 5xx (a response that
    does not match the spec) are internal errors like any other."""
    if error.status >= 500:
        # Its detail quotes the response, which may hold a new key: the
        # title is logged, never the detail.
        request_id = _request_id()
        log.error("%s request_id=%s", error.title, request_id)
        return _internal_error_response(request_id)
    return error.to_problem()


def register(app: FlaskApp) -> None:
    app.add_error_handler(OAuthProblem, missing_credentials)
    app.add_error_handler(Unauthenticated, unauthenticated)
    app.add_error_handler(Forbidden, forbidden)
    app.add_error_handler(NotFound, not_found)
    app.add_error_handler(Conflict, conflict)
    app.add_error_handler(IdempotencyKeyReused, idempotency_key_reused)
    app.add_error_handler(RateLimited, rate_limited)
    app.add_error_handler(Unavailable, unavailable)
    app.add_error_handler(ProblemException, spec_problem)
    app.add_error_handler(Exception, internal_error)
