"""A connection must send a whole request head in time and may not idle for
long, and a worker past its connection bound refuses new connections while
the ones it has go on working."""

import contextlib
import os
import re
import resource
import socket
import subprocess
import time

import pytest

from tests.conftest import environment
from tests.support.server import BIN, ServerProcess

HEAD_TIMEOUT_S = 2
# uvicorn's keep-alive timeout, as app.server sets it.
KEEP_ALIVE_S = 5
HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture
def start(tmp_path):
    started = []

    def start_server(open_files: int | None = None, **extra_env: str) -> ServerProcess:
        env = environment(tmp_path, f"sqlite:///{tmp_path / 'bckeys.db'}", **extra_env)
        server = ServerProcess(env, tmp_path / f"server-{len(started)}.log", open_files=open_files)
        started.append(server)
        return server

    yield start_server
    for server in started:
        server.stop()


@pytest.fixture
def server(start):
    return start(REQUEST_HEAD_TIMEOUT_SECONDS=str(HEAD_TIMEOUT_S))


def connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def read_response(sock: socket.socket) -> bytes:
    """One response, read by its content-length, leaving the connection open."""
    answer = b""
    while b"\r\n\r\n" not in answer and (data := sock.recv(65536)):
        answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *([0-9]+)", head)
    while length and len(body) < int(length[1]) and (data := sock.recv(65536)):
        body += data
    return head + b"\r\n\r\n" + body


def seconds_until_closed(sock: socket.socket, started: float) -> float:
    with contextlib.suppress(ConnectionResetError):
        while sock.recv(65536):
            pass
    return time.monotonic() - started


def trickle(sock: socket.socket, data: bytes, every_s: float) -> None:
    """Sends ``data`` a byte at a time until it is sent or the server closes."""
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        for byte in data:
            sock.send(bytes([byte]))
            time.sleep(every_s)


def test_a_connection_that_sends_nothing_is_closed_after_the_head_timeout(server):
    with connect(server) as sock:
        started = time.monotonic()
        assert HEAD_TIMEOUT_S - 0.5 < seconds_until_closed(sock, started) < HEAD_TIMEOUT_S + 2


def test_a_head_sent_a_byte_at_a_time_is_closed_at_the_head_timeout(server):
    slow_head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 100
    with connect(server) as sock:
        started = time.monotonic()
        trickle(sock, slow_head, every_s=0.1)
        assert seconds_until_closed(sock, started) < HEAD_TIMEOUT_S + 2


def test_the_next_head_on_a_keep_alive_connection_has_the_same_deadline(server):
    with connect(server) as sock:
        sock.sendall(HEAD)
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        trickle(sock, HEAD[:-2] + b"X-Padding: " + b"a" * 100, every_s=0.1)
        assert seconds_until_closed(sock, started) < HEAD_TIMEOUT_S + 2


def test_a_head_that_arrives_within_the_timeout_is_served(server):
    with connect(server) as sock:
        trickle(sock, HEAD, every_s=(HEAD_TIMEOUT_S / 2) / len(HEAD))
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")


def test_an_idle_keep_alive_connection_is_closed(start):
    server = start()  # the head timeout at its default, 10 s
    with connect(server) as sock:
        sock.sendall(HEAD)
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        assert KEEP_ALIVE_S - 0.5 < seconds_until_closed(sock, started) < KEEP_ALIVE_S + 2


def fill(server, count: int) -> list[socket.socket]:
    """Opens ``count`` silent connections and waits until the worker holds them."""
    sockets = [connect(server) for _ in range(count)]
    time.sleep(0.5)
    return sockets


def test_a_worker_at_worker_connections_refuses_new_connections_with_503(start):
    server = start(WORKER_CONNECTIONS="20")
    with connect(server) as kept:
        kept.sendall(HEAD)
        assert read_response(kept).startswith(b"HTTP/1.1 200 ")
        idle = fill(server, 19)
        with connect(server) as refused:
            assert read_response(refused).startswith(b"HTTP/1.1 503 ")
        kept.sendall(HEAD)
        assert read_response(kept).startswith(b"HTTP/1.1 200 ")
        for sock in idle:
            sock.close()


def test_idle_connections_past_the_open_file_limit_leave_existing_ones_working(start):
    # The reviewer's case: 300 idle sockets on a worker allowed 200 open files.
    server = start(open_files=200)
    with connect(server) as kept:
        idle = fill(server, 300)
        kept.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_response(kept).startswith(b"HTTP/1.1 200 ")
        for sock in idle:
            sock.close()
    time.sleep(0.5)
    with connect(server) as fresh:
        fresh.sendall(HEAD)
        assert read_response(fresh).startswith(b"HTTP/1.1 200 ")


def test_an_open_file_limit_that_leaves_no_room_for_connections_is_refused_at_start(tmp_path):
    result = subprocess.run(
        [str(BIN / "bckeys"), "serve", "--port", "1"],
        env={**os.environ, **environment(tmp_path, f"sqlite:///{tmp_path / 'bckeys.db'}")},
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "open-file limit (100)" in line
    assert "ulimit -n" in line
