"""Direct looks at what the database holds, for assertions."""

from sqlalchemy import func, select

from app.models import ApiKey


def key_count(services) -> int:
    with services.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(ApiKey))


def stored_key(services, key_id: int) -> ApiKey:
    with services.database.transaction() as session:
        return session.get(ApiKey, key_id)
