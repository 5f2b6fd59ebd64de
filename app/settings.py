"""Configuration, read once from the environment, with the embedded defaults."""

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from app.environment import (
    MAX_KEYS_PER_ORGANIZATION,
    ConfigurationError,
    Network,
    Rate,
    networks,
    positive_number,
    rate,
    switch,
    whole_number,
)

log = logging.getLogger(__name__)

MIN_JWT_SECRET_BYTES = 32
JWT_SECRET_FILE = "jwt-secret"  # noqa: S105 (a file name)
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
# A key's expiry must fit every engine's timestamp and Python's datetime.
MAX_KEY_TTL_DAYS = 36525
MAX_PORT = 65535
# The data folder as bckeys creates it: its owner's alone, like its files.
DATA_DIR_MODE = 0o700
# What a JWT's ``sub`` holds: Bigcapital's two token formats.
JWT_SUBJECTS = ("email", "user_id")
MAX_UPSTREAM_TOKEN_TTL_SECONDS = 3600
MAX_REQUEST_HEAD_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    # Bigcapital's system database, read for accounts; None: bckeys' own.
    bigcapital_database_url: str | None
    jwt_secret: bytes
    jwt_algorithms: tuple[str, ...]
    jwt_public_key: str | None
    jwt_subject: str
    jwt_issuer: str | None
    jwt_audience: str | None
    upstream_token_ttl_seconds: int
    # The upstream's OpenAPI document (a path or an http(s) URL): the
    # vocabulary of scoped keys' permissions. None: bckeys' own operations.
    upstream_openapi: str | None
    api_key_ttl_days: float | None
    generate_rate: Rate | None
    # None: no cap (``off``, for bulk runs such as the benchmark).
    api_keys_per_organization: int | None
    metrics_enabled: bool
    host: str
    port: int
    workers: int
    # How long a connection may take to send a whole request head.
    request_head_timeout_seconds: int
    # Most connections one worker process holds at once.
    worker_connections: int
    # Peers whose X-Forwarded-For and X-Request-ID are believed: the proxies.
    trusted_proxies: tuple[Network, ...]
    log_level: str
    log_format: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("console", "json")
# The drivers this server runs on; PostgreSQL URLs without one (Heroku's
# postgres://, postgresql://) mean psycopg 3.
DATABASE_SCHEMES = ("sqlite", "postgresql+psycopg")
_POSTGRES_SPELLINGS = ("postgres://", "postgresql://")
# Bigcapital's system database is MySQL or MariaDB, read through PyMySQL.
BIGCAPITAL_DATABASE_SCHEME = "mysql+pymysql"
_MYSQL_SPELLINGS = ("mysql://", "mariadb://", "mariadb+pymysql://")


