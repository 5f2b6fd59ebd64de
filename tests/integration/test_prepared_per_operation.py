"""Work Connexion repeats on every request is done once per operation here,
with the same answers: validation's parser, validator and spec lookups, and
argument gathering for handlers that take none."""

import connexion.decorators.parameter
import pytest
from connexion.datastructures import MediaTypeDict
from connexion.operations import OpenAPIOperation
from starlette.testclient import TestClient

from app.web.application import create_app
from app.web.connexion_adaptations import validation
from handlers import auth_api_keys
from tests.support.accounts import generate_key


@pytest.fixture
def built(monkeypatch):
    """Counts, by name, the per-request objects and lookups Connexion makes."""
    counts = {"parameter validators": 0, "media type dicts": 0, "spec lookups": 0, "kwargs": 0}

    def counting(name, original):
        def counted(*args, **kwargs):
            counts[name] += 1
            return original(*args, **kwargs)

        return counted

    parameter_validator = validation.CompiledParameterValidator
    monkeypatch.setattr(
        parameter_validator,
        "__init__",
        counting("parameter validators", parameter_validator.__init__),
    )
    monkeypatch.setattr(
        MediaTypeDict, "__init__", counting("media type dicts", MediaTypeDict.__init__)
    )
    for lookup in ("response_definition", "body_definition"):
        monkeypatch.setattr(
            OpenAPIOperation, lookup, counting("spec lookups", getattr(OpenAPIOperation, lookup))
        )
    monkeypatch.setattr(
        connexion.decorators.parameter,
        "prep_kwargs",
        counting("kwargs", connexion.decorators.parameter.prep_kwargs),
    )
    return counts


def test_reads_build_no_validator_and_look_nothing_up_again(client, account, built):
    key = generate_key(client, account)["key"]
    reads = [
        lambda: client.get("/api/api-keys", headers=account.headers(token=key)),
        lambda: client.get("/api/api-keys/verify", headers={"Authorization": f"Bearer {key}"}),
    ]
    for read in reads:  # the first of each content type and status prepares it
        assert read().status_code == 200
    built.update(dict.fromkeys(built, 0))
    for read in reads * 3:
        assert read().status_code == 200
    assert built == {
        "parameter validators": 0,
        "media type dicts": 0,
        "spec lookups": 0,
        "kwargs": 0,
    }


def test_generating_builds_no_parameter_validator(client, account, built):
    assert generate_key(client, account)["key"]
    built["parameter validators"] = 0
    for _ in range(3):
        assert generate_key(client, account)["key"]
    assert built["parameter validators"] == 0


def test_a_handler_taking_no_parameters_is_called_without_gathering_them(client, account, built):
    key = generate_key(client, account)["key"]
    built["kwargs"] = 0
    assert client.get("/api/api-keys", headers=account.headers(token=key)).status_code == 200
    assert client.get("/api/api-keys/verify", headers=account.headers(token=key)).status_code == 200
    assert built["kwargs"] == 0
    # Handlers with parameters get them gathered as ever.
    created = client.post("/api/api-keys/generate", json={"name": "n"}, headers=account.headers())
    assert created.status_code == 201
    listed = client.get("/api/api-keys", headers=account.headers(token=key)).json()
    assert [item["name"] for item in listed if item["id"] == created.json()["id"]] == ["n"]
    revoked = client.put(
        f"/api/api-keys/{created.json()['id']}/revoke", headers=account.headers(token=key)
    )
    assert revoked.json() == {"id": created.json()["id"], "revoked": True}
    assert built["kwargs"] == 2


def test_prepared_validation_still_refuses_what_connexion_refuses(client, account):
    wrong_type = client.post(
        "/api/api-keys/generate",
        content=b"name=x",
        headers={**account.headers(), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert wrong_type.status_code == 415
    missing_header = client.get(
        "/api/api-keys", headers={"Authorization": account.headers()["Authorization"]}
    )
    assert missing_header.status_code == 400
    bad_body = client.post("/api/api-keys/generate", json={"name": 5}, headers=account.headers())
    assert bad_body.status_code == 400


def test_a_response_without_a_header_the_spec_requires_is_500(services, account, monkeypatch):
    verify = auth_api_keys.verify

    def without_user_email():
        payload, status, headers = verify()
        del headers["X-Auth-User-Email"]
        return payload, status, headers

    # Verify is answered without Flask: its handler is found when the app is made.
    monkeypatch.setattr(auth_api_keys, "verify", without_user_email)
    monkeypatch.setattr(auth_api_keys, "verify_head", without_user_email)
    with TestClient(create_app(services=services), raise_server_exceptions=False) as client:
        key = generate_key(client, account)["key"]
        for method in ("GET", "HEAD"):
            verified = client.request(
                method, "/api/api-keys/verify", headers={"Authorization": f"Bearer {key}"}
            )
            assert verified.status_code == 500
            assert verified.headers["content-type"] == "application/problem+json"
