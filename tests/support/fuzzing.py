"""Schemathesis against a running server: every operation, all checks, the
examples, coverage, fuzzing and stateful phases, authenticated.

``make fuzz`` runs a longer campaign through this module's ``main``: on
SQLite and on a throwaway PostgreSQL, each with a fresh seed that it prints.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from tests.support.accounts import Account, make_account
from tests.support.postgres import PostgresServer, find_bin_dir
from tests.support.schemathesis_hooks import VOCABULARY
from tests.support.server import BIN, ServerProcess

PHASES = "examples,coverage,fuzzing,stateful"
REPOSITORY = Path(__file__).resolve().parents[2]


def run_schemathesis(server_url: str, account: Account, seed: int, examples: int, report: Path):
    """Runs ``st run``; returns the completed process (exit 0: no failure)."""
    return subprocess.run(
        [
            str(BIN / "st"),
            "--config-file",
            str(REPOSITORY / "tests/support/schemathesis.toml"),
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
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks",
            # Without UPSTREAM_OPENAPI the server knows its own tag and "*".
            VOCABULARY: json.dumps(["Api keys", "*"]),
        },
        cwd=REPOSITORY,
    )


def prepared_account(env: dict) -> Account:
    services = build_services(load_settings(env))
    migrate.upgrade(services.database.engine)
    account = make_account(services)
    services.database.engine.dispose()
    return account


def fuzz_one_engine(engine: str, seed: int, examples: int) -> int:
    """A campaign against a fresh database on ``engine``; prints what
    Schemathesis found and how to replay it. Returns its exit code."""
    folder = Path(tempfile.mkdtemp(prefix=f"bckeys-fuzz-{engine}-"))
    env = {
        "BCKEYS_DATA_DIR": str(folder),
        "APP_JWT_SECRET": "fuzzing-secret-that-is-at-least-32-bytes",
        # A campaign mints in bulk: no rate, no cap.
        "API_KEY_GENERATE_RATE": "off",
        "API_KEYS_PER_ORGANIZATION": "off",
    }
    postgres = None
    if engine == "postgres":
        bin_dir = find_bin_dir()
        if bin_dir is None:
            print("postgres: no PostgreSQL binaries installed (apt-get install postgresql)")
            return 1
        postgres = PostgresServer(bin_dir)
        postgres.start()
        postgres.create_database("bckeys")
        env["DATABASE_URL"] = postgres.url("bckeys")
    try:
        account = prepared_account(env)
        server = ServerProcess(env, folder / "server.log", workers=2)
        try:
            result = run_schemathesis(server.url, account, seed, examples, folder / "junit.xml")
        finally:
            server.stop()
    finally:
        if postgres is not None:
            postgres.destroy()
    print(result.stdout)
    print(
        f"{engine}: seed {seed}, exit {result.returncode}; replay with "
        f"make fuzz ENGINES={engine} SEED={seed} EXAMPLES={examples}; "
        f"server log: {folder / 'server.log'}"
    )
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None, help="default: a fresh one per engine")
    parser.add_argument("--engines", default="sqlite,postgres")
    arguments = parser.parse_args()
    failed = False
    for engine in arguments.engines.split(","):
        seed = arguments.seed if arguments.seed is not None else secrets.randbits(32)
        failed |= fuzz_one_engine(engine, seed, arguments.examples) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
