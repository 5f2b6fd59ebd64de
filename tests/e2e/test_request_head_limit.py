"""Request heads over 32 KiB are refused with 431 as they arrive, before the
worker buffers them."""

import socket
import time
from pathlib import Path

import pytest

from tests.conftest import environment
from tests.support.server import ServerProcess

HEAD_LIMIT = 32 * 1024


@pytest.fixture
def server(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'bckeys.db'}"
    server = ServerProcess(environment(tmp_path, database_url), tmp_path / "server.log")
    yield server
    server.stop()


def raw_request(server, header_value_size: int, chunk: int = 1 << 20) -> bytes:
    """Sends GET /healthz with one header of the given size, in chunks, and
    returns what the server answered (sending stops once it closes)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ")
        try:
            remaining = header_value_size
            while remaining:
                size = min(chunk, remaining)
                sock.sendall(b"a" * size)
                remaining -= size
            sock.sendall(b"\r\nConnection: close\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_head_under_32_kib_is_served(server):
    assert raw_request(server, HEAD_LIMIT - 1024).startswith(b"HTTP/1.1 200 ")


def test_head_over_32_kib_is_431_problem(server):
    answer = raw_request(server, HEAD_LIMIT + 1024)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"application/problem+json" in answer


def test_the_first_read_of_a_head_counts_towards_its_32_kib(server):
    first = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + b"a" * (24 * 1024)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(first)
        time.sleep(0.3)
        sock.sendall(b"a" * (24 * 1024) + b"\r\nConnection: close\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_64_mib_header_does_not_grow_the_worker(server):
    raw_request(server, HEAD_LIMIT)
    before = resident_kib(server.process.pid)
    answer = raw_request(server, 64 * 1024 * 1024)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert resident_kib(server.process.pid) - before < 8 * 1024
    assert raw_request(server, 100).startswith(b"HTTP/1.1 200 ")
