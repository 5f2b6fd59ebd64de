"""Access and audit logs: one line per request, events with who and which key."""

import logging

from app.domain import keys
from tests.support.accounts import generate_key
from tests.support.secrets_scan import credentials_in


def records(caplog, logger: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == logger]


def test_one_access_line_per_request_with_its_facts(client, account, caplog):
    caplog.set_level(logging.INFO)
    response = client.get(
        "/api/api-keys?x=1", headers={**account.headers(), "X-Request-ID": "req-42"}
    )
    (line,) = records(caplog, "bckeys.access")
    assert (line.method, line.path, line.status) == ("GET", "/api/api-keys", response.status_code)
    assert line.request_id == "req-42"
    assert line.organization_id == account.organization_id
    assert line.duration_ms >= 0
    assert "GET /api/api-keys 400" in line.getMessage() or "GET /api/api-keys 200" in (
        line.getMessage()
    )


def test_access_line_of_an_unauthenticated_request_has_no_organization(client, caplog):
    caplog.set_level(logging.INFO)
    client.post("/api/api-keys/generate", json={}, headers={"organization-id": "org_x"})
    (line,) = records(caplog, "bckeys.access")
    assert line.status == 401
    assert line.organization_id is None


def test_key_creation_and_revocation_are_audited(client, account, caplog):
    caplog.set_level(logging.INFO)
    created = generate_key(client, account)
    client.put(f"/api/api-keys/{created['id']}/revoke", headers=account.headers())
    created_event, revoked_event = records(caplog, "bckeys.audit")
    assert created_event.event == "key.created"
    assert created_event.actor == account.email
    assert created_event.organization_id == account.organization_id
    assert created_event.key_id == created["id"]
    assert created_event.display_prefix == created["key"][:8]
    assert revoked_event.event == "key.revoked"
    assert (revoked_event.actor, revoked_event.key_id) == (account.email, created["id"])


def test_rejected_credentials_are_audited_without_the_credential(client, account, caplog):
    caplog.set_level(logging.INFO)
    forged = keys.mint_key()
    client.get("/api/api-keys", headers=account.headers(token=forged))
    client.get("/api/api-keys", headers=account.headers(token="not-a-jwt"))
    key_event, jwt_event = records(caplog, "bckeys.audit")
    assert (key_event.event, key_event.kind) == ("credential.rejected", "api_key")
    assert key_event.display_prefix == forged[:8]
    assert key_event.organization_id == account.organization_id
    assert (jwt_event.kind, jwt_event.display_prefix) == ("jwt", None)
    assert forged not in caplog.text
    assert credentials_in(caplog.text) == []


def test_hostile_header_values_are_escaped_and_bounded_in_logs(client, account, caplog):
    caplog.set_level(logging.INFO)
    hostile = "org\x1b[31m\u202e" + "A" * 5000
    client.get(
        "/api/api-keys",
        headers=account.headers(token=keys.mint_key())
        | {"organization-id": hostile.encode("utf-8")},
    )
    (event,) = records(caplog, "bckeys.audit")
    assert len(event.organization_id) < 120
    assert "\x1b" not in caplog.text


def test_key_in_a_url_path_is_redacted_from_the_access_log(client, caplog):
    caplog.set_level(logging.INFO)
    key = keys.mint_key()
    client.get(f"/{key}")
    (line,) = records(caplog, "bckeys.access")
    assert key not in line.getMessage()
    assert line.path == "/[redacted]"


def test_a_key_sent_in_the_wrong_field_is_not_logged(client, account, caplog):
    caplog.set_level(logging.DEBUG)
    key = generate_key(client, account)["key"]
    for body in [{"name": [key]}, {"name": {"key": key}}, {"name": None, "key": key}]:
        response = client.post("/api/api-keys/generate", json=body, headers=account.headers())
        assert response.status_code == 400
    assert key not in caplog.text


def test_a_response_that_breaks_the_spec_is_500_and_not_logged(
    client, account, services, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    leaked = keys.mint_key()
    monkeypatch.setattr(services.api_keys, "generate", lambda *_args: ("not-a-number", leaked))
    response = client.post("/api/api-keys/generate", json={}, headers=account.headers())
    assert response.status_code == 500
    assert leaked not in response.text
    assert leaked not in caplog.text


def test_a_library_s_record_logged_while_serving_carries_the_request_id(
    client, account, services, caplog, monkeypatch
):
    def list_with_a_warning(organization_id):
        logging.getLogger("connexion.somewhere").warning("a library's warning")
        return []

    monkeypatch.setattr(services.api_keys, "list", list_with_a_warning)
    caplog.set_level(logging.INFO)
    response = client.get("/api/api-keys", headers=account.headers())
    (warning,) = [record for record in caplog.records if record.name == "connexion.somewhere"]
    assert warning.request_id == response.headers["x-request-id"]
