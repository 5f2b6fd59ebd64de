"""The README's quick start: `make run` in a fresh clone, then the curl it
prints, gets a 201; it installs only what serving needs. The time from clone
to the first 201 and the serving venv's size are printed, not asserted."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import require
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
CURL_END = """-d '{"name": "my first key"}'"""


def fresh_clone(destination: Path) -> Path:
    """The working tree's files as a clone holds them (tracked and new, not
    ignored), without its .venv or data."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_symlink() or source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name, follow_symlinks=False)
    return destination


def size_in_megabytes(folder: Path) -> float:
    files = (path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    return sum(path.stat().st_size for path in files) / 1e6


def start_make_run(data_dir: Path, port: int, root: Path = ROOT, **extra_env) -> subprocess.Popen:
    env = {
        **os.environ,
        "BCKEYS_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "WORKERS": "1",
        **extra_env,
    }
    for name in ("DATABASE_URL", "APP_JWT_SECRET"):
        env.pop(name, None)
    return subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def read_until_curl(process: subprocess.Popen) -> str:
    lines = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.strip() == CURL_END:
            return "".join(lines)
    raise AssertionError("no curl printed:\n" + "".join(lines))


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("make run did not serve")


def curl_command(output: str) -> str:
    start = output.index("curl ")
    end = output.index(CURL_END) + len(CURL_END)
    return output[start:end]


def stop_with_ctrl_c(process: subprocess.Popen, port: int) -> None:
    """Ctrl-C stops it cleanly: promptly, without a traceback, port released.

    make itself dies of the SIGINT it forwards (-2), as interrupted make does.
    """
    os.killpg(process.pid, signal.SIGINT)
    try:
        rest = process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode in (0, -signal.SIGINT)
    assert "Traceback" not in rest
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def run_once(root: Path, data_dir: Path, port: int) -> tuple[str, dict]:
    """`make run` in ``root``, then the curl it printed; stopped with Ctrl-C.

    Returns what it printed up to the curl, and the curl's JSON answer.
    """
    process = start_make_run(data_dir, port, root)
    try:
        output = read_until_curl(process)
        wait_ready(port)
        curl = subprocess.run(
            ["bash", "-c", curl_command(output)], capture_output=True, text=True, timeout=30
        )
        return output, json.loads(curl.stdout)
    finally:
        stop_with_ctrl_c(process, port)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """A fresh clone's first `make run` and its curl: (clone, data folder,
    printed output, answer, seconds from clone to the answer)."""
    require(shutil.which("curl") is not None, "curl")
    started = time.monotonic()
    clone = fresh_clone(tmp_path_factory.mktemp("clone"))
    data_dir = clone / "var"
    output, body = run_once(clone, data_dir, free_port())
    return clone, data_dir, output, body, time.monotonic() - started


def test_make_run_in_a_fresh_clone_answers_its_curl_with_201(first_run, capsys):
    clone, _, output, body, seconds = first_run
    with capsys.disabled():
        print(
            f"\nclone to first 201: {seconds:.1f} s; "
            f"serving venv: {size_in_megabytes(clone / '.venv'):.0f} MB"
        )
    assert "Created the demo organization" in output
    assert re.fullmatch(r"bc_[0-9a-f]{72}", body["key"])
    assert isinstance(body["id"], int)


def test_make_run_again_reuses_its_data(first_run):
    clone, data_dir, _, _, _ = first_run
    output, body = run_once(clone, data_dir, free_port())
    assert "Reusing the existing data" in output
    assert re.fullmatch(r"bc_[0-9a-f]{72}", body["key"])
    assert body["id"] == 2


def test_make_run_installs_only_the_serving_lock(first_run):
    clone = first_run[0]
    installed = subprocess.run(
        [str(clone / ".venv/bin/pip"), "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(installed) == sorted((ROOT / "requirements.lock").read_text().split())


@pytest.mark.parametrize("target", ["install", "test", "run", "lint", "fuzz", "bench"])
def test_makefile_has_the_documented_targets(target):
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_make_run_on_a_busy_port_says_so_before_printing_a_curl(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = start_make_run(tmp_path / "data", port)
        output, _ = process.communicate(timeout=120)
    assert process.returncode != 0
    assert f"PORT={port + 1} make run" in output
    assert "curl" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("host", ["192.0.2.1", "no-such-host.invalid"])
def test_make_run_on_an_address_it_cannot_listen_on_says_so_in_one_line(tmp_path, host):
    process = start_make_run(tmp_path / "data", free_port(), HOST=host)
    output, _ = process.communicate(timeout=120)
    assert process.returncode != 0
    (line,) = [line for line in output.splitlines() if host in line]
    assert line.startswith(f"Cannot listen on {host} port ")
    assert "HOST=127.0.0.1 make run" in line
    assert "in use" not in output and "curl" not in output and "Traceback" not in output
