"""Why a credential was refused, for operators: looked up only once it has
been, so the path every accepted request takes stays one query.

The caller is never told; audit lines and metrics are.
"""

from sqlalchemy import and_, bindparam, select

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


USER_STATE = {
    "email": select(_users.active).where(_users.email_key == bindparam("subject")),
    "user_id": select(_users.active).where(_users.upstream_id == bindparam("subject")),
}


def key_refusal(state) -> str:
    if state is None:
        return "unknown"
    revoked_at, active, member = state
    if revoked_at is not None:
        return "revoked"
    if not active:
        return "inactive_user"
    return "not_member" if member is None else "unknown"
