"""Serving: uvicorn worker processes over the ASGI application."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import uvicorn

from app.logs import configure_logging
from app.settings import Settings, load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from app.web.http_protocol import HeadCappedHttpToolsProtocol

GRACEFUL_SHUTDOWN_SECONDS = 30
METRIC_FILES = "PROMETHEUS_MULTIPROC_DIR"


def asgi_app():
    """The factory each worker process calls: settings from the environment."""
    # Imported here, in the worker: prometheus-client must first see the
    # metric files' folder in the environment (prepare_metric_files).
    from app.web.application import create_app

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)


def prepare_metric_files() -> Path:
    """An empty folder for the workers' metric files (prometheus-client's
    multiprocess mode), named in the environment the workers inherit: the
    PROMETHEUS_MULTIPROC_DIR the operator set, emptied, or a new one removed
    when the server exits."""
    configured = os.environ.get(METRIC_FILES)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        return folder
    folder = Path(tempfile.mkdtemp(prefix="bckeys-metrics-"))
    os.environ[METRIC_FILES] = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serves until SIGINT or SIGTERM; in-flight requests are finished first.

    The embedded database is brought up to date here, once, before any
    worker starts; PostgreSQL deployments run ``bckeys db upgrade`` as a
    release step instead.
    """
    configure_logging(settings.log_level, settings.log_format)
    prepare_metric_files()
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
