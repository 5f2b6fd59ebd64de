"""Serving and the database: bckeys serve, bckeys db upgrade, check, backup."""

import errno
import socket
import sys

import click

from app.cli import cli
from app.cli.database import (
    backup_sqlite,
    fails_cleanly,
    refuse_an_old_schema,
    schema_state,
    upgrade_schema,
)
from app.cli.numbers import WholeNumber
from app.environment import ConfigurationError
from app.settings import MAX_PORT, load_settings

# bckeys db check's exit codes, for a release pipeline.
SCHEMA_CURRENT, SCHEMA_BEHIND, SCHEMA_UNKNOWABLE = 0, 1, 2


class SchemaUnknowable(click.ClickException):
    exit_code = SCHEMA_UNKNOWABLE


@cli.command()
@click.option("--host", help="Address to listen on (default: HOST or 127.0.0.1).")
@click.option(
    "--port", type=WholeNumber(1, MAX_PORT), help="Port to listen on (default: PORT or 8000)."
)
@click.option(
    "--workers", type=WholeNumber(1), help="Worker processes (default: WORKERS or cores)."
)
@fails_cleanly
def serve(host, port, workers):
    """Serve the API (never creates accounts by itself)."""
    from app.server import listen_error
    from app.server import serve as run_server
    from app.upstream_document import load_operation_index

    # A busy port is said first, in one line: before the JWT secret (or the
    # data folder) is generated for a server that will not start.
    settings = load_settings(create_secret=False)
    host = host or settings.host
    port = port or settings.port
    refused = listen_error(host, port)
    if refused is not None:
        raise click.ClickException(_cannot_listen(host, port, refused))
    if settings.upstream_openapi:
        # Each worker reads it again; a document that cannot be read stops
        # the server here, in one line, before any worker starts.
        load_operation_index(settings.upstream_openapi)
    settings = load_settings()
    if not settings.is_sqlite:
        refuse_an_old_schema(settings)
    run_server(settings, host, port, workers or settings.workers)


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use by another program: stop it, or serve on "
            f"another port with --port {port % MAX_PORT + 1} (or PORT={port % MAX_PORT + 1})"
        )
    if isinstance(error, socket.gaierror):
        return f"cannot listen on {host}: no such address ({error.strerror}); set --host or HOST"
    return f"cannot listen on {host} port {port}: {error.strerror}; set --host or HOST"


@cli.group()
def db():
    """The database schema and backups."""


@db.command()
@fails_cleanly
def upgrade():
    """Apply the migrations."""
    upgrade_schema()


@db.command()
def check():
    """Whether the schema is this version's, in one line: exit 0 when it is,
    1 when it is behind or missing, 2 when the database cannot be reached or
    the configuration is bad. Creates nothing."""
    from app.domain.errors import Unavailable

    try:
        current, line = schema_state(load_settings(create_secret=False))
    except ConfigurationError as error:
        raise SchemaUnknowable(f"configuration: {error}") from None
    except Unavailable as error:
        raise SchemaUnknowable(str(error)) from None
    click.echo(line)
    sys.exit(SCHEMA_CURRENT if current else SCHEMA_BEHIND)


@db.command()
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@fails_cleanly
def backup(path):
    """Copy the SQLite database to PATH, consistently, while the server runs
    (never over an existing file). For PostgreSQL, use pg_dump."""
    backup_sqlite(load_settings(create_secret=False), path)
