"""API keys: who a credential belongs to, and generate, list and revoke.

Every query that touches keys is scoped to the caller's organization.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select, update

from app import keys
from app.database import Database
from app.errors import Forbidden, NotFound, Unauthenticated
from app.models import ApiKey, Membership, Organization, User, utc_now

# last_used_at is written at most this often per key, so that
# authenticating does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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
        """The caller a well-formed key authenticates.

        Raises Unauthenticated for a key that is unknown, revoked, expired,
        whose user is inactive or no longer a member of the key's organization;
        Forbidden when ``organization_public_id`` names another organization.
        """
        query = (
            select(
                ApiKey.id,
                ApiKey.expires_at,
                ApiKey.last_used_at,
                User.id,
                User.email,
                Organization.id,
                Organization.public_id,
            )
            .join(User, User.id == ApiKey.user_id)
            .join(Organization, Organization.id == ApiKey.organization_id)
            .join(
                Membership,
                and_(
                    Membership.user_id == ApiKey.user_id,
                    Membership.organization_id == ApiKey.organization_id,
                ),
            )
            .where(
                ApiKey.key_hash == keys.hash_key(key),
                ApiKey.revoked_at.is_(None),
                User.active.is_(True),
            )
        )
        now = utc_now()
        with self._database.transaction() as session:
            row = session.execute(query).first()
            if row is None:
                raise Unauthenticated
            key_id, expires_at, last_used_at, user_id, email, organization_id, public_id = row
            if expires_at is not None and expires_at <= now:
                raise Unauthenticated
            if organization_public_id is not None and organization_public_id != public_id:
                raise Forbidden
            if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
                self._record_use(session, key_id, now)
        return Caller(user_id, email, organization_id, public_id, key_id)

    def caller_for_user(self, email: str, organization_public_id: str | None) -> Caller:
        """The caller a verified token's ``sub`` names, in the organization asked for.

        Raises Unauthenticated for an unknown or inactive user; Forbidden when
        the user is not a member of that organization (or it does not exist).
        """
        with self._database.transaction() as session:
            user = session.execute(
                select(User.id, User.email).where(
                    User.email_key == email.lower(), User.active.is_(True)
                )
            ).first()
            if user is None:
                raise Unauthenticated
            if organization_public_id is None:
                # The required header is missing: request validation answers
                # 400 for it before any handler runs.
                return Caller(user.id, user.email, 0, "")
            organization_id = session.scalar(
                select(Organization.id)
                .join(Membership, Membership.organization_id == Organization.id)
                .where(
                    Organization.public_id == organization_public_id,
                    Membership.user_id == user.id,
                )
            )
        if organization_id is None:
            raise Forbidden
        return Caller(user.id, user.email, organization_id, organization_public_id)

    def generate(self, caller: Caller, name: str | None) -> tuple[int, str]:
        """Stores a new key for the caller; returns its id and the key itself.

        The key is committed before this returns, and only its hash is kept.
        """
        key = keys.mint_key()
        now = utc_now()
        api_key = ApiKey(
            organization_id=caller.organization_id,
            user_id=caller.user_id,
            name=name,
            key_hash=keys.hash_key(key),
            display_prefix=keys.display_prefix(key),
            created_at=now,
            expires_at=now + self._key_ttl if self._key_ttl else None,
        )
        with self._database.transaction() as session:
            session.add(api_key)
            session.flush()
            return api_key.id, key

    def organization_id(self, public_id: str) -> int:
        """The internal id of an organization; raises NotFound."""
        with self._database.transaction() as session:
            organization_id = session.scalar(
                select(Organization.id).where(Organization.public_id == public_id)
            )
        if organization_id is None:
            raise NotFound
        return organization_id

    def list(self, organization_id: int) -> list[ListedKey]:
        """The organization's keys that are not revoked, oldest first."""
        query = (
            select(
                ApiKey.id,
                ApiKey.name,
                ApiKey.display_prefix,
                ApiKey.created_at,
                ApiKey.expires_at,
                ApiKey.last_used_at,
            )
            .where(
                ApiKey.organization_id == organization_id,
                ApiKey.revoked_at.is_(None),
            )
            .order_by(ApiKey.id)
        )
        with self._database.transaction() as session:
            rows = session.execute(query).all()
        return [
            ListedKey(id, name, keys.masked(prefix), created_at, expires_at, last_used_at)
            for id, name, prefix, created_at, expires_at, last_used_at in rows
        ]

    def revoke(self, organization_id: int, key_id: int) -> None:
        """Revokes a key of the organization; revoking twice changes nothing.

        Raises NotFound for an id that is not a key of that organization.
        """
        in_organization = and_(ApiKey.id == key_id, ApiKey.organization_id == organization_id)
        with self._database.transaction() as session:
            if session.scalar(select(ApiKey.id).where(in_organization)) is None:
                raise NotFound
            session.execute(
                update(ApiKey)
                .where(in_organization, ApiKey.revoked_at.is_(None))
                .values(revoked_at=utc_now())
            )

    @staticmethod
    def _record_use(session, key_id: int, now: datetime) -> None:
        # The condition makes concurrent requests through one key write once.
        session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == key_id,
                ApiKey.last_used_at.is_(None) | (ApiKey.last_used_at < now - LAST_USED_RESOLUTION),
            )
            .values(last_used_at=now)
        )
