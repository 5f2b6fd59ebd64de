"""The README's "Getting a credential" block, run as one script, as written."""

import json
import os
import re
import subprocess
from pathlib import Path

from tests.support.server import BIN, ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def shell_blocks(section: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.DOTALL)


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
