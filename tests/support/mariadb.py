"""A throwaway MariaDB server from Debian's mariadb-server binaries, in a
temporary folder on a free port (never 3306), so that no shared database
is touched. As root (CI) the server runs as the ``mysql`` user.

Grants are enforced (no --skip-grant-tables): tests connect through an
account that may only read.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.postgres import free_port

START_TIMEOUT_S = 30


def find_binaries() -> dict[str, str] | None:
    found = {
        name: shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
        for name in ("mariadbd", "mariadb-install-db", "mariadb")
    }
    return found if all(found.values()) else None


class MariaDBServer:
    def __init__(self, binaries: dict[str, str]):
        self.binaries = binaries
        self.port = free_port()
        while self.port == 3306:  # reserved for the real Bigcapital
            self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="bckeys-mariadb-"))
        self.socket = self.root / "mariadb.sock"
        self._as_mysql = ["--user=mysql"] if os.geteuid() == 0 else []
        if self._as_mysql:
            shutil.chown(self.root, "mysql", "mysql")
        subprocess.run(
            [
                binaries["mariadb-install-db"],
                "--no-defaults",
                *self._as_mysql,
                f"--datadir={self.root / 'data'}",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                self.binaries["mariadbd"],
                "--no-defaults",
                *self._as_mysql,
                f"--datadir={self.root / 'data'}",
                f"--socket={self.socket}",
                f"--pid-file={self.root / 'mariadb.pid'}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=32M",
                f"--log-error={self.root / 'error.log'}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._accepts_connections():
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError(f"MariaDB did not start: see {self.root / 'error.log'}")
            time.sleep(0.1)

    def execute(self, sql: str) -> None:
        """Runs statements as root, through the socket."""
        subprocess.run(
            [self.binaries["mariadb"], f"--socket={self.socket}", "-uroot"],
            input=sql,
            text=True,
            check=True,
            capture_output=True,
        )

    def url(self, user: str, password: str, database: str) -> str:
        return f"mysql+pymysql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def destroy(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def _accepts_connections(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", self.port)) != 0:
                return False
        return (
            subprocess.run(
                [self.binaries["mariadb"], f"--socket={self.socket}", "-uroot", "-e", "SELECT 1"],
                capture_output=True,
            ).returncode
            == 0
        )
