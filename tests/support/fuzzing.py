"""Schemathesis against a running server: every operation, all checks, the
examples, coverage, fuzzing and stateful phases, authenticated.

``make fuzz`` runs a longer campaign through this module's ``main``.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from app import migrate
from app.services import build_services
from app.settings import load_settings
from tests.support.accounts import Account, make_account
from tests.support.server import BIN, ServerProcess

PHASES = "examples,coverage,fuzzing,stateful"


def run_schemathesis(server_url: str, account: Account, seed: int, examples: int, report: Path):
    """Runs ``st run``; returns the completed process (exit 0: no failure)."""
    return subprocess.run(
        [
            str(BIN / "st"),
            "run",
            f"{server_url}/openapi.json",
            "--checks",
            "all",
            "--phases",
            PHASES,
            "--seed",
            str(seed),
            "--max-examples",
            str(examples),
            "--header",
            f"Authorization: Bearer {account.token}",
            "--header",
            f"organization-id: {account.organization_id}",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            "--generation-database",
            "none",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )


def prepared_account(env: dict) -> Account:
    services = build_services(load_settings(env))
    migrate.upgrade(services.database.engine)
    account = make_account(services)
    services.database.engine.dispose()
    return account


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    seed = (
        arguments.seed
        if arguments.seed is not None
        else int.from_bytes(__import__("os").urandom(4), "big")
    )
    folder = Path(tempfile.mkdtemp(prefix="bckeys-fuzz-"))
    env = {
        "BCKEYS_DATA_DIR": str(folder),
        "APP_JWT_SECRET": "fuzzing-secret-that-is-at-least-32-bytes",
    }
    account = prepared_account(env)
    server = ServerProcess(env, folder / "server.log", workers=2)
    try:
        report = folder / "junit.xml"
        result = run_schemathesis(server.url, account, seed, arguments.examples, report)
    finally:
        server.stop()
    print(result.stdout)
    print(f"seed {seed}; server log: {folder / 'server.log'}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
