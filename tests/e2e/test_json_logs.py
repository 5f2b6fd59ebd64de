"""LOG_FORMAT=json: every line a JSON object, access lines with their fields."""

import json
import re

from tests.support.accounts import generate_key


def test_json_access_and_audit_lines(start_server, account):
    server = start_server(LOG_FORMAT="json")
    with server.client() as client:
        created = generate_key(client, account)
        client.get("/api/api-keys", headers=account.headers(token=created["key"]))
    server.stop()
    lines = [json.loads(line) for line in server.logs().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "bckeys.access"]
    assert [line["status"] for line in access][-2:] == [201, 200]
    for line in access[-2:]:
        assert {"time", "level", "request_id", "method", "path", "status", "duration_ms"} <= set(
            line
        )
        assert line["organization_id"] == account.organization_id
    audit = [line for line in lines if line["logger"] == "bckeys.audit"]
    assert audit[-1]["event"] == "key.created"
    assert audit[-1]["key_id"] == created["id"]


def test_json_lines_carry_iso_8601_utc_time_and_no_terminal_colours(start_server, account):
    server = start_server(LOG_FORMAT="json")
    with server.client() as client:
        generate_key(client, account)
    server.stop()
    raw = server.logs()
    assert "\x1b" not in raw
    lines = [json.loads(line) for line in raw.splitlines() if line.strip()]
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    for line in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]), line
        assert "color_message" not in line
