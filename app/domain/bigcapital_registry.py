"""The identities bckeys has seen in Bigcapital, in its own users and
organizations tables: what its keys, limits and lists refer to.

A registry row is written the first time a user or organization is seen and
never consulted for whether a user is active or a member: Bigcapital's
database answers that on every request (app.domain.bigcapital_callers).
"""

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from app.storage.database import Database
from app.storage.models import Organization, User, utc_now

_users = User.__table__.c
_organizations = Organization.__table__.c

_IDS = select(
    select(_users.id).where(_users.upstream_id == bindparam("upstream_id")).scalar_subquery(),
    select(_organizations.id)
    .where(_organizations.public_id == bindparam("public_id"))
    .scalar_subquery(),
)
# ON CONFLICT DO NOTHING: of two requests registering one identity at once,
# one inserts and the other changes nothing; both then read the same row.
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_INSERT_USER = {
    name: insert(User.__table__).on_conflict_do_nothing() for name, insert in _INSERTS.items()
}
_INSERT_ORGANIZATION = {
    name: insert(Organization.__table__).on_conflict_do_nothing()
    for name, insert in _INSERTS.items()
}


def registry_email_key(upstream_id: int) -> str:
    """The unique key of a Bigcapital user's row. Not the email: a user
    deleted in Bigcapital and a new one with the same email are two users,
    and the first one's keys must never work for the second."""
    return f"bigcapital-user:{upstream_id}"


def registered(
    database: Database, upstream_id: int, email: str, organization_public_id: str | None
) -> tuple[int, int | None]:
    """The ids of the rows standing for Bigcapital's user ``upstream_id``
    and for the organization (None when none is named), written if new."""
    parameters = {"upstream_id": upstream_id, "public_id": organization_public_id}
    with database.connection() as connection:
        user_id, organization_id = connection.execute(_IDS, parameters).one()
    if user_id is not None and (organization_id is not None or organization_public_id is None):
        return user_id, organization_id
    with database.connection(writes=True) as connection:
        dialect = connection.dialect.name
        connection.execute(
            _INSERT_USER[dialect],
            {
                "email": email,
                "email_key": registry_email_key(upstream_id),
                "active": True,
                "upstream_id": upstream_id,
                "created_at": utc_now(),
            },
        )
        if organization_public_id is not None:
            connection.execute(
                _INSERT_ORGANIZATION[dialect],
                {
                    "public_id": organization_public_id,
                    "name": organization_public_id,
                    "created_at": utc_now(),
                },
            )
        user_id, organization_id = connection.execute(_IDS, parameters).one()
    return user_id, organization_id
