"""Who may call: every 401 and 403 of PRODUCT.md, through HTTP."""

import base64
import json
import time

import jwt
import pytest

from app.domain import accounts, keys
from tests.conftest import JWT_SECRET
from tests.support.accounts import generate_key, make_account
from tests.support.database import key_count

GENERATE = "/api/api-keys/generate"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def token_for(email, **claims):
    payload = {"sub": email, "iat": int(time.time()), "exp": int(time.time()) + 600, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, JWT_SECRET, "HS384")


def assert_unauthorized(response):
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "detail": "The request's credentials are missing or not valid.",
    }


def post(client, headers, body=None):
    return client.post(GENERATE, json={"name": "x"} if body is None else body, headers=headers)


def test_missing_authorization_is_401(client, account):
    assert_unauthorized(post(client, {"organization-id": account.organization_id}))


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "bearer", "", "Bearer  "],
)
def test_malformed_authorization_is_401(client, account, authorization):
    headers = {"Authorization": authorization, "organization-id": account.organization_id}
    assert_unauthorized(post(client, headers))


def test_scheme_word_is_case_insensitive(client, account):
    headers = account.headers()
    headers["Authorization"] = "bEaReR " + account.token
    assert post(client, headers).status_code == 201


def test_bad_signature_is_401(client, account):
    token = jwt.encode({"sub": account.email, "exp": int(time.time()) + 60}, "x" * 40, "HS384")
    assert_unauthorized(post(client, account.headers(token=token)))


def test_expired_token_is_401(client, account):
    assert_unauthorized(post(client, account.headers(token=token_for(account.email, exp=1))))


def test_token_without_exp_is_401(client, account):
    assert_unauthorized(post(client, account.headers(token=token_for(account.email, exp=None))))


def test_alg_none_token_is_401(client, account):
    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64({'sub': account.email, 'exp': 2**40})}."
    assert_unauthorized(post(client, account.headers(token=token)))


def test_unknown_user_is_401(client, account):
    assert_unauthorized(post(client, account.headers(token=token_for("nobody@example.com"))))


def test_email_matches_case_insensitively(client, account):
    assert post(client, account.headers(token=token_for(account.email.upper()))).status_code == 201


def test_inactive_user_is_401_with_token_and_key(client, account, services):
    key = generate_key(client, account)["key"]
    accounts.set_user_active(services.database, account.email, False)
    assert_unauthorized(post(client, account.headers()))
    assert_unauthorized(post(client, account.headers(token=key)))


def test_key_with_bad_checksum_is_401(client, account):
    key = generate_key(client, account)["key"]
    forged = key[:-8] + ("0" * 8 if key[-8:] != "0" * 8 else "1" * 8)
    assert_unauthorized(post(client, account.headers(token=forged)))


def test_well_formed_unknown_key_is_401(client, account):
    assert_unauthorized(post(client, account.headers(token=keys.mint_key())))


@pytest.mark.parametrize(
    "transform",
    [str.upper, lambda key: key[:-1], lambda key: "bc_" + "ab" * 48],
    ids=["upper-case", "truncated", "upstream-96-hex"],
)
def test_forged_key_forms_are_401(client, account, transform):
    key = generate_key(client, account)["key"]
    assert_unauthorized(post(client, account.headers(token=transform(key))))


def test_jwt_for_an_organization_the_user_is_not_in_is_403(client, account, other_account):
    response = post(client, account.headers(organization_id=other_account.organization_id))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_jwt_for_an_unknown_organization_is_403(client, account):
    response = post(client, account.headers(organization_id="org_does_not_exist"))
    assert response.status_code == 403


def test_key_with_another_organization_header_is_403(client, account, other_account):
    key = generate_key(client, account)["key"]
    headers = account.headers(token=key, organization_id=other_account.organization_id)
    assert post(client, headers).status_code == 403


def test_user_in_two_organizations_acts_in_the_one_named(client, services, account):
    second = make_account(services)
    accounts.add_user(services.database, account.email, second.organization_id)
    response = post(client, account.headers(organization_id=second.organization_id))
    assert response.status_code == 201
    listed = client.get("/api/api-keys", headers=second.headers()).json()
    assert [item["id"] for item in listed] == [response.json()["id"]]


def test_credentials_are_checked_before_the_body(client, account):
    response = client.post(
        GENERATE,
        content=b"{not json",
        headers={"organization-id": account.organization_id, "content-type": "application/json"},
    )
    assert_unauthorized(response)


def test_failed_authentication_writes_nothing(client, account, services):
    before = key_count(services)
    for token in [keys.mint_key(), token_for("nobody@example.com"), "garbage"]:
        post(client, account.headers(token=token))
    post(client, account.headers(organization_id="org_other"))
    assert key_count(services) == before
