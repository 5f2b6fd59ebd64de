"""The README's shell blocks, each run as one script, as written."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.conftest import environment
from tests.support.postgres import free_port
from tests.support.server import BIN, ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def shell_blocks(section: str, language: str = "sh") -> list[str]:
    """The README section's code blocks in ``language``, as written."""
    text = (ROOT / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", body, re.DOTALL)


def test_getting_a_credential_runs_whole_as_written(env, tmp_path):
    (block,) = shell_blocks("Getting a credential")
    server = ServerProcess(env, tmp_path / "server.log")
    script = block.replace("127.0.0.1:8000", server.url[7:]).replace(".venv/bin/", f"{BIN}/")
    try:
        outputs = subprocess.run(
            ["bash", "-c", f"set -euo pipefail\n{script}"],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        server.stop()
    printed_email, curls = outputs.split("\n", 1)
    assert printed_email == "ada@example.com"
    listed, revoked = json_values(curls)
    assert [item["name"] for item in listed] == ["my script"]
    assert revoked == {"id": listed[0]["id"], "revoked": True}


def test_installing_on_a_server_runs_as_written_and_serves(tmp_path):
    (block,) = [block for block in shell_blocks("Two commands") if "python3 -m venv" in block]
    venv = tmp_path / "bckeys"
    printed = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{block.replace('/opt/bckeys/venv', str(venv))}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.split()[-1] == "0.1.0"
    port = free_port()
    server = subprocess.Popen(
        [str(venv / "bin/bckeys"), "serve", "--port", str(port), "--workers", "1"],
        cwd=tmp_path,
        env={**os.environ, **environment(tmp_path / "data", f"sqlite:///{tmp_path}/bckeys.db")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(server, f"http://127.0.0.1:{port}")
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json")
        ui = httpx.get(f"http://127.0.0.1:{port}/ui/")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(40)
    assert spec.content == (ROOT / "openapi.json").read_bytes()
    assert ui.status_code == 200


def wait_ready(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not become ready (exit status {server.poll()})")


def json_values(text: str) -> list:
    """The JSON values in ``text``, which curl prints back to back."""
    decoder = json.JSONDecoder()
    values, index = [], 0
    while index < len(text):
        value, index = decoder.raw_decode(text, index)
        values.append(value)
        while index < len(text) and text[index].isspace():
            index += 1
    return values


def test_the_readmes_nginx_excerpts_are_lines_of_the_shipped_configuration():
    readme = (ROOT / "README.md").read_text()
    shipped = {
        line.strip()
        for line in (ROOT / "deploy/nginx/bckeys-gateway.conf").read_text().splitlines()
    }
    excerpts = re.findall(r"```nginx\n(.*?)```", readme, re.DOTALL)
    assert excerpts
    for excerpt in excerpts:
        for line in map(str.strip, excerpt.splitlines()):
            if line and not line.startswith("#") and line != "}":
                assert line in shipped, line
