"""Who is calling: the user, organization and key a credential stands for.

Keys are looked up by their hash, tokens exchanged for a key by the key's
id, JWTs by their subject (an email, or Bigcapital's user id); each in one
round trip, and nothing is cached, so a revoked key, a deactivated user or
a removed membership stops working on the very next request.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, select, update

from app.domain import keys, permissions, refusals
from app.domain.accounts import email_key
from app.domain.errors import Forbidden, Unauthenticated
from app.storage.database import Database
from app.storage.models import ApiKey, Membership, Organization, User, utc_now

# last_used_at is written at most this often per key, so that
# authenticating does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_keys = ApiKey.__table__.c
_users = User.__table__.c
_organizations = Organization.__table__.c
_memberships = Membership.__table__.c


def _key_caller(condition):
    """The active key's facts and its user's and organization's, while the
    user is active and a member: one round trip."""
    return (
        select(
            _keys.id,
            _keys.expires_at,
            _keys.last_used_at,
            _keys.permissions,
            _users.id,
            _users.email,
            _users.upstream_id,
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
        .where(condition, _keys.revoked_at.is_(None), _users.active.is_(True))
    )


_BY_HASH = _keys.key_hash == bindparam("key_hash")
_BY_ID = _keys.id == bindparam("key_id")
_KEY_CALLER = {_BY_HASH: _key_caller(_BY_HASH), _BY_ID: _key_caller(_BY_ID)}
_KEY_STATE = {_BY_HASH: refusals.key_state(_BY_HASH), _BY_ID: refusals.key_state(_BY_ID)}
_RECORD_USE = (
    update(ApiKey.__table__)
    .where(
        _keys.id == bindparam("key_id"),
        # The condition makes concurrent requests through one key write once.
        _keys.last_used_at.is_(None) | (_keys.last_used_at < bindparam("stale_before")),
    )
    .values(last_used_at=bindparam("now"))
)


def _user_in_organization(condition):
    """The active user and, when it is a member of the organization named,
    that organization's id (NULL otherwise): one round trip."""
    return (
        select(_users.id, _users.email, _users.upstream_id, _organizations.id)
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
        .where(condition, _users.active.is_(True))
    )


# The user a JWT's sub names, by APP_JWT_SUBJECT.
_SUBJECT = {
    "email": _users.email_key == bindparam("subject"),
    "user_id": _users.upstream_id == bindparam("subject"),
}


@dataclass(frozen=True)
class Caller:
    """An authenticated user, acting in one of its organizations (None when
    the request named none: verify with a JWT)."""

    user_id: int
    email: str
    upstream_id: int | None
    organization_id: int | None
    organization_public_id: str | None
    api_key_id: int | None = None
    # When the credential stops working: a key's expiry, a JWT's exp.
    expires_at: datetime | None = None
    # A scoped key's permissions (app.domain.permissions); None: all the
    # user may do.
    permissions: Mapping[str, str] | None = None


def record_use(connection, key_id: int, now: datetime) -> None:
    """Writes the key's last use, unless another request did less than
    LAST_USED_RESOLUTION ago. Both implementations of this interface record
    it here."""
    connection.execute(
        _RECORD_USE, {"key_id": key_id, "now": now, "stale_before": now - LAST_USED_RESOLUTION}
    )


def exchanged_token_caller(key_caller: Caller, token_organization_id: str) -> Caller:
    """The caller of a token verify exchanged for a key, given the caller
    that key is now: worth what the key is, and only in the key's
    organization, so a token cannot be carried into another.

    Raises Unauthenticated when the token names another organization than
    its key's. Both implementations of this interface check it here.
    """
    if key_caller.organization_public_id != token_organization_id:
        raise Unauthenticated("malformed")
    return key_caller


class Callers:
    def __init__(self, database: Database, jwt_subject: str = "email"):
        self._database = database
        self._user_in_organization = _user_in_organization(_SUBJECT[jwt_subject])
        self._user_state = refusals.user_state(_SUBJECT[jwt_subject])
        self._jwt_subject = jwt_subject

    def caller_for_key(self, key: str, organization_public_id: str | None) -> Caller:
        """The caller a well-formed key authenticates; records the key's use.

        Raises Unauthenticated for a key that is unknown, revoked, expired,
        whose user is inactive or no longer a member of the key's organization;
        Forbidden when ``organization_public_id`` names another organization.
        """
        return self._key_caller(_BY_HASH, {"key_hash": keys.hash_key(key)}, organization_public_id)

    def caller_for_exchanged_token(
        self, key_id: int, token_organization_id: str, organization_public_id: str | None
    ) -> Caller:
        """See exchanged_token_caller; raises as caller_for_key does too."""
        caller = self._key_caller(_BY_ID, {"key_id": key_id}, organization_public_id)
        return exchanged_token_caller(caller, token_organization_id)

    def _key_caller(self, lookup, parameters: dict, organization_public_id: str | None):
        now = utc_now()
        with self._database.connection() as connection:
            row = connection.execute(_KEY_CALLER[lookup], parameters).first()
            if row is None:
                state = connection.execute(_KEY_STATE[lookup], parameters).first()
                raise Unauthenticated(refusals.key_refusal(state))
            (
                key_id,
                expires_at,
                last_used_at,
                stored_permissions,
                user_id,
                email,
                upstream_id,
                organization_id,
                public_id,
            ) = row
            if expires_at is not None and expires_at <= now:
                raise Unauthenticated("expired")
            if organization_public_id is not None and organization_public_id != public_id:
                raise Forbidden
            if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
                record_use(connection, key_id, now)
        return Caller(
            user_id,
            email,
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
        """The caller a verified token's ``sub`` names, in the organization asked for.

        Raises Unauthenticated for an unknown or inactive user; Forbidden when
        the user is not a member of that organization (or it does not exist).
        """
        if self._jwt_subject == "user_id":
            upstream_id = keys.key_id(subject)  # the same 64-bit integer grammar
            if upstream_id is None or subject != str(upstream_id):
                raise Unauthenticated("unknown")
            lookup = upstream_id
        else:
            lookup = email_key(subject)
        with self._database.connection() as connection:
            row = connection.execute(
                self._user_in_organization,
                {"subject": lookup, "public_id": organization_public_id},
            ).first()
        if row is None:
            raise Unauthenticated(self._user_refusal(lookup))
        user_id, user_email, upstream_id, organization_id = row
        if organization_public_id is None:
            # Verify with a JWT may name no organization; for every other
            # operation request validation answers 400 for the missing header.
            return Caller(user_id, user_email, upstream_id, None, None, expires_at=expires_at)
        if organization_id is None:
            raise Forbidden
        return Caller(
            user_id,
            user_email,
            upstream_id,
            organization_id,
            organization_public_id,
            expires_at=expires_at,
        )

    def _user_refusal(self, lookup) -> str:
        with self._database.connection() as connection:
            active = connection.execute(self._user_state, {"subject": lookup}).first()
        return "unknown" if active is None else "inactive_user"
