"""Limits on minting: a rate per user and organization, and a cap on an
organization's active keys. Both are kept in the database, so every process
on every machine shares one count.

The rate is GCRA (the generic cell rate algorithm): one stored instant per
user and organization, the theoretical arrival time of the next key, moved
by one upsert that grants and records in a single short statement, or
changes nothing. Unlike a sliding window it needs no log of past events,
and unlike a token bucket no separate refill step; the row's lock makes two
servers take turns, so they never grant the limit twice.
"""

import math
import time

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import Connection

from app.domain.errors import Conflict, RateLimited
from app.settings import Rate
from app.storage.models import ApiKey, GenerateRate, Organization, utc_now

_GRANT = """
INSERT INTO generate_rates (user_id, organization_id, theoretical_arrival)
VALUES (:user_id, :organization_id, :now + :interval)
ON CONFLICT (user_id, organization_id) DO UPDATE
SET theoretical_arrival = {greatest}(generate_rates.theoretical_arrival, :now) + :interval
WHERE {greatest}(generate_rates.theoretical_arrival, :now) - :now <= :tolerance
RETURNING theoretical_arrival
"""
# SQLite's two-argument max() is PostgreSQL's greatest().
_GRANTS = {
    "sqlite": text(_GRANT.format(greatest="max")),
    "postgresql": text(_GRANT.format(greatest="greatest")),
}
_rates = GenerateRate.__table__.c
_THEORETICAL_ARRIVAL = select(_rates.theoretical_arrival).where(
    _rates.user_id == bindparam("user_id"),
    _rates.organization_id == bindparam("organization_id"),
)
_keys = ApiKey.__table__.c
_LOCK_ORGANIZATION = (
    select(Organization.__table__.c.id)
    .where(Organization.__table__.c.id == bindparam("organization_id"))
    .with_for_update()
)
_ACTIVE_KEYS = select(func.count()).where(
    _keys.organization_id == bindparam("organization_id"),
    _keys.revoked_at.is_(None),
    _keys.expires_at.is_(None) | (_keys.expires_at > bindparam("now")),
)


def take_generate_turn(
    connection: Connection, rate: Rate, user_id: int, organization_id: int
) -> None:
    """Grants the user one generate in the organization, or raises
    RateLimited. Within the caller's transaction: a rollback gives it back."""
    interval = rate.period_seconds / rate.limit
    now = time.time()
    scope = {"user_id": user_id, "organization_id": organization_id}
    granted = connection.execute(
        _GRANTS[connection.dialect.name],
        {**scope, "now": now, "interval": interval, "tolerance": rate.period_seconds - interval},
    ).first()
    if granted is None:
        next_arrival = connection.execute(_THEORETICAL_ARRIVAL, scope).scalar_one()
        wait = next_arrival - now - (rate.period_seconds - interval)
        raise RateLimited(max(1, math.ceil(wait)), rate.limit, rate.period_seconds)


def claim_place(connection: Connection, organization_id: int, cap: int) -> None:
    """Holds the organization's row until the transaction ends and checks it
    has a place for one more active key; raises Conflict when it is full.

    On PostgreSQL the lock makes concurrent generates take turns, so they
    grant exactly the places left; SQLite's writers take turns already.
    """
    connection.execute(_LOCK_ORGANIZATION, {"organization_id": organization_id})
    active = connection.execute(
        _ACTIVE_KEYS, {"organization_id": organization_id, "now": utc_now()}
    ).scalar_one()
    if active >= cap:
        raise Conflict(
            f"The organization holds {active} active keys, the most it may; "
            "revoke one to generate another."
        )
