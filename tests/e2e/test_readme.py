"""The README's "Getting a credential" commands, run as written."""

import json
import os
import re
import subprocess
from pathlib import Path

import httpx

from tests.support.server import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def shell_blocks(section: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.DOTALL)


def test_getting_a_credential_commands_work_as_written(env, tmp_path):
    setup, calls = shell_blocks("Getting a credential")
    exports = subprocess.run(
        ["bash", "-c", f'set -euo pipefail\n{setup}\necho "$ORG"; echo "$TOKEN"'],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    organization_id, token = exports[-2], exports[-1]

    server = ServerProcess(env, tmp_path / "server.log")
    try:
        key = httpx.post(
            f"{server.url}/api/api-keys/generate",
            json={"name": "readme"},
            headers={"Authorization": f"Bearer {token}", "organization-id": organization_id},
        ).json()["key"]
        outputs = subprocess.run(
            ["bash", "-c", f"set -euo pipefail\n{calls.replace('127.0.0.1:8000', server.url[7:])}"],
            env={**os.environ, "ORG": organization_id, "TOKEN": token, "KEY": key},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        server.stop()
    listed, revoked = json_values(outputs)
    assert [item["name"] for item in listed] == ["readme"]
    assert revoked == {"id": 1, "revoked": True}


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
