"""Audit events: keys created, rolled and revoked, credentials rejected, and
every change an operator makes to organizations and users.

Each names who, and what it concerns: an organization, a key id and its
display prefix, or a user; never a key, a token or an Authorization header.
"""

import logging
import re

from app.domain.keys import DISPLAY_PREFIX_LENGTH, credential_kind
from app.logs import printable

audit_log = logging.getLogger("bckeys.audit")
# The form of the organization ids this server hands out.
_ORGANIZATION_ID = re.compile(r"org_[0-9a-f]{20}")


def _event(event: str, **fields) -> None:
    audit_log.info(
        " ".join(["%s", *(f"{name}=%s" for name in fields)]),
        event,
        *fields.values(),
        extra={"event": event, **fields},
    )


def key_created(actor: str, organization_id: str, key_id: int, display_prefix: str) -> None:
    _event(
        "key.created",
        actor=actor,
        organization_id=organization_id,
        key_id=key_id,
        display_prefix=display_prefix,
    )


def generate_refused(actor: str, organization_id: str, reason: str) -> None:
    """A generate over the caller's rate or the organization's cap."""
    _event("key.generate_refused", actor=actor, organization_id=organization_id, reason=reason)


def key_revoked(actor: str, organization_id: str, key_id: int) -> None:
    _event("key.revoked", actor=actor, organization_id=organization_id, key_id=key_id)


def organization_created(actor: str, organization_id: str, organization_name: str) -> None:
    _event(
        "organization.created",
        actor=actor,
        organization_id=organization_id,
        organization_name=organization_name,
    )


def member_added(actor: str, email: str, organization_id: str) -> None:
    _event("user.added", actor=actor, email=email, organization_id=organization_id)


def member_removed(actor: str, email: str, organization_id: str) -> None:
    """The user taken out of the organization; its keys there are revoked,
    each with a key.revoked line of its own."""
    _event("user.removed", actor=actor, email=email, organization_id=organization_id)


def user_activation_set(actor: str, email: str, active: bool) -> None:
    _event("user.activated" if active else "user.deactivated", actor=actor, email=email)


def key_rolled(actor: str, organization_id: str, old_key_id: int, new_key_id: int) -> None:
    """A key replaced by a new one (key.created names the new one too)."""
    _event(
        "key.rolled",
        actor=actor,
        organization_id=organization_id,
        old_key_id=old_key_id,
        new_key_id=new_key_id,
    )


def upstream_id_set(actor: str, email: str, old: int | None, new: int) -> None:
    """Bigcapital's id recorded for a user: the ``sub`` its tokens carry
    under APP_JWT_SUBJECT=user_id, so a change hands over an identity."""
    _event(
        "user.upstream_id_set", actor=actor, email=email, old_upstream_id=old, new_upstream_id=new
    )


def credential_rejected(token: str, organization_id: str | None, reason: str) -> None:
    """A bad credential: its kind, for a key only its display prefix, and
    the bounded reason it was refused for (app.domain.errors.REFUSAL_REASONS).

    The ``organization-id`` header is not yet validated: a key pasted there by
    mistake must not reach the log, so only an organization id of our own
    form is logged as sent; anything else, by its length alone.
    """
    kind = credential_kind(token)
    _event(
        "credential.rejected",
        kind=kind,
        display_prefix=printable(token[:DISPLAY_PREFIX_LENGTH]) if kind == "api_key" else None,
        organization_id=_loggable_organization_id(organization_id),
        reason=reason,
    )


def _loggable_organization_id(sent: str | None) -> str | None:
    if sent is None or _ORGANIZATION_ID.fullmatch(sent):
        return sent
    return f"[{len(sent)} characters]"
