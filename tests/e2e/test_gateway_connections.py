"""nginx keeps its connections to bckeys open across checks: the shipped
configuration asks verify with HEAD, whose answer has no body for nginx to
skip, over HTTP/1.1 keep-alive. A relay between them counts the connections
nginx opens."""

import contextlib
import socket
import threading

import pytest

from tests.conftest import JWT_SECRET, require
from tests.support.accounts import make_account
from tests.support.gateway import Nginx, StandInBigcapital, find_nginx

CHECKS = 40


class CountingRelay:
    """Relays TCP connections on a free loopback port to ``target_port``,
    counting the connections it accepts."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            server = socket.create_connection(("127.0.0.1", self.target_port))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()

    def stop(self) -> None:
        self._listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relayed(start_server):
    require(find_nginx() is not None, "nginx")
    server = start_server()
    relay = CountingRelay(server.port)
    upstream = StandInBigcapital(JWT_SECRET)
    proxy = Nginx(relay.port, upstream.port)
    yield proxy, relay
    proxy.stop()
    upstream.stop()
    relay.stop()


@pytest.mark.parametrize("refused", [False, True], ids=["allowed", "refused"])
def test_checks_reuse_nginxs_connections_to_bckeys(relayed, services, refused):
    proxy, relay = relayed
    account = make_account(services)
    with proxy.client() as client:
        key = client.post("/api/api-keys/generate", json={}, headers=account.headers()).json()
        before = relay.accepted
        token = "bc_" + "0" * 72 if refused else key["key"]
        statuses = {
            client.get("/api/invoices", headers={"Authorization": f"Bearer {token}"}).status_code
            for _ in range(CHECKS)
        }
    assert statuses == {401 if refused else 200}
    # One connection serves them all; a fresh one for every check was the old way.
    assert relay.accepted - before <= 2
