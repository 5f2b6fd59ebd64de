"""API keys: who a credential belongs to, and generate, list and revoke.

Every query that touches keys is scoped to the caller's organization. The
statements are built once and run on Core connections: these are the paths
every request takes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, insert, select, update

from app.domain import keys
from app.domain.accounts import email_key
from app.domain.errors import Forbidden, NotFound, Unauthenticated
from app.storage.database import Database
from app.storage.models import ApiKey, Membership, Organization, User, utc_now

# last_used_at is written at most this often per key, so that
# authenticating does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_keys = ApiKey.__table__.c
_users = User.__table__.c
_organizations = Organization.__table__.c
_memberships = Membership.__table__.c

_KEY_CALLER = (
    select(
        _keys.id,
        _keys.expires_at,
        _keys.last_used_at,
        _users.id,
        _users.email,
        _organizations.id,
        _organizations.public_id,
    )
    .select_from(
        ApiKey.__table__.join(User.__table__, _users.id == _keys.user_id)
        .join(Organization.__table__, _organizations.id == _keys.organization_id)
        .join(
            Membership.__table__,
            and_(
                _memberships.user_id == _keys.user_id,
                _memberships.organization_id == _keys.organization_id,
            ),
        )
    )
    .where(
        _keys.key_hash == bindparam("key_hash"),
        _keys.revoked_at.is_(None),
        _users.active.is_(True),
    )
)
_RECORD_USE = (
    update(ApiKey.__table__)
    .where(
        _keys.id == bindparam("key_id"),
        # The condition makes concurrent requests through one key write once.
        _keys.last_used_at.is_(None) | (_keys.last_used_at < bindparam("stale_before")),
    )
    .values(last_used_at=bindparam("now"))
)
# The active user and, when it is a member of the organization named, that
# organization's id (NULL otherwise): one round trip.
_USER_IN_ORGANIZATION = (
    select(_users.id, _users.email, _organizations.id)
    .select_from(
        User.__table__.outerjoin(
            Membership.__table__.join(
                Organization.__table__,
                and_(
                    _organizations.id == _memberships.organization_id,
                    _organizations.public_id == bindparam("public_id"),
                ),
            ),
            _memberships.user_id == _users.id,
        )
    )
    .where(_users.email_key == bindparam("email_key"), _users.active.is_(True))
)
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


@dataclass(frozen=True)
class Caller:
    """An authenticated user acting in one of its organizations."""

    user_id: int
    email: str
    organization_id: int
    organization_public_id: str
    api_key_id: int | None = None


@dataclass(frozen=True)
class ListedKey:
    id: int
    name: str | None
    token: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiKeyService:
    def __init__(self, database: Database, key_ttl: timedelta | None):
        self._database = database
        self._key_ttl = key_ttl

    def caller_for_key(self, key: str, organization_public_id: str | None) -> Caller:
        """The caller a well-formed key authenticates; records the key's use.

        Raises Unauthenticated for a key that is unknown, revoked, expired,
        whose user is inactive or no longer a member of the key's organization;
        Forbidden when ``organization_public_id`` names another organization.
        """
        now = utc_now()
        with self._database.connection() as connection:
            row = connection.execute(_KEY_CALLER, {"key_hash": keys.hash_key(key)}).first()
            if row is None:
                raise Unauthenticated
            key_id, expires_at, last_used_at, user_id, email, organization_id, public_id = row
            if expires_at is not None and expires_at <= now:
                raise Unauthenticated
            if organization_public_id is not None and organization_public_id != public_id:
                raise Forbidden
            if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
                connection.execute(
                    _RECORD_USE,
                    {"key_id": key_id, "now": now, "stale_before": now - LAST_USED_RESOLUTION},
                )
        return Caller(user_id, email, organization_id, public_id, key_id)

    def caller_for_user(self, email: str, organization_public_id: str | None) -> Caller:
        """The caller a verified token's ``sub`` names, in the organization asked for.

        Raises Unauthenticated for an unknown or inactive user; Forbidden when
        the user is not a member of that organization (or it does not exist).
        """
        with self._database.connection() as connection:
            row = connection.execute(
                _USER_IN_ORGANIZATION,
                {"email_key": email_key(email), "public_id": organization_public_id},
            ).first()
        if row is None:
            raise Unauthenticated
        user_id, user_email, organization_id = row
        if organization_public_id is None:
            # The required header is missing: request validation answers 400
            # for it before any handler runs.
            return Caller(user_id, user_email, 0, "")
        if organization_id is None:
            raise Forbidden
        return Caller(user_id, user_email, organization_id, organization_public_id)

    def generate(self, caller: Caller, name: str | None) -> tuple[int, str]:
        """Stores a new key for the caller; returns its id and the key itself.

        The key is committed before this returns, and only its hash is kept.
        """
        key = keys.mint_key()
        now = utc_now()
        with self._database.connection(writes=True) as connection:
            key_id = connection.execute(
                _INSERT,
                {
                    "organization_id": caller.organization_id,
                    "user_id": caller.user_id,
                    "name": name,
                    "key_hash": keys.hash_key(key),
                    "display_prefix": keys.display_prefix(key),
                    "created_at": now,
                    "expires_at": now + self._key_ttl if self._key_ttl else None,
                },
            ).scalar_one()
        return key_id, key

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
            ListedKey(id, name, keys.masked(prefix), created_at, expires_at, last_used_at)
            for id, name, prefix, created_at, expires_at, last_used_at in rows
        ]

    def revoke(self, organization_id: int, key_id: int) -> None:
        """Revokes a key of the organization; revoking twice changes nothing.

        Raises NotFound for an id that is not a key of that organization.
        """
        scope = {"target_key_id": key_id, "target_organization_id": organization_id}
        with self._database.connection(writes=True) as connection:
            if connection.execute(_KEY_IN_ORGANIZATION, scope).first() is None:
                raise NotFound
            connection.execute(_REVOKE, {**scope, "now": utc_now()})
