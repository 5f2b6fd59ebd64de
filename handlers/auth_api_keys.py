"""The Api keys controller: generate, list, revoke, roll and verify.

Each handler takes the operation's parameters by name, calls the domain
layer and returns a JSON response (see app.web.connexion_adaptations.responses).
"""

from datetime import datetime, timedelta

from connexion.context import context

from app.domain import audit, keys, tokens
from app.domain.api_keys import ListedKey, OnCreated
from app.domain.callers import Caller
from app.domain.errors import Conflict, InProgress, NotFound, RateLimited, Unauthenticated
from app.domain.tokens import NoUpstreamSubject
from app.services import current_services
from app.web import idempotency_keys, key_scopes, metrics
from app.web.auth import record_refusal
from app.web.connexion_adaptations.requests import path_text
from app.web.connexion_adaptations.responses import json_response
from app.web.verify_headers import email_header


def _caller() -> Caller:
    return context["token_info"]["caller"]


def generate(body: dict):
    caller = _caller()
    key_scopes.require_permission(caller, "AuthApiKeysController_generate")
    scope = key_scopes.requested_permissions(body)

    def create(on_created: OnCreated | None) -> tuple[int, str]:
        try:
            key_id, key = current_services().api_keys.generate(
                caller, body.get("name"), scope, on_created
            )
        except (RateLimited, Conflict) as refusal:
            if not isinstance(refusal, InProgress):
                _refused(caller, refusal)
            raise
        _created(caller, key_id, key)
        return key_id, key

    return idempotency_keys.created_once(caller, body, create)


def roll(id_: float, body: dict | None = None):
    key_id = keys.key_id(path_text("id"))
    if key_id is None:
        raise NotFound
    caller = _caller()
    key_scopes.require_permission(caller, "AuthApiKeysController_roll")
    grace = timedelta(seconds=(body or {}).get("expiresInSeconds", 0))

    def create(on_created: OnCreated | None) -> tuple[int, str]:
        try:
            rolled = current_services().api_keys.roll(caller, key_id, grace, on_created)
        except RateLimited as refusal:
            _refused(caller, refusal)
            raise
        _created(caller, rolled.new_key_id, rolled.key)
        audit.key_rolled(
            caller.email, caller.organization_public_id, rolled.old_key_id, rolled.new_key_id
        )
        if rolled.old_key_revoked:
            audit.key_revoked(caller.email, caller.organization_public_id, rolled.old_key_id)
            metrics.KEYS_REVOKED.inc()
        return rolled.new_key_id, rolled.key

    return idempotency_keys.created_once(caller, body, create)


def _refused(caller: Caller, refusal: RateLimited | Conflict) -> None:
    reason = "rate" if isinstance(refusal, RateLimited) else "organization_full"
    audit.generate_refused(caller.email, caller.organization_public_id, reason)
    metrics.LIMITS_HIT.labels(reason).inc()


def _created(caller: Caller, key_id: int, key: str) -> None:
    metrics.KEYS_GENERATED.inc()
    audit.key_created(caller.email, caller.organization_public_id, key_id, keys.display_prefix(key))


def get_api_keys():
    caller = _caller()
    key_scopes.require_permission(caller, "AuthApiKeysController_getApiKeys")
    listed = current_services().api_keys.list(caller.organization_id)
    return json_response([_listed(key) for key in listed], 200)


def revoke(id_: float):
    # Connexion has checked the id is a number and read it through float();
    # the exact value comes from the path's text.
    key_id = keys.key_id(path_text("id"))
    if key_id is None:
        raise NotFound
    caller = _caller()
    key_scopes.require_permission(caller, "AuthApiKeysController_revoke")
    for revoked_id in current_services().api_keys.revoke(caller.organization_id, key_id):
        audit.key_revoked(caller.email, caller.organization_public_id, revoked_id)
        metrics.KEYS_REVOKED.inc()
    return json_response({"id": key_id, "revoked": True}, 200)


def verify():
    """The gateway's check, answered without Flask (see
    app.web.connexion_adaptations.direct_operations): a (payload, status,
    headers) tuple."""
    caller = _caller()
    key_scopes.require_upstream_permission(caller)
    body = {"userEmail": caller.email}
    headers = {
        # Named: Connexion cannot infer one of the operation's two media types.
        "Content-Type": "application/json",
        "Cache-Control": "no-store",
        "X-Auth-User-Email": email_header(caller.email),
    }
    if caller.organization_public_id is not None:
        body["organizationId"] = caller.organization_public_id
        headers["X-Auth-Organization-Id"] = caller.organization_public_id
    if caller.api_key_id is not None:
        body["apiKeyId"] = caller.api_key_id
        headers["X-Auth-Api-Key-Id"] = str(caller.api_key_id)
    if caller.expires_at is not None:
        body["expiresAt"] = _timestamp(caller.expires_at)
    headers["X-Auth-Upstream-Authorization"] = f"Bearer {_upstream_token(caller)}"
    return body, 200, headers


# HEAD: the same answer; the HTTP server leaves its body out.
verify_head = verify


def _upstream_token(caller: Caller) -> str:
    """Raises Unauthenticated for a key whose user the upstream cannot be
    told about: tokens' subject is the user's id, and it has none."""
    token = context["token_info"]["token"]
    if not token.startswith(keys.PREFIX):
        return token
    try:
        return tokens.exchanged_token(
            current_services().settings,
            caller.email,
            caller.upstream_id,
            caller.api_key_id,
            caller.organization_public_id,
            caller.expires_at,
        )
    except NoUpstreamSubject:
        record_refusal(token, caller.organization_public_id, "no_upstream_id")
        raise Unauthenticated("no_upstream_id") from None


def _listed(key: ListedKey) -> dict:
    # The published schema has no nullable field: absent values are left out.
    item = {
        "id": key.id,
        "token": key.token,
        "createdAt": _timestamp(key.created_at),
        "revoked": False,
    }
    if key.name is not None:
        item["name"] = key.name
    if key.expires_at is not None:
        item["expiresAt"] = _timestamp(key.expires_at)
    if key.last_used_at is not None:
        item["lastUsedAt"] = _timestamp(key.last_used_at)
    if key.permissions is not None:
        item["permissions"] = key.permissions
    return item


def _timestamp(instant: datetime) -> str:
    return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")
