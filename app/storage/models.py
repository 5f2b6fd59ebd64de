"""The stored model: organizations, users, their memberships, and API keys."""

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Lone surrogates, which JSON strings may hold, pass through UTF-8 as written.
SURROGATES = "surrogatepass"


class ExactText(TypeDecorator):
    """Text stored as its UTF-8 bytes, so that any JSON string round-trips.

    PostgreSQL's text type refuses NUL characters and neither engine takes a
    lone surrogate, yet the API admits both in a key's name; bytes take both.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else value.encode("utf-8", SURROGATES)

    def result_processor(self, dialect, coltype):
        # One call a value (a list reads one a key), where process_result_value
        # would take three: SQLAlchemy's wrapper, the driver's conversion to
        # bytes (done here by bytes()) and the method.
        return lambda value: None if value is None else bytes(value).decode("utf-8", SURROGATES)


class UTCDateTime(TypeDecorator):
    """A UTC instant, stored without zone on both engines, read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def result_processor(self, dialect, coltype):
        # One call a value (a list reads three a key), where process_result_value
        # would take three: SQLAlchemy's wrapper, the driver's parsing and the method.
        parse = self.impl_instance.result_processor(dialect, coltype)
        if parse is None:
            return lambda value: None if value is None else value.replace(tzinfo=timezone.utc)
        return lambda value: None if value is None else parse(value).replace(tzinfo=timezone.utc)


# Ids are 64-bit on both engines: PostgreSQL's bigint; on SQLite, INTEGER
# (already 64-bit) keeps the rowid alias that AUTOINCREMENT needs.
Id = BigInteger().with_variant(Integer, "sqlite")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_upstream_id", "upstream_id", unique=True),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    # Emails compare case-insensitively: the unique key is the lower-cased form.
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bigcapital's id for the user: the ``sub`` of its id-subject tokens.
    upstream_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Membership(Base):
    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        Id, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        Index("ix_api_keys_organization_id_id", "organization_id", "id"),
        Index("ix_api_keys_parent_id", "parent_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    organization_id: Mapped[int] = mapped_column(Id, ForeignKey("organizations.id"))
    user_id: Mapped[int] = mapped_column(Id, ForeignKey("users.id"))
    name: Mapped[str | None] = mapped_column(ExactText)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A scoped key's permissions as JSON ({tag: "read" | "write"}); NULL: all
    # its user may do (app.domain.permissions).
    permissions: Mapped[str | None] = mapped_column(Text)
    # The key that minted this one; revoking it revokes this one too.
    parent_id: Mapped[int | None] = mapped_column(Id, ForeignKey("api_keys.id"))


class GenerateRate(Base):
    """Each user's generate rate in each organization, as GCRA keeps it: the
    theoretical arrival time of the next key (app.domain.limits)."""

    __tablename__ = "generate_rates"

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        Id, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    # Seconds since the epoch, as a double: microseconds are exact to 2255.
    theoretical_arrival: Mapped[float] = mapped_column(Float(precision=53))


class IdempotencyRecord(Base):
    """A generate or roll sent with an Idempotency-Key, by one user in one
    organization (app.domain.idempotency): the key only as an HMAC, and the
    response only sealed (app.domain.sealing)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_records_created_at", "created_at"),)

    user_id: Mapped[int] = mapped_column(
        Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        Id, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the method, the path and the canonical body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # "in_progress" or "done".
    state: Mapped[str] = mapped_column(String(16))
    # Counts the requests that held the record: the one whose attempt it
    # names is the only one that may complete it.
    attempt: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    sealed_response: Mapped[bytes | None] = mapped_column(LargeBinary)
