"""Why a credential was refused, for operators: looked up only once it has
been, so the path every accepted request takes stays one query.

The caller is never told; audit lines and metrics are.
"""

from sqlalchemy import and_, select

from app.storage.models import ApiKey, Membership, User

_keys = ApiKey.__table__.c
_users = User.__table__.c
_memberships = Membership.__table__.c


def key_state(condition):
    """What stops a key from authenticating, looked up only once it has."""
    return (
        select(_keys.revoked_at, _users.active, _memberships.user_id)
        .select_from(
            ApiKey.__table__.join(User.__table__, _users.id == _keys.user_id).outerjoin(
                Membership.__table__,
                and_(
                    _memberships.user_id == _keys.user_id,
                    _memberships.organization_id == _keys.organization_id,
                ),
            )
        )
        .where(condition)
    )


def user_state(condition):
    """Whether the user a token names exists, and is active."""
    return select(_users.active).where(condition)


def key_refusal(state) -> str:
    if state is None:
        return "unknown"
    revoked_at, active, member = state
    if revoked_at is not None:
        return "revoked"
    if not active:
        return "inactive_user"
    return "not_member" if member is None else "unknown"
