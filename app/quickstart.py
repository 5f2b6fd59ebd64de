"""``make run``: the embedded database, a demo account on first run, a curl
to paste, and the server.

Unlike ``bckeys serve``, which never creates accounts by itself, this makes a
demo organization and user when the database is empty, so that a newcomer
sees a 201 within a minute.
"""

import errno
import json
import shlex
import sys

from app.domain import accounts
from app.domain.tokens import issue_token
from app.server import listen_error, serve
from app.settings import Settings, load_settings
from app.storage import migrate
from app.storage.database import Database
from app.storage.engine import create_database_engine

DEMO_FILE = "demo.json"
DEMO_EMAIL = "demo@example.com"
TOKEN_TTL_SECONDS = 24 * 3600


def demo_account(settings: Settings, database: Database) -> tuple[str, str, bool] | None:
    """(organization id, email, created now) of the demo account, or None when
    the database holds other accounts and no demo one."""
    demo_path = settings.data_dir / DEMO_FILE
    if demo_path.exists():
        demo = json.loads(demo_path.read_text())
        return demo["organization_id"], demo["email"], False
    if accounts.has_organizations(database):
        return None
    organization_id = accounts.create_organization(database, "Demo")
    accounts.add_user(database, DEMO_EMAIL, organization_id)
    demo_path.write_text(json.dumps({"organization_id": organization_id, "email": DEMO_EMAIL}))
    return organization_id, DEMO_EMAIL, True


def try_it(settings: Settings, database: Database, organization_id: str, email: str) -> str:
    base = f"http://{settings.host}:{settings.port}"
    token = issue_token(
        settings, accounts.token_subject(database, settings.jwt_subject, email), TOKEN_TTL_SECONDS
    )
    return "\n".join(
        [
            f"curl -sS -X POST {base}/api/api-keys/generate \\",
            f"  -H {shlex.quote('Authorization: Bearer ' + token)} \\",
            f"  -H {shlex.quote('organization-id: ' + organization_id)} \\",
            "  -H 'Content-Type: application/json' \\",
            """  -d '{"name": "my first key"}'""",
        ]
    )


def cannot_listen(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"Port {port} on {host} is in use by another program; "
            f"start on another one with: PORT={port + 1} make run"
        )
    return (
        f"Cannot listen on {host} port {port}: {error.strerror}; "
        "start on an address of this machine with: HOST=127.0.0.1 make run"
    )


def main() -> int:
    settings = load_settings()
    # Checked before anything is printed: a curl for a port another program
    # holds could never work.
    refused = listen_error(settings.host, settings.port)
    if refused is not None:
        print(cannot_listen(settings.host, settings.port, refused), file=sys.stderr)
        return 1
    database = Database(create_database_engine(settings))
    migrate.upgrade(database.engine)
    demo = demo_account(settings, database)
    base = f"http://{settings.host}:{settings.port}"
    print(f"Data folder: {settings.data_dir}")
    if demo is None:
        print("The database holds accounts already; get a token with: .venv/bin/bckeys token EMAIL")
    else:
        organization_id, email, created = demo
        if created:
            print(f"Created the demo organization {organization_id} and user {email}.")
        else:
            print(f"Reusing the existing data: organization {organization_id}, user {email}.")
        print("\nGenerate an API key (the token in it is valid for 24 hours):\n")
        print(try_it(settings, database, organization_id, email))
    print(f"\nSwagger UI: {base}/ui/   Stop with Ctrl-C.\n", flush=True)
    database.engine.dispose()
    serve(settings, settings.host, settings.port, settings.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
