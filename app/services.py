"""What a running server holds: settings, database and the services on it.

The edge middleware makes the app's Services current for each request, so
that the security step and the handlers reach the right database.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from app.domain.api_keys import ApiKeyService
from app.domain.callers import Callers
from app.domain.tokens import TokenVerifier
from app.settings import Settings
from app.storage.database import Database
from app.storage.engine import create_database_engine


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    api_keys: ApiKeyService
    callers: Callers
    tokens: TokenVerifier


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
        callers=Callers(database, settings.jwt_subject),
        tokens=TokenVerifier(settings),
    )


_current: ContextVar[Services] = ContextVar("bckeys_services")


def current_services() -> Services:
    return _current.get()


def make_current(services: Services) -> None:
    _current.set(services)
