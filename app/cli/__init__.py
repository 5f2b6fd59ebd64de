"""bckeys: the operators' command line. Each command prints only its result
on stdout; a failure is one line on stderr and a non-zero exit."""

import logging
import os
from importlib.metadata import version

import click

from app.domain import audit
from app.logs import configure_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version("bckeys"), prog_name="bckeys", message="%(version)s")
def cli():
    """Operate the Bigcapital API-key server."""
    # Every change an operator makes leaves an audit line on stderr, in the
    # server's format (a LOG_FORMAT the settings refuse is refused by them).
    json_lines = os.environ.get("LOG_FORMAT", "").strip().lower() == "json"
    configure_logging("WARNING", "json" if json_lines else "console")
    audit.audit_log.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    """The ``bckeys`` command: every failure is one line on stderr."""
    try:
        cli.main(args=argv, prog_name="bckeys", standalone_mode=False)
    except click.ClickException as error:
        click.echo(f"bckeys: {error.format_message()}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo("bckeys: aborted", err=True)
        return 1
    return 0


def shown(text: str) -> str:
    """Text as written, with control characters (tabs, newlines, NUL)
    escaped so that one record stays one line."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


# The command groups register themselves on ``cli``.
from app.cli import accounts, bigcapital_keys, keys, serving  # noqa: E402, F401
