"""The real Bigcapital server for end-to-end tests.

The shared tools beside the repository (``../shared/bigcapital``) build it
from its source archive and run it with Debian's MariaDB and Redis. The build
is kept outside the clone, in a folder named after the archive's checksum, so
that only a new archive builds anew: ``python -m tests.support.real_bigcapital
build`` (``make bigcapital``) makes it, in about 10 minutes the first time and
under a second after that.
"""

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.postgres import free_port

REPOSITORY = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("BIGCAPITAL_TOOLS") or REPOSITORY.parent / "shared" / "bigcapital")
ARCHIVE = TOOLS / "bigcapital-af80afc.tar.gz"
SYSTEM_DATABASE = "bigcapital_system"
READ_ONLY_USER = "bckeys_ro"
READ_ONLY_PASSWORD = "bckeys-read-only"
PASSWORD = "Secret-pass-123"


def missing_part() -> str | None:
    """What the real Bigcapital needs that this machine lacks, or None."""
    if shutil.which("node") is None:
        return "Node.js"
    if not ARCHIVE.is_file():
        return f"Bigcapital's source archive ({ARCHIVE})"
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx"
    return None


@functools.cache
def source_dir() -> Path:
    """Where the build of this archive is kept: outside the clone, by checksum."""
    digest = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bckeys"
    return cache / f"bigcapital-{digest}"


def is_built() -> bool:
    return (source_dir() / "packages" / "server" / "dist" / "main.js").is_file()


def build() -> int:
    """Runs the shared setup (idempotent); returns its exit code."""
    return subprocess.run(
        ["bash", str(TOOLS / "setup")],
        env={**os.environ, "BIGCAPITAL_SRC": str(source_dir())},
        check=False,
    ).returncode


class Bigcapital:
    """Bigcapital's server on a free loopback port, with MariaDB (on 3306, the
    only port it can use) and Redis, all state in a temporary folder."""

    def __init__(self):
        self.run_dir = Path(tempfile.mkdtemp(prefix="bckeys-bigcapital-"))
        # MariaDB runs as its own user, which must reach its data folder here.
        self.run_dir.chmod(0o755)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "BIGCAPITAL_SRC": str(source_dir()),
            "BC_RUN": str(self.run_dir),
            "BC_PORT": str(self.port),
            "BC_REDIS_PORT": str(free_port()),
        }
        started = subprocess.run(
            ["bash", str(TOOLS / "start")], env=self._env, capture_output=True, text=True
        )
        if started.returncode != 0:
            self.stop()
            raise RuntimeError(f"Bigcapital did not start: {started.stderr[-2000:]}")
        self.secret = (self.run_dir / "jwt-secret").read_text().strip()
        for host in ("127.0.0.1", "localhost"):
            self.sql(
                f"CREATE USER IF NOT EXISTS '{READ_ONLY_USER}'@'{host}' "
                f"IDENTIFIED BY '{READ_ONLY_PASSWORD}'; "
                f"GRANT SELECT ON {SYSTEM_DATABASE}.* TO '{READ_ONLY_USER}'@'{host}'"
            )
        # A read-only account on the system database, as the README has it.
        self.database_url = f"mysql+pymysql://{READ_ONLY_USER}:{READ_ONLY_PASSWORD}@127.0.0.1:3306/{SYSTEM_DATABASE}"

    def sql(self, statements: str) -> str:
        """Runs SQL on the system database as MariaDB's root; returns the rows
        as tab-separated lines."""
        return subprocess.run(
            [
                "mariadb",
                "-S",
                str(self.run_dir / "mysqld.sock"),
                "-uroot",
                "-N",
                "-B",
                SYSTEM_DATABASE,
                "-e",
                statements,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def stop(self) -> None:
        subprocess.run(["bash", str(TOOLS / "stop")], env=self._env, capture_output=True)
        shutil.rmtree(self.run_dir, ignore_errors=True)


@dataclass
class BigcapitalUser:
    email: str
    token: str
    organization_id: str
    user_id: int

    def headers(self, token: str | None = None, organization_id: str | None = None) -> dict:
        return {
            "Authorization": f"Bearer {token or self.token}",
            "organization-id": organization_id or self.organization_id,
        }


def sign_up(base_url: str, email: str) -> BigcapitalUser:
    """Signs a user up and in through Bigcapital's API at ``base_url`` (the
    server itself, or the gateway in front of it) and builds their
    organization, as the web app does."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        signed_up = client.post(
            "/api/auth/signup",
            json={"firstName": "Test", "lastName": "User", "email": email, "password": PASSWORD},
        )
        assert signed_up.status_code == 201, signed_up.text
        user = sign_in(client, email)
        built = client.post(
            "/api/organization/build",
            headers=user.headers(),
            json={
                "name": f"Org of {email}",
                "location": "US",
                "baseCurrency": "USD",
                "timezone": "America/New_York",
                "fiscalYear": "january",
                "language": "en",
            },
        )
        assert built.status_code == 200, built.text
        job = built.json()["data"]["job_id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state = client.get(f"/api/organization/build/{job}", headers=user.headers()).json()
            if state.get("is_completed"):
                return user
            assert not state.get("is_failed"), state
            time.sleep(0.5)
        raise AssertionError(f"organization build job {job} did not finish")


def sign_in(client: httpx.Client, email: str) -> BigcapitalUser:
    signed_in = client.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code in (200, 201), signed_in.text
    body = signed_in.json()
    return BigcapitalUser(email, body["access_token"], body["organization_id"], body["user_id"])


def main(argv: list[str]) -> int:
    """``build``: builds Bigcapital where its parts are here; says why not
    where they are not (its tests then skip, or fail under CI=true)."""
    if argv != ["build"]:
        print("usage: python -m tests.support.real_bigcapital build", file=sys.stderr)
        return 2
    missing = missing_part()
    if missing:
        print(f"Bigcapital is not built here: {missing} is missing", file=sys.stderr)
        return 0
    return build()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
