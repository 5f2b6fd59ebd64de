"""Direct looks at what the database holds, for assertions."""

from sqlalchemy import func, select

from app.storage.models import ApiKey


def key_count(services) -> int:
    with services.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(ApiKey))


def stored_key(services, key_id: int) -> ApiKey:
    with services.database.transaction() as session:
        return session.get(ApiKey, key_id)


def key_owner(services, key_id: int) -> tuple[int, int]:
    """(organization id, user id) of a stored key."""
    stored = stored_key(services, key_id)
    return stored.organization_id, stored.user_id
