"""Bigcapital's own API keys, taken into bckeys' database as bckeys keeps its
own: the SHA-256 of the whole key and its display prefix, never the key.

Each key keeps its name, expiry, revocation and creation time, its owner
(Bigcapital's user id, through the registry) and its organization; importing
twice takes nothing twice (the key hash is unique).
"""

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from app.domain import audit, keys
from app.domain.bigcapital_registry import registered
from app.storage.bigcapital import API_KEYS, TENANTS, USERS, BigcapitalDatabase
from app.storage.database import Database
from app.storage.models import ApiKey, utc_now

_api_keys = API_KEYS.c
_users = USERS.c
_tenants = TENANTS.c

# Keys whose user or tenant is gone could never authenticate: left out.
_BIGCAPITAL_KEYS = (
    select(
        _api_keys.key,
        _api_keys.name,
        _api_keys.user_id,
        _users.email,
        _tenants.organization_id,
        _api_keys.expires_at,
        _api_keys.revoked_at,
        _api_keys.created_at,
    )
    .select_from(
        API_KEYS.join(USERS, _users.id == _api_keys.user_id).join(
            TENANTS, _tenants.id == _api_keys.tenant_id
        )
    )
    .order_by(_api_keys.id)
)
_INSERT_KEY = {
    name: insert(ApiKey.__table__).on_conflict_do_nothing().returning(ApiKey.__table__.c.id)
    for name, insert in {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.items()
}


@dataclass(frozen=True)
class Imported:
    imported: int
    already_here: int
    # Not in a key format (wiped upstream already), or of no organization.
    left_out: int


def bigcapital_keys(bigcapital: BigcapitalDatabase) -> list:
    """Bigcapital's keys, plaintext included, with their owners' emails and
    organization ids. Raises Unavailable."""
    with bigcapital.connection() as connection:
        return connection.execute(_BIGCAPITAL_KEYS).all()


def import_keys(database: Database, bigcapital_keys: list, actor: str) -> Imported:
    """Stores each of ``bigcapital_keys`` (bigcapital_keys()) not stored yet,
    each with a key.created audit line naming ``actor``."""
    imported = already_here = left_out = 0
    for row in bigcapital_keys:
        if not keys.is_well_formed(row.key) or row.organization_id is None:
            left_out += 1
            continue
        user_id, organization_id = registered(database, row.user_id, row.email, row.organization_id)
        with database.connection(writes=True) as connection:
            inserted = connection.execute(
                _INSERT_KEY[connection.dialect.name],
                {
                    "organization_id": organization_id,
                    "user_id": user_id,
                    "name": row.name,
                    "key_hash": keys.hash_key(row.key),
                    "display_prefix": keys.display_prefix(row.key),
                    "created_at": _utc(row.created_at) or utc_now(),
                    "expires_at": _utc(row.expires_at),
                    "revoked_at": _utc(row.revoked_at),
                },
            ).first()
        if inserted is None:
            already_here += 1
        else:
            imported += 1
            audit.key_created(actor, row.organization_id, inserted.id, keys.display_prefix(row.key))
    return Imported(imported, already_here, left_out)


def _utc(value: datetime | None) -> datetime | None:
    # Bigcapital's knex writes times without zone, in the Node process's local
    # zone: UTC unless TZ is set, and its Docker files set none.
    return None if value is None else value.replace(tzinfo=timezone.utc)
