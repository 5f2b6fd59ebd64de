"""Who is calling, when accounts come from Bigcapital's system database.

The same interface as app.domain.callers, implemented whole: keys stay in
bckeys' database, but whether their user exists, is active and belongs to
the organization is read from Bigcapital's, live, on every request (no
cache): a user deactivated, deleted or moved there is refused on the next
request. A key is checked against the Bigcapital user id recorded when it
was minted or imported, so a deleted user's keys never come back for a new
user with the same email.
"""

from datetime import datetime

from sqlalchemy import bindparam, select

from app.domain import keys, permissions
from app.domain.accounts import email_key
from app.domain.bigcapital_registry import registered
from app.domain.callers import (
    LAST_USED_RESOLUTION,
    Caller,
    exchanged_token_caller,
    record_use,
)
from app.domain.errors import Forbidden, Unauthenticated
from app.storage.bigcapital import TENANTS, USERS, BigcapitalDatabase
from app.storage.database import Database
from app.storage.models import ApiKey, Organization, User, utc_now

_keys = ApiKey.__table__.c
_users = User.__table__.c
_organizations = Organization.__table__.c
_bigcapital_users = USERS.c
_tenants = TENANTS.c


def _key(condition):
    """The key, revoked or not, with its owner's Bigcapital id and its
    organization's: one round trip to bckeys' database."""
    return (
        select(
            _keys.id,
            _keys.expires_at,
            _keys.last_used_at,
            _keys.revoked_at,
            _keys.permissions,
            _users.id,
            _users.upstream_id,
            _organizations.id,
            _organizations.public_id,
        )
        .select_from(
            ApiKey.__table__.join(User.__table__, _users.id == _keys.user_id).join(
                Organization.__table__, _organizations.id == _keys.organization_id
            )
        )
        .where(condition)
    )


_KEY_BY_HASH = _key(_keys.key_hash == bindparam("key_hash"))
_KEY_BY_ID = _key(_keys.id == bindparam("key_id"))


def _bigcapital_user(condition):
    """Bigcapital's user and its tenant's organization id: one round trip."""
    return (
        select(
            _bigcapital_users.id,
            _bigcapital_users.email,
            _bigcapital_users.active,
            _bigcapital_users.verified,
            _bigcapital_users.deleted_at,
            _tenants.organization_id,
        )
        .select_from(USERS.outerjoin(TENANTS, _tenants.id == _bigcapital_users.tenant_id))
        .where(condition)
    )


_USER_BY_ID = _bigcapital_user(_bigcapital_users.id == bindparam("user_id"))
# The column's collation (case-insensitive, and folding more than ASCII)
# finds the candidates; Python keeps those bckeys would call the same email.
_USERS_BY_EMAIL = _bigcapital_user(_bigcapital_users.email == bindparam("email"))


def usable(user) -> bool:
    """Whether Bigcapital's user may act: not deactivated (Bigcapital's own
    token check ignores the flag), not soft-deleted, its email verified (as
    Bigcapital's EnsureUserVerifiedGuard requires)."""
    return user.active is True and user.deleted_at is None and user.verified is True


class BigcapitalCallers:
    def __init__(self, database: Database, bigcapital: BigcapitalDatabase, jwt_subject="email"):
        self._database = database
        self.bigcapital = bigcapital
        self._jwt_subject = jwt_subject

    def caller_for_key(self, key: str, organization_public_id: str | None) -> Caller:
        """The caller a well-formed key authenticates; records the key's use.

        Raises Unauthenticated for a key that is unknown, revoked or expired,
        whose Bigcapital user is gone, deactivated, unverified or
        soft-deleted, or no longer in the key's organization; Forbidden when
        ``organization_public_id`` names another organization. Unavailable
        when either database cannot answer.
        """
        return self._key_caller(
            _KEY_BY_HASH, {"key_hash": keys.hash_key(key)}, organization_public_id
        )

    def caller_for_exchanged_token(
        self, key_id: int, token_organization_id: str, organization_public_id: str | None
    ) -> Caller:
        """See app.domain.callers.exchanged_token_caller; raises as
        caller_for_key does too."""
        caller = self._key_caller(_KEY_BY_ID, {"key_id": key_id}, organization_public_id)
        return exchanged_token_caller(caller, token_organization_id)

    def _key_caller(self, lookup, parameters: dict, organization_public_id: str | None):
        now = utc_now()
        with self._database.connection() as connection:
            row = connection.execute(lookup, parameters).first()
        if row is None:
            raise Unauthenticated("unknown")
        (
            key_id,
            expires_at,
            last_used_at,
            revoked_at,
            stored_permissions,
            user_id,
            upstream_id,
            organization_id,
            public_id,
        ) = row
        if revoked_at is not None:
            raise Unauthenticated("revoked")
        if upstream_id is None:
            # A key minted for a local account: no Bigcapital user to check.
            raise Unauthenticated("unknown")
        with self.bigcapital.connection() as connection:
            user = connection.execute(_USER_BY_ID, {"user_id": upstream_id}).first()
        if user is None or not usable(user):
            raise Unauthenticated("inactive_user")
        if user.organization_id != public_id:
            raise Unauthenticated("not_member")
        if expires_at is not None and expires_at <= now:
            raise Unauthenticated("expired")
        if organization_public_id is not None and organization_public_id != public_id:
            raise Forbidden
        if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
            with self._database.connection() as connection:
                record_use(connection, key_id, now)
        return Caller(
            user_id,
            user.email,
            upstream_id,
            organization_id,
            public_id,
            key_id,
            expires_at,
            permissions.loaded(stored_permissions),
        )

    def caller_for_user(
        self,
        subject: str,
        organization_public_id: str | None,
        expires_at: datetime | None = None,
    ) -> Caller:
        """The caller a verified token's ``sub`` names (Bigcapital's user by
        email, or by id), in the organization asked for; registers the user
        and organization on first sight.

        Raises Unauthenticated for an unknown user or one that may not act
        (see usable); Forbidden when the organization is not the user's
        tenant's (a Bigcapital user has one).
        """
        user = self._user(subject)
        if user is None:
            raise Unauthenticated("unknown")
        if not usable(user):
            raise Unauthenticated("inactive_user")
        if organization_public_id is not None and organization_public_id != user.organization_id:
            raise Forbidden
        user_id, organization_id = registered(
            self._database, user.id, user.email, organization_public_id
        )
        return Caller(
            user_id,
            user.email,
            user.id,
            organization_id,
            organization_public_id,
            expires_at=expires_at,
        )

    def _user(self, subject: str):
        if self._jwt_subject == "user_id":
            upstream_id = keys.key_id(subject)  # the same 64-bit integer grammar
            if upstream_id is None or subject != str(upstream_id):
                return None
            with self.bigcapital.connection() as connection:
                return connection.execute(_USER_BY_ID, {"user_id": upstream_id}).first()
        if not _storable(subject):
            return None
        with self.bigcapital.connection() as connection:
            candidates = connection.execute(_USERS_BY_EMAIL, {"email": subject}).all()
        same = [user for user in candidates if email_key(user.email) == email_key(subject)]
        # Two users bckeys cannot tell apart are neither of them.
        return same[0] if len(same) == 1 else None


def _storable(email: str) -> bool:
    """Whether Bigcapital's utf8 email column could hold the text: no lone
    surrogate (not UTF-8 at all) and nothing past the Basic Multilingual
    Plane (3 bytes a character), which MariaDB would refuse to compare."""
    return all(ord(char) <= 0xFFFF and not 0xD800 <= ord(char) <= 0xDFFF for char in email)
