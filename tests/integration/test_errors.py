"""PRODUCT.md's status table for bad requests, through HTTP on both engines."""

import time

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from app.web.application import create_app
from tests.conftest import environment
from tests.support.accounts import generate_key
from tests.support.database import key_count
from tests.support.postgres import free_port

GENERATE = "/api/api-keys/generate"

MALFORMED_BODIES = {
    "not-json": b"{not json",
    "truncated": b'{"name": "a"',
    "invalid-utf8": b'{"name": "\xff\xfe"}',
    "array": b'["name"]',
    "string": b'"name"',
    "number": b"42",
    "null": b"null",
    "name-number": b'{"name": 42}',
    "name-null": b'{"name": null}',
    "name-array": b'{"name": ["a"]}',
    "name-object": b'{"name": {"a": 1}}',
    "name-bool": b'{"name": true}',
    "empty": b"",
    "deeply-nested": b'{"name": "a", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"]


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_malformed_body_is_400_and_writes_nothing(client, account, services, body):
    before = key_count(services)
    response = client.post(
        GENERATE, content=body, headers={**account.headers(), "Content-Type": "application/json"}
    )
    assert_problem(response, 400)
    assert key_count(services) == before


def test_400_names_the_field(client, account):
    response = client.post(GENERATE, json={"name": 42}, headers=account.headers())
    assert_problem(response, 400)
    assert "name" in response.json()["detail"]


def test_missing_organization_header_is_400_naming_it(client, account):
    headers = account.headers()
    del headers["organization-id"]
    response = client.post(GENERATE, json={}, headers=headers)
    assert_problem(response, 400)
    assert "organization-id" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_body_that_is_not_json_is_415(client, account, services, content_type):
    before = key_count(services)
    response = client.post(
        GENERATE, content=b"name=x", headers={**account.headers(), "Content-Type": content_type}
    )
    assert_problem(response, 415)
    assert key_count(services) == before


def test_body_over_64_kib_is_413(client, account, services):
    before = key_count(services)
    body = b'{"name": "' + b"a" * (64 * 1024) + b'"}'
    response = client.post(
        GENERATE, content=body, headers={**account.headers(), "Content-Type": "application/json"}
    )
    assert_problem(response, 413)
    assert key_count(services) == before


def test_chunked_body_over_64_kib_is_413(client, account, services):
    def chunks():
        yield b'{"name": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    before = key_count(services)
    response = client.post(
        GENERATE,
        content=chunks(),
        headers={**account.headers(), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)
    assert key_count(services) == before


def test_body_just_under_64_kib_is_accepted(client, account):
    # The name holds at most 255 characters; a property the schema ignores
    # fills the rest.
    filler = "a" * (64 * 1024 - len(b'{"name": "n", "filler": ""}'))
    response = client.post(
        GENERATE, json={"name": "n", "filler": filler}, headers=account.headers()
    )
    assert response.status_code == 201


def test_unknown_path_is_404(client, account):
    assert_problem(client.get("/api/nothing-here", headers=account.headers()), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", GENERATE, {"POST"}),
        ("DELETE", GENERATE, {"POST"}),
        ("POST", "/api/api-keys", {"GET"}),
        ("GET", "/api/api-keys/1/revoke", {"PUT"}),
    ],
)
def test_method_not_allowed_is_405_with_allow(client, account, method, path, allowed):
    response = client.request(method, path, headers=account.headers())
    assert_problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == allowed


def test_unexpected_error_is_500_with_request_id_and_no_internals(
    client, account, services, monkeypatch
):
    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail at /srv/app.py line 12")

    monkeypatch.setattr(services.api_keys, "generate", explode)
    response = client.post(GENERATE, json={}, headers=account.headers())
    assert_problem(response, 500)
    body = response.json()
    assert body["requestId"] == response.headers["x-request-id"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_unreachable_database_is_503_with_retry_after_within_5_seconds(tmp_path, account):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    services = build_services(load_settings(environment(tmp_path, url)))
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        started = time.monotonic()
        response = client.post(GENERATE, json={}, headers=account.headers())
        assert time.monotonic() - started < 5
        assert_problem(response, 503)
        assert response.headers["retry-after"].isdigit()
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200


def test_request_id_is_returned_and_taken_from_the_client(client, account):
    response = client.get("/api/api-keys", headers={**account.headers(), "X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    generated = client.get("/api/api-keys", headers=account.headers()).headers["x-request-id"]
    assert len(generated) == 32


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_spec_and_swagger_ui_are_served(client):
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert "/api/api-keys/generate" in spec.json()["paths"]
    ui = client.get("/ui/")
    assert ui.status_code == 200
    assert "swagger" in ui.text.lower()


def test_chunked_body_without_length_is_accepted(client, account):
    def chunks():
        yield b'{"name": '
        yield b'"chunked"}'

    response = client.post(
        GENERATE,
        content=chunks(),
        headers={**account.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("segment", ["%0A", "1%0A", "%1D%17%0A%C2%B04", "%00", "%7F", "a%09b"])
def test_control_characters_in_a_path_are_404_never_500(client, account, segment):
    for path in [f"/api/api-keys/{segment}/revoke", f"/api/api-keys{segment}", f"/{segment}"]:
        response = client.put(path, headers=account.headers())
        assert_problem(response, 404)


def test_response_that_breaks_the_spec_is_500(client, account, monkeypatch):
    generate_key(client, account)
    monkeypatch.setattr("handlers.auth_api_keys._listed", lambda key: {"id": key.id, "token": 7})
    response = client.get("/api/api-keys", headers=account.headers())
    assert_problem(response, 500)
    assert "token" not in response.json().get("detail", "")


@pytest.mark.parametrize(
    ("request_args", "entry"),
    [
        (
            {"method": "POST", "url": GENERATE, "json": {"name": None}},
            {"detail": "'name' must be a string.", "pointer": "/name"},
        ),
        (
            {"method": "POST", "url": GENERATE, "json": {"name": "n" * 256}},
            {"detail": "'name' must be at most 255 characters.", "pointer": "/name"},
        ),
        (
            {"method": "POST", "url": GENERATE, "json": ["name"]},
            {"detail": "The request body must be a JSON object.", "pointer": ""},
        ),
        (
            {"method": "PUT", "url": "/api/api-keys/abc/revoke"},
            {"detail": "The path parameter 'id' must be a number.", "parameter": "id"},
        ),
        (
            {"method": "GET", "url": "/api/api-keys?extra=1"},
            {"detail": "The query parameter 'extra' is not accepted here.", "parameter": "extra"},
        ),
    ],
    ids=["body-field", "body-too-long", "body-whole", "path", "query"],
)
def test_a_400_says_in_one_sentence_what_to_fix_and_where(client, account, request_args, entry):
    response = client.request(headers=account.headers(), **request_args)
    assert_problem(response, 400)
    body = response.json()
    assert body["errors"] == [entry]
    assert body["detail"] == entry["detail"]
    assert "\n" not in body["detail"]
    assert "Failed validating" not in response.text
    assert "None is not" not in response.text


def test_a_missing_header_is_named_as_a_parameter(client, account):
    headers = account.headers()
    del headers["organization-id"]
    response = client.post(GENERATE, json={}, headers=headers)
    assert response.json()["errors"] == [
        {
            "detail": "The header parameter 'organization-id' is required.",
            "parameter": "organization-id",
        }
    ]


def test_readyz_is_503_without_this_version_s_schema(env, services):
    def mark_schema(revision: str) -> None:
        with services.database.transaction() as session:
            session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})

    mark_schema("0001")
    try:
        with TestClient(create_app(services=services)) as client:
            response = client.get("/readyz")
    finally:
        # The PostgreSQL database is shared by the session's tests.
        mark_schema(migrate.head_revision())
    assert response.status_code == 503
    assert "schema" in response.json()["status"]
    assert response.headers["retry-after"]
