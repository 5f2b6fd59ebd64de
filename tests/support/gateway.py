"""A gateway as deployed: Debian's nginx with the shipped configuration, in
front of a stand-in Bigcapital that checks tokens as Bigcapital does."""

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt

from tests.support.postgres import free_port

CONFIGURATION = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "bckeys-gateway.conf"


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


class StandInBigcapital:
    """Accepts only HS384 JWTs signed with the secret, as Bigcapital does:
    ``sub`` an email, or (the hardened format) a user id with ``iss`` and
    ``aud`` that must match. Records every request it was given."""

    def __init__(self, secret: str, issuer: str | None = None, audience: str | None = None):
        self.received: list[dict] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                headers = {name.lower(): value for name, value in self.headers.items()}
                stand_in.received.append({"path": self.path, "headers": headers})
                claims = stand_in.check(headers.get("authorization", ""))
                status = 200 if claims is not None else 401
                body = json.dumps({"claims": claims}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, authorization: str) -> dict | None:
        if not authorization.startswith("Bearer "):
            return None
        options = {"require": ["exp", "sub"] + (["iss", "aud"] if self._issuer else [])}
        try:
            return jwt.decode(
                authorization[7:],
                self._secret,
                algorithms=["HS384"],
                issuer=self._issuer,
                audience=self._audience,
                options=options,
            )
        except jwt.PyJWTError:
            return None

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Nginx:
    """Debian's nginx running the shipped configuration, pointed at the given
    bckeys and upstream ports, on a free loopback port.

    Without an upstream port, nginx itself is the upstream: a server of its
    own that answers every request 200 (the benchmark's static upstream).
    Without ``verify``, the route to the upstream skips auth_request: the
    benchmark's ceiling.
    """

    def __init__(self, bckeys_port: int, upstream_port: int | None = None, verify: bool = True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.root = Path(tempfile.mkdtemp(prefix="bckeys-nginx-"))
        static = ""
        if upstream_port is None:
            upstream_port = free_port()
            static = (
                f"server {{ listen 127.0.0.1:{upstream_port}; access_log off; "
                "location / { default_type application/json; return 200 '{}'; } }\n"
            )
        site = (
            CONFIGURATION.read_text()
            .replace("127.0.0.1:8000", f"127.0.0.1:{bckeys_port}")
            .replace("127.0.0.1:3000", f"127.0.0.1:{upstream_port}")
            .replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{self.port}")
            .replace("/var/log/nginx/error.log", str(self.root / "site-error.log"))
        )
        assert str(self.port) in site, "the shipped configuration's listen line changed"
        if not verify:
            assert "auth_request /_bckeys_verify;" in site
            site = site.replace("auth_request /_bckeys_verify;", "")
        (self.root / "site.conf").write_text(site + static)
        temp = {name: self.root / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for folder in temp.values():
            folder.mkdir()
        (self.root / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"pid {self.root / 'nginx.pid'};\n"
            + f"error_log {self.root / 'error.log'} info;\n"
            + "daemon off;\nevents { worker_connections 256; }\nhttp {\n"
            + f"  access_log {self.root / 'access.log'};\n"
            + f"  client_body_temp_path {temp['body']};\n"
            + f"  proxy_temp_path {temp['proxy']};\n"
            + f"  fastcgi_temp_path {temp['fastcgi']};\n"
            + f"  uwsgi_temp_path {temp['uwsgi']};\n"
            + f"  scgi_temp_path {temp['scgi']};\n"
            + f"  include {self.root / 'site.conf'};\n}}\n"
        )
        self.process = subprocess.Popen(
            [find_nginx(), "-p", str(self.root), "-c", str(self.root / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening()

    def _wait_until_listening(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                httpx.get(f"{self.url}/api/api-keys/verify", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10)

    def raw(self, method: str, target: str, headers: list[tuple[str, str]]) -> int:
        """Sends the request target exactly as written (no client-side
        normalization of case, dots, slashes or percent-encoding); returns
        the status."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
            connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def logs(self) -> str:
        """Everything nginx wrote to its logs so far."""
        return "".join(path.read_text(errors="replace") for path in sorted(self.root.glob("*.log")))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)
