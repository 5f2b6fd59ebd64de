"""API keys: generate, list, revoke and roll (who is calling: app.domain.callers).

Every query that touches keys is scoped to the caller's organization. The
statements are built once and run on Core connections: these are the paths
every request takes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from app.domain import key_rolls, keys, limits, permissions
from app.domain.callers import Caller
from app.domain.errors import Forbidden, NotFound, Unauthenticated
from app.domain.key_rolls import RolledKey
from app.settings import Rate
from app.storage.database import Database
from app.storage.models import ApiKey, Organization, utc_now

_keys = ApiKey.__table__.c
_organizations = Organization.__table__.c

_ORGANIZATION = select(_organizations.id).where(_organizations.public_id == bindparam("public_id"))
_INSERT = insert(ApiKey.__table__).returning(_keys.id)
_LIST = (
    select(
        _keys.id,
        _keys.name,
        _keys.display_prefix,
        _keys.created_at,
        _keys.expires_at,
        _keys.last_used_at,
        _keys.permissions,
    )
    .where(_keys.organization_id == bindparam("organization_id"), _keys.revoked_at.is_(None))
    .order_by(_keys.id)
)
# Bound names differ from column names: UPDATE reserves those for its SET clause.
_IN_ORGANIZATION = and_(
    _keys.id == bindparam("target_key_id"),
    _keys.organization_id == bindparam("target_organization_id"),
)
_KEY_IN_ORGANIZATION = select(_keys.id).where(_IN_ORGANIZATION)
_REVOKE = (
    update(ApiKey.__table__)
    .where(_IN_ORGANIZATION, _keys.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"))
)


def _descendants():
    """The ids of every key minted, directly or not, by the target key."""
    children = select(_keys.id).where(_keys.parent_id == bindparam("target_key_id"))
    tree = children.cte("descendants", recursive=True)
    tree = tree.union_all(select(_keys.id).where(_keys.parent_id == tree.c.id))
    return select(tree.c.id)


_REVOKE_DESCENDANTS = (
    update(ApiKey.__table__)
    .where(_keys.id.in_(_descendants()), _keys.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"))
    .returning(_keys.id)
)
# The parent's row, locked while a child is minted, so that a revoke takes
# turns with it: no child is born to a parent revoked in the meantime.
_PARENT_STATE = select(_keys.revoked_at).where(_keys.id == bindparam("parent_id")).with_for_update()
# Called within the transaction that creates a key, with its id and the key:
# what must commit with it (app.domain.idempotency).
OnCreated = Callable[[Connection, int, str], None]


@dataclass(frozen=True)
class ListedKey:
    id: int
    name: str | None
    token: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    permissions: dict[str, str] | None


class ApiKeyService:
    def __init__(
        self,
        database: Database,
        key_ttl: timedelta | None,
        generate_rate: Rate | None = None,
        keys_per_organization: int | None = None,
    ):
        self._database = database
        self._key_ttl = key_ttl
        self._generate_rate = generate_rate
        self._keys_per_organization = keys_per_organization

    def generate(
        self,
        caller: Caller,
        name: str | None,
        scope: permissions.Permissions | None = None,
        on_created: OnCreated | None = None,
    ) -> tuple[int, str]:
        """Stores a new key for the caller, with ``scope`` as its permissions
        (None: all its user may do); returns its id and the key itself. A key
        minted by a key is its child: within its permissions, expiring no
        later, and revoked with it.

        The key is committed before this returns, and only its hash is kept.
        Raises Forbidden when a key asks for more than its own permissions,
        Unauthenticated when the minting key was revoked meanwhile,
        RateLimited over the caller's rate and Conflict when the organization
        holds its most active keys (or as ``on_created`` raises, which runs
        within the same transaction); whatever it raises, nothing changes.
        """
        parent_id = caller.api_key_id
        if parent_id is not None and not permissions.within(scope, caller.permissions):
            raise Forbidden("A key may mint only keys within its own permissions.")
        key = keys.mint_key()
        now = utc_now()
        expires_at = now + self._key_ttl if self._key_ttl else None
        if parent_id is not None and caller.expires_at is not None:
            expires_at = min(expires_at or caller.expires_at, caller.expires_at)
        with self._database.connection(atomic=True) as connection:
            if parent_id is not None:
                parent_revoked_at = connection.execute(
                    _PARENT_STATE, {"parent_id": parent_id}
                ).scalar()
                if parent_revoked_at is not None:
                    raise Unauthenticated("revoked")
            if self._generate_rate is not None:
                limits.take_generate_turn(
                    connection, self._generate_rate, caller.user_id, caller.organization_id
                )
            if self._keys_per_organization is not None:
                limits.claim_place(connection, caller.organization_id, self._keys_per_organization)
            key_id = connection.execute(
                _INSERT,
                {
                    "organization_id": caller.organization_id,
                    "user_id": caller.user_id,
                    "name": name,
                    "key_hash": keys.hash_key(key),
                    "display_prefix": keys.display_prefix(key),
                    "created_at": now,
                    "expires_at": expires_at,
                    "permissions": permissions.stored(scope),
                    "parent_id": parent_id,
                },
            ).scalar_one()
            if on_created is not None:
                on_created(connection, key_id, key)
        return key_id, key

    def roll(
        self,
        caller: Caller,
        key_id: int,
        grace: timedelta,
        on_created: OnCreated | None = None,
    ) -> RolledKey:
        """Replaces a key of the caller's organization with a new one: the
        same user, name and permissions, a fresh lifetime, and its place
        among keys minted by keys (its parent, and its children). The old key
        stops working ``grace`` from now, never later than it would have;
        with no grace it is revoked at once, without its children, which
        are the new key's now. A roll counts against the generate rate, and
        needs no place under the organization's cap.

        Raises NotFound for an id that is not a key of the organization;
        Forbidden for another user's key, or, for a key caller, a key with
        more permissions than its own; Conflict for a revoked or expired key
        (or as ``on_created`` raises); RateLimited over the caller's generate
        rate. Whatever it raises, nothing changes.
        """
        with self._database.connection(atomic=True) as connection:
            rolled = key_rolls.roll_key(
                connection, caller, key_id, grace, self._key_ttl, self._generate_rate
            )
            if on_created is not None:
                on_created(connection, rolled.new_key_id, rolled.key)
        return rolled

    def organization_id(self, public_id: str) -> int:
        """The internal id of an organization; raises NotFound."""
        with self._database.connection() as connection:
            organization_id = connection.execute(_ORGANIZATION, {"public_id": public_id}).scalar()
        if organization_id is None:
            raise NotFound
        return organization_id

    def list(self, organization_id: int) -> list[ListedKey]:
        """The organization's keys that are not revoked, oldest first."""
        with self._database.connection() as connection:
            rows = connection.execute(_LIST, {"organization_id": organization_id}).all()
        return [
            ListedKey(
                id,
                name,
                keys.masked(prefix),
                created_at,
                expires_at,
                last_used_at,
                permissions.loaded(stored),
            )
            for id, name, prefix, created_at, expires_at, last_used_at, stored in rows
        ]

    def revoke(self, organization_id: int, key_id: int) -> tuple[int, ...]:
        """Revokes a key of the organization and every key minted from it,
        directly or not; revoking twice changes nothing. Returns the ids this
        call revoked: the key's first, when it was not revoked already.

        Raises NotFound for an id that is not a key of that organization.
        """
        scope = {"target_key_id": key_id, "target_organization_id": organization_id}
        now = {"now": utc_now()}
        with self._database.connection(atomic=True) as connection:
            if connection.execute(_KEY_IN_ORGANIZATION, scope).first() is None:
                raise NotFound
            revoked = [key_id] if connection.execute(_REVOKE, {**scope, **now}).rowcount else []
            descendants = connection.execute(_REVOKE_DESCENDANTS, {**scope, **now}).scalars()
            return (*revoked, *sorted(descendants))
