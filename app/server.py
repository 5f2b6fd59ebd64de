"""Serving: uvicorn worker processes over the ASGI application."""

import atexit
import functools
import gc
import logging
import os
import re
import resource
import shutil
import signal
import socket
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import uvicorn
from sqlalchemy.engine import make_url

from app.environment import RATE_PERIODS
from app.logs import configure_logging
from app.settings import ConfigurationError, Settings, load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from app.web.http_protocol import BoundedHttpToolsProtocol

GRACEFUL_SHUTDOWN_SECONDS = 30
# An idle keep-alive connection is closed after this long (uvicorn's default).
KEEP_ALIVE_SECONDS = 5
# Open files a worker needs besides its connections: the database pool and
# its files, the metric files, the listening socket, the log stream.
FILES_BESIDES_CONNECTIONS = 100
METRIC_FILES = "PROMETHEUS_MULTIPROC_DIR"
# prometheus-client's multiprocess files, as prometheus_client.values names
# them: counter_<pid>.db, histogram_<pid>.db, summary_<pid>.db and
# gauge_<mode>_<pid>.db. Nothing else in the folder is theirs to remove.
_METRIC_FILE = re.compile(r"(counter|histogram|summary|gauge_[a-z]+)_[0-9]+\.db")

log = logging.getLogger("bckeys.server")


def asgi_app():
    """The factory each worker process calls: settings from the environment."""
    # Imported here, in the worker: prometheus-client must first see the
    # metric files' folder in the environment (prepare_metric_files).
    from app.web.application import create_app

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    # What start-up built (the specs, the compiled validators, the libraries)
    # lives as long as the worker: frozen, it is left out of the collector's
    # full passes, each of which otherwise walked all of it (about 50 ms at
    # 120,000 objects, a pause every request in flight waited out).
    gc.freeze()
    return app


def prepare_metric_files(settings: Settings) -> Path:
    """A folder without metric files for the workers' (prometheus-client's
    multiprocess mode), named in the environment the workers inherit: the
    PROMETHEUS_MULTIPROC_DIR the operator set, cleared of prometheus-client's
    files only, or a new one removed when the server exits.

    Raises ConfigurationError for the data folder or the SQLite database's.
    """
    configured = os.environ.get(METRIC_FILES)
    if configured:
        folder = Path(configured).resolve()
        if folder in _data_folders(settings):
            raise ConfigurationError(
                f"{METRIC_FILES} must be a folder of its own, not the data folder or the database's"
            )
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.iterdir():
            if _METRIC_FILE.fullmatch(stale.name):
                stale.unlink()
        return folder
    folder = Path(tempfile.mkdtemp(prefix="bckeys-metrics-"))
    os.environ[METRIC_FILES] = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _data_folders(settings: Settings) -> set[Path]:
    folders = {settings.data_dir.resolve()}
    if settings.is_sqlite:
        folders.add(Path(make_url(settings.database_url).database).resolve().parent)
    return folders


def connection_bound(settings: Settings) -> int:
    """The most connections a worker holds: WORKER_CONNECTIONS, within the
    open-file limit less what the worker needs besides.

    Raises ConfigurationError when that limit leaves no room.
    """
    soft_limit, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft_limit == resource.RLIM_INFINITY:
        return settings.worker_connections
    room = soft_limit - FILES_BESIDES_CONNECTIONS
    if room < 1:
        raise ConfigurationError(
            f"the open-file limit ({soft_limit}) leaves no room for connections: "
            f"raise it (ulimit -n) above {FILES_BESIDES_CONNECTIONS}"
        )
    return min(settings.worker_connections, room)


def listen_error(host: str, port: int) -> OSError | None:
    """Why uvicorn could not listen on ``host``:``port`` (EADDRINUSE: another
    program does; socket.gaierror: no such host), or None. The probe binds
    as uvicorn does (IPv6 for an address with a colon, SO_REUSEADDR), so
    connections a stopped server left in TIME_WAIT do not count."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error
    return None


def log_start(settings: Settings, host: str, port: int, workers: int, connections: int) -> None:
    """One line saying what this server is and runs with, passwords masked."""
    fields = {
        "version": version("bckeys"),
        "listen": f"{host}:{port}",
        "workers": workers,
        "database": _masked(settings.database_url),
        "accounts": (
            _masked(settings.bigcapital_database_url)
            if settings.bigcapital_database_url
            else "local"
        ),
        "jwt_algorithms": ",".join(settings.jwt_algorithms),
        "jwt_subject": settings.jwt_subject,
        "jwt_issuer": "set" if settings.jwt_issuer else "unset",
        "jwt_audience": "set" if settings.jwt_audience else "unset",
        "jwt_public_key": "set" if settings.jwt_public_key else "unset",
        "trusted_proxies": ",".join(map(str, settings.trusted_proxies)) or "none",
        "generate_rate": _rate(settings),
        "keys_per_organization": settings.api_keys_per_organization or "off",
        "key_ttl_days": settings.api_key_ttl_days or "none",
        "request_head_timeout_seconds": settings.request_head_timeout_seconds,
        "worker_connections": connections,
    }
    log.info(
        "bckeys starting: " + " ".join(f"{name}=%({name})s" for name in fields),
        fields,
        extra=fields,
    )


def _masked(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _rate(settings: Settings) -> str:
    if settings.generate_rate is None:
        return "off"
    period = next(
        name
        for name, seconds in RATE_PERIODS.items()
        if seconds == settings.generate_rate.period_seconds
    )
    return f"{settings.generate_rate.limit}/{period}"


def _exit_on_sigterm(signum, frame) -> None:
    # uvicorn raises the signal again once it has shut down gracefully; with
    # one worker that is this process, and SIGTERM's default action would
    # kill it before atexit removes the metric files' folder.
    sys.exit(0)


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serves until SIGINT or SIGTERM; in-flight requests are finished first,
    and SIGTERM then exits with 0.

    The embedded database is brought up to date here, once, before any
    worker starts; PostgreSQL deployments run ``bckeys db upgrade`` as a
    release step instead.
    """
    configure_logging(settings.log_level, settings.log_format)
    prepare_metric_files(settings)
    connections = connection_bound(settings)
    http_protocol = functools.partial(
        BoundedHttpToolsProtocol,
        head_timeout_s=settings.request_head_timeout_seconds,
        max_connections=connections,
    )
    log_start(settings, host, port, workers, connections)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
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
        http=http_protocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
        server_header=False,
        # uvicorn would itself believe X-Forwarded-For from 127.0.0.1 and
        # make it the peer: the edge then trusts no proxy and keeps none of
        # nginx's request ids. Only TRUSTED_PROXIES decides (app/web/forwarded.py).
        proxy_headers=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
