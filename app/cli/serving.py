"""Serving and the schema: bckeys serve, bckeys db upgrade."""

import click

from app.cli import cli
from app.cli.database import fails_cleanly, refuse_an_old_schema, upgrade_schema
from app.cli.numbers import WholeNumber
from app.settings import MAX_PORT, load_settings
from app.upstream_document import load_operation_index


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
    from app.server import serve as run_server

    settings = load_settings()
    if settings.upstream_openapi:
        # Each worker reads it again; a document that cannot be read stops
        # the server here, in one line, before any worker starts.
        load_operation_index(settings.upstream_openapi)
    if not settings.is_sqlite:
        refuse_an_old_schema(settings)
    run_server(
        settings,
        host or settings.host,
        port or settings.port,
        workers or settings.workers,
    )


@cli.group()
def db():
    """The database schema."""


@db.command()
@fails_cleanly
def upgrade():
    """Apply the migrations."""
    upgrade_schema()
