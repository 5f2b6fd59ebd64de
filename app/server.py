"""Serving: uvicorn worker processes over the ASGI application."""

import uvicorn

from app.logs import configure_logging
from app.settings import Settings, load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from app.web.application import create_app
from app.web.http_protocol import HeadCappedHttpToolsProtocol

GRACEFUL_SHUTDOWN_SECONDS = 30


def asgi_app():
    """The factory each worker process calls: settings from the environment."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serves until SIGINT or SIGTERM; in-flight requests are finished first.

    The embedded database is brought up to date here, once, before any
    worker starts; PostgreSQL deployments run ``bckeys db upgrade`` as a
    release step instead.
    """
    configure_logging(settings.log_level, settings.log_format)
    if settings.is_sqlite:
        engine = create_database_engine(settings)
        migrate.upgrade(engine)
        engine.dispose()
    uvicorn.run(
        "app.server:asgi_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HeadCappedHttpToolsProtocol,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
