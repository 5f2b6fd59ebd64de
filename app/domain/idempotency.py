"""Requests that are safe to retry: generate and roll with an Idempotency-Key
(draft-ietf-httpapi-idempotency-key-header-07).

A request claims a record for (user, organization, key) before it creates
anything, in its own short transaction, so that a concurrent repeat finds
it in progress (409). The key it creates and the record's completion, with
the response sealed (app.domain.sealing), commit in one transaction: a
server killed at any point leaves either both or neither. A record left in
progress by a crash is taken over once its lease has run out; only the
request holding the record's latest attempt may complete it, so a slow
first request that lost its lease creates nothing.

Only a 201 is stored. A refused request (4xx, 429, 503) releases its record,
as the draft lets a failed request be retried with the same key; records
are purged 24 hours after they were first claimed.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from app.domain import sealing
from app.domain.errors import IdempotencyKeyReused, InProgress
from app.storage.database import Database
from app.storage.models import IdempotencyRecord, utc_now

RETENTION = timedelta(hours=24)
# Longer than any request may run (the database's timeouts are 5 s): only a
# crashed request's record outlives it.
LEASE = timedelta(seconds=10)
PURGE_BATCH = 100
IN_PROGRESS = "in_progress"
DONE = "done"
IN_PROGRESS_DETAIL = (
    "A request with this Idempotency-Key is still in progress; retry it once it has been answered."
)

_table = IdempotencyRecord.__table__
_records = _table.c
_THIS_RECORD = (
    (_records.user_id == bindparam("target_user_id"))
    & (_records.organization_id == bindparam("target_organization_id"))
    & (_records.key_digest == bindparam("target_key_digest"))
)
_DELETE_EXPIRED_RECORD = delete(_table).where(
    _THIS_RECORD, _records.created_at < bindparam("expired_before")
)
_PURGE = delete(_table).where(
    tuple_(_records.user_id, _records.organization_id, _records.key_digest).in_(
        select(_records.user_id, _records.organization_id, _records.key_digest)
        .where(_records.created_at < bindparam("expired_before"))
        .limit(PURGE_BATCH)
    )
)
_CLAIMS = {
    dialect.name: dialect_insert(_table)
    .values(
        user_id=bindparam("target_user_id"),
        organization_id=bindparam("target_organization_id"),
        key_digest=bindparam("target_key_digest"),
        fingerprint=bindparam("fingerprint"),
        state=IN_PROGRESS,
        attempt=1,
        created_at=bindparam("now"),
    )
    .on_conflict_do_nothing()
    .returning(_records.attempt)
    for dialect, dialect_insert in (
        (postgresql.dialect, postgresql.insert),
        (sqlite.dialect, sqlite.insert),
    )
}
_RECORD = select(
    _records.fingerprint,
    _records.state,
    _records.attempt,
    _records.response_status,
    _records.sealed_response,
).where(_THIS_RECORD)
_HELD = (_records.state == IN_PROGRESS) & (_records.attempt == bindparam("held_attempt"))
_TAKE_OVER = (
    update(_table)
    .where(_THIS_RECORD, _HELD, _records.created_at < bindparam("abandoned_before"))
    .values(attempt=_records.attempt + 1, created_at=bindparam("now"))
)
_COMPLETE = (
    update(_table)
    .where(_THIS_RECORD, _HELD)
    .values(
        state=DONE,
        response_status=bindparam("status"),
        sealed_response=bindparam("sealed"),
    )
)
_RELEASE = delete(_table).where(_THIS_RECORD, _HELD)


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to a request, for its repeats."""

    status: int
    body: dict


@dataclass(frozen=True)
class Claim:
    """A record this request holds while it creates what it asks for."""

    user_id: int
    organization_id: int
    key_digest: str
    attempt: int
    idempotency_key: str = field(repr=False)

    @property
    def scope(self) -> dict:
        return {
            "target_user_id": self.user_id,
            "target_organization_id": self.organization_id,
            "target_key_digest": self.key_digest,
        }

    @property
    def identity(self) -> bytes:
        """What a sealed response is bound to: the record it is stored in."""
        return f"{self.user_id}:{self.organization_id}:{self.key_digest}".encode("ascii")


class IdempotencyRecords:
    def __init__(self, database: Database, jwt_secret: bytes):
        self._database = database
        self._secrets = sealing.server_secrets(jwt_secret)

    def claim(
        self, user_id: int, organization_id: int, idempotency_key: str, fingerprint: str
    ) -> Claim | StoredResponse:
        """The record for this request, claimed; or the stored first answer
        when the request was made before.

        Raises IdempotencyKeyReused when the key came with another request,
        and InProgress while the first request is still in progress.
        """
        claim = Claim(
            user_id,
            organization_id,
            sealing.key_digest(self._secrets, idempotency_key),
            1,
            idempotency_key,
        )
        now = utc_now()
        expired_before = {"expired_before": now - RETENTION}
        with self._database.connection(writes=True) as connection:
            connection.execute(_DELETE_EXPIRED_RECORD, {**claim.scope, **expired_before})
            connection.execute(_PURGE, expired_before)
            claimed = connection.execute(
                _CLAIMS[connection.dialect.name],
                {**claim.scope, "fingerprint": fingerprint, "now": now},
            ).first()
            if claimed is not None:
                return claim
            return self._existing(connection, claim, fingerprint, now)

    def _existing(self, connection: Connection, claim: Claim, fingerprint: str, now):
        record = connection.execute(_RECORD, claim.scope).first()
        if record is None:
            # Released by its request between our insert and this read.
            raise InProgress(IN_PROGRESS_DETAIL)
        stored_fingerprint, state, attempt, status, sealed = record
        if stored_fingerprint != fingerprint:
            raise IdempotencyKeyReused
        if state == DONE:
            body = sealing.unseal(self._secrets, claim.idempotency_key, claim.identity, sealed)
            return StoredResponse(status, json.loads(body))
        taken = connection.execute(
            _TAKE_OVER,
            {
                **claim.scope,
                "held_attempt": attempt,
                "abandoned_before": now - LEASE,
                "now": now,
            },
        )
        if taken.rowcount != 1:
            raise InProgress(IN_PROGRESS_DETAIL)
        return Claim(
            claim.user_id,
            claim.organization_id,
            claim.key_digest,
            attempt + 1,
            claim.idempotency_key,
        )

    def complete(self, connection: Connection, claim: Claim, status: int, body: dict) -> None:
        """Stores the response, sealed, within the transaction that created
        what it names. Raises InProgress when another request took the record
        over meanwhile: that transaction must then roll back."""
        plaintext = json.dumps(body, sort_keys=True).encode("ascii")
        completed = connection.execute(
            _COMPLETE,
            {
                **claim.scope,
                "held_attempt": claim.attempt,
                "status": status,
                "sealed": sealing.seal(
                    self._secrets, claim.idempotency_key, claim.identity, plaintext
                ),
            },
        )
        if completed.rowcount != 1:
            raise InProgress(IN_PROGRESS_DETAIL)

    def release(self, claim: Claim) -> None:
        """Drops the record of a request that created nothing, so that it may
        be retried with the same key."""
        with self._database.connection(writes=True) as connection:
            connection.execute(_RELEASE, {**claim.scope, "held_attempt": claim.attempt})
