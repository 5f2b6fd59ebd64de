"""Rolling a key: a new key in the old one's place, the old one retired now
or after a grace period, so that a key is replaced without downtime.

The statements run within the caller's transaction (app.domain.api_keys).
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.engine import Connection

from app.domain import keys, limits, permissions
from app.domain.callers import Caller
from app.domain.errors import Conflict, Forbidden, NotFound
from app.settings import Rate
from app.storage.models import ApiKey, utc_now

_keys = ApiKey.__table__.c
_IN_ORGANIZATION = (_keys.id == bindparam("target_key_id")) & (
    _keys.organization_id == bindparam("target_organization_id")
)
_INSERT = insert(ApiKey.__table__).returning(_keys.id)
_PARENT = select(_keys.revoked_at, _keys.expires_at).where(_keys.id == bindparam("parent_id"))
# The key a roll replaces, locked so that rolls and revokes of it take turns.
# A revoke locks a parent before its children: a roll, its key's parent first.
_ROLLED_PARENT = select(_keys.parent_id).where(_IN_ORGANIZATION)
_ROLLED = (
    select(
        _keys.user_id,
        _keys.name,
        _keys.permissions,
        _keys.parent_id,
        _keys.expires_at,
        _keys.revoked_at,
    )
    .where(_IN_ORGANIZATION)
    .with_for_update()
)
# The rolled key's children become its successor's, expiring no later.
_ADOPT_CHILDREN = (
    update(ApiKey.__table__)
    .where(_keys.parent_id == bindparam("old_key_id"))
    .values(
        parent_id=bindparam("new_key_id"),
        expires_at=case(
            (bindparam("cap", type_=ApiKey.expires_at.type).is_(None), _keys.expires_at),
            (_keys.expires_at.is_(None) | (_keys.expires_at > bindparam("cap")), bindparam("cap")),
            else_=_keys.expires_at,
        ),
    )
)
_RETIRE = (
    update(ApiKey.__table__)
    .where(_keys.id == bindparam("old_key_id"))
    .values(revoked_at=bindparam("revoked_at"), expires_at=bindparam("expires_at"))
)


@dataclass(frozen=True)
class RolledKey:
    old_key_id: int
    new_key_id: int
    key: str
    # Whether the old key was revoked at once (no grace period).
    old_key_revoked: bool


def roll_key(
    connection: Connection,
    caller: Caller,
    key_id: int,
    grace: timedelta,
    key_ttl: timedelta | None,
    generate_rate: Rate | None,
) -> RolledKey:
    """Replaces a key of the caller's organization with a new one, within
    the connection's transaction (see ApiKeyService.roll)."""
    now = utc_now()
    target = {"target_key_id": key_id, "target_organization_id": caller.organization_id}
    parent_id = connection.execute(_ROLLED_PARENT, target).scalar()
    parent = None
    if parent_id is not None:
        parent = connection.execute(_PARENT.with_for_update(), {"parent_id": parent_id}).first()
    old = connection.execute(_ROLLED, target).first()
    if old is None:
        raise NotFound
    user_id, name, stored_permissions, locked_parent_id, old_expires_at, revoked_at = old
    if locked_parent_id != parent_id:
        raise Conflict("The key was changed by another request; try again.")
    # The successor acts as the old key's user: only that user may
    # hold it, and a key may not obtain more than it may do itself.
    if user_id != caller.user_id:
        raise Forbidden("A key may be rolled only by its own user.")
    if caller.api_key_id is not None and not permissions.within(
        permissions.loaded(stored_permissions), caller.permissions
    ):
        raise Forbidden("A key may roll only keys within its own permissions.")
    expired = old_expires_at is not None and old_expires_at <= now
    # A revoked parent: its revoke is revoking this key too.
    if revoked_at is not None or expired or (parent and parent.revoked_at is not None):
        raise Conflict("The key is revoked or expired; generate a new one instead.")
    expires_at = now + key_ttl if key_ttl else None
    if parent is not None and parent.expires_at is not None:
        expires_at = min(expires_at or parent.expires_at, parent.expires_at)
    if generate_rate is not None:
        limits.take_generate_turn(connection, generate_rate, caller.user_id, caller.organization_id)
    key = keys.mint_key()
    new_key_id = connection.execute(
        _INSERT,
        {
            "organization_id": caller.organization_id,
            "user_id": user_id,
            "name": name,
            "key_hash": keys.hash_key(key),
            "display_prefix": keys.display_prefix(key),
            "created_at": now,
            "expires_at": expires_at,
            "permissions": stored_permissions,
            "parent_id": parent_id,
        },
    ).scalar_one()
    connection.execute(
        _ADOPT_CHILDREN,
        {"old_key_id": key_id, "new_key_id": new_key_id, "cap": expires_at},
    )
    grace_ends = now + grace
    connection.execute(
        _RETIRE,
        {
            "old_key_id": key_id,
            "revoked_at": None if grace else now,
            "expires_at": min(old_expires_at or grace_ends, grace_ends)
            if grace
            else old_expires_at,
        },
    )
    return RolledKey(key_id, new_key_id, key, not grace)
