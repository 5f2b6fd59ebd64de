"""What a running server holds: settings, database and the services on it.

The edge middleware makes the app's Services current for each request, so
that the security step and the handlers reach the right database.
"""

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from app.domain.api_keys import ApiKeyService
from app.domain.bigcapital_callers import BigcapitalCallers
from app.domain.callers import Callers
from app.domain.idempotency import IdempotencyRecords
from app.domain.tokens import TokenVerifier
from app.domain.upstream_operations import OperationIndex
from app.settings import Settings
from app.storage.bigcapital import BigcapitalDatabase, create_bigcapital_engine
from app.storage.database import Database
from app.storage.engine import create_database_engine
from app.upstream_document import load_operation_index

# The contract, served as it is and routed by Connexion; its tags name
# bckeys' own operations for scoped keys.
# app/openapi.json links to the repository's, so that an installed package
# (not only a checkout) has it.
SPECIFICATION = Path(__file__).resolve().parent / "openapi.json"


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    api_keys: ApiKeyService
    idempotency: IdempotencyRecords
    callers: Callers | BigcapitalCallers
    tokens: TokenVerifier
    # What scoped keys' permissions name: bckeys' own operations, and the
    # upstream's (None without UPSTREAM_OPENAPI).
    own_operations: OperationIndex
    upstream_operations: OperationIndex | None

    @property
    def permission_tags(self) -> frozenset[str]:
        upstream = self.upstream_operations.tags if self.upstream_operations else frozenset()
        return self.own_operations.tags | upstream


def build_services(settings: Settings) -> Services:
    database = Database(create_database_engine(settings))
    ttl = settings.api_key_ttl_days
    return Services(
        settings=settings,
        database=database,
        api_keys=ApiKeyService(
            database,
            timedelta(days=ttl) if ttl else None,
            settings.generate_rate,
            settings.api_keys_per_organization,
        ),
        idempotency=IdempotencyRecords(database, settings.jwt_secret),
        callers=callers_for(settings, database),
        tokens=TokenVerifier(settings),
        own_operations=OperationIndex(json.loads(SPECIFICATION.read_text())),
        upstream_operations=(
            load_operation_index(settings.upstream_openapi) if settings.upstream_openapi else None
        ),
    )


def callers_for(settings: Settings, database: Database) -> Callers | BigcapitalCallers:
    """Where accounts come from: bckeys' own tables, or Bigcapital's system
    database when BIGCAPITAL_DATABASE_URL is set. The one place that picks."""
    if settings.bigcapital_database_url is None:
        return Callers(database, settings.jwt_subject)
    bigcapital = BigcapitalDatabase(create_bigcapital_engine(settings.bigcapital_database_url))
    return BigcapitalCallers(database, bigcapital, settings.jwt_subject)


_current: ContextVar[Services] = ContextVar("bckeys_services")


def current_services() -> Services:
    return _current.get()


def make_current(services: Services) -> None:
    _current.set(services)