def load_settings(environ: dict[str, str] | None = None, *, create_secret: bool = True) -> Settings:
    """Settings from ``environ`` (the process environment by default).

    Without ``create_secret``, a missing JWT secret is not generated: for
    commands that only read, which must create no file.

    Raises ConfigurationError for a value the server must not start with.
    """
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("BCKEYS_DATA_DIR") or "var").resolve()
    database_url = _database_url(env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'bckeys.db'}")
    log_level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if log_level not in LOG_LEVELS:
        raise ConfigurationError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    log_format = (env.get("LOG_FORMAT") or "console").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ConfigurationError("LOG_FORMAT must be console or json")
    algorithms = tuple(
        name.strip()
        for name in env.get("APP_JWT_ALGORITHMS", "HS256,HS384,HS512").split(",")
        if name.strip()
    )
    if not algorithms or any(name.lower() == "none" for name in algorithms):
        raise ConfigurationError("APP_JWT_ALGORITHMS must name real algorithms, never 'none'")
    jwt_subject = (env.get("APP_JWT_SUBJECT") or "email").strip().lower()
    if jwt_subject not in JWT_SUBJECTS:
        raise ConfigurationError("APP_JWT_SUBJECT must be 'email' or 'user_id'")
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        bigcapital_database_url=_bigcapital_database_url(env.get("BIGCAPITAL_DATABASE_URL")),
        jwt_secret=_jwt_secret(env.get("APP_JWT_SECRET"), data_dir, create_secret),
        jwt_algorithms=algorithms,
        jwt_public_key=env.get("APP_JWT_PUBLIC_KEY") or None,
        jwt_subject=jwt_subject,
        jwt_issuer=env.get("APP_JWT_ISSUER") or None,
        jwt_audience=env.get("APP_JWT_AUDIENCE") or None,
        upstream_token_ttl_seconds=whole_number(
            env, "UPSTREAM_TOKEN_TTL_SECONDS", 60, 1, MAX_UPSTREAM_TOKEN_TTL_SECONDS
        ),
        upstream_openapi=env.get("UPSTREAM_OPENAPI") or None,
        api_key_ttl_days=positive_number(env, "API_KEY_TTL_DAYS", MAX_KEY_TTL_DAYS),
        generate_rate=rate(env.get("API_KEY_GENERATE_RATE") or "10/minute"),
        api_keys_per_organization=(
            None
            if (env.get("API_KEYS_PER_ORGANIZATION") or "").strip().lower() == "off"
            else whole_number(env, "API_KEYS_PER_ORGANIZATION", 1000, 1, MAX_KEYS_PER_ORGANIZATION)
        ),
        metrics_enabled=switch(env, "METRICS", True),
        host=env.get("HOST") or "127.0.0.1",
        port=whole_number(env, "PORT", 8000, 1, MAX_PORT),
        workers=whole_number(env, "WORKERS", os.cpu_count() or 1, 1),
        request_head_timeout_seconds=whole_number(
            env, "REQUEST_HEAD_TIMEOUT_SECONDS", 10, 1, MAX_REQUEST_HEAD_TIMEOUT_SECONDS
        ),
        worker_connections=whole_number(env, "WORKER_CONNECTIONS", 1000, 1),
        trusted_proxies=networks(env, "TRUSTED_PROXIES"),
        log_level=log_level,
        log_format=log_format,
    )


def _database_url(url: str) -> str:
    for spelling in _POSTGRES_SPELLINGS:
        if url.startswith(spelling):
            url = "postgresql+psycopg://" + url[len(spelling) :]
    if not url.startswith(tuple(f"{scheme}://" for scheme in DATABASE_SCHEMES)):
        raise ConfigurationError(
            "DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/NAME"
        )
    return url


def _bigcapital_database_url(url: str | None) -> str | None:
    if not url:
        return None
    for spelling in _MYSQL_SPELLINGS:
        if url.startswith(spelling):
            url = f"{BIGCAPITAL_DATABASE_SCHEME}://" + url[len(spelling) :]
    if not url.startswith(f"{BIGCAPITAL_DATABASE_SCHEME}://"):
        raise ConfigurationError(
            "BIGCAPITAL_DATABASE_URL must be mysql+pymysql://USER:PASSWORD@HOST:PORT/NAME "
            "(mysql:// and mariadb:// mean the same)"
        )
    return url


def _jwt_secret(configured: str | None, data_dir: Path, create: bool) -> bytes:
    if configured is not None:
        secret = configured.encode("utf-8")
        if len(secret) < MIN_JWT_SECRET_BYTES:
            raise ConfigurationError(
                f"APP_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes"
            )
        return secret
    path = data_dir / JWT_SECRET_FILE
    if not create:
        return path.read_bytes().strip() if path.exists() else b""
    data_dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    try:
        # O_EXCL: of several processes starting at once, exactly one writes.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    secret = secrets.token_hex(32).encode("ascii")
    with os.fdopen(fd, "wb") as file:
        file.write(secret)
    log.warning(
        "APP_JWT_SECRET is not set: generated one in %s; set it to share tokens "
        "between machines or with a Bigcapital deployment",
        path,
    )
    return secret
