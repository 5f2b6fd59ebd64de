"""Keys across a deployment: Debian's nginx with the shipped configuration
asks bckeys about every request, and a stand-in Bigcapital behind it gets
only verified identities, on both engines and in both token formats."""

import time

import jwt
import pytest

from app.domain import accounts
from app.domain.tokens import issue_token
from app.settings import load_settings
from tests.conftest import JWT_SECRET
from tests.support.accounts import Account, make_account
from tests.support.gateway_fixtures import UPSTREAM_PATH, start_gateway


def claims_of(received: dict) -> dict:
    return jwt.decode(received["authorization"][7:], JWT_SECRET, algorithms=["HS384"])


def test_a_key_reaches_the_upstream_as_an_exchanged_token_for_its_organization(gateway, account):
    key = gateway.generate(account)
    status, received = gateway.through(key["key"])
    assert status == 200
    claims = claims_of(received)
    assert claims["sub"] == account.email
    assert claims["api_key_id"] == key["id"]
    assert claims["organization_id"] == account.organization_id
    assert 0 < claims["exp"] - time.time() <= 60
    assert received["organization-id"] == account.organization_id
    assert received["x-auth-api-key-id"] == str(key["id"])
    assert received["x-auth-user-email"] == account.email
    assert "x-auth-upstream-authorization" not in received


def test_a_jwt_reaches_the_upstream_as_it_is_with_its_verified_organization(gateway, account):
    status, received = gateway.through(
        account.token, **{"organization-id": account.organization_id}
    )
    assert status == 200
    assert received["authorization"] == f"Bearer {account.token}"
    assert received["organization-id"] == account.organization_id


def test_a_key_acts_only_in_its_own_organization(gateway, account, services):
    other = make_account(services)
    key = gateway.generate(account)["key"]
    status, received = gateway.through(key, **{"organization-id": other.organization_id})
    assert (status, received) == (403, None)


def test_refused_credentials_never_reach_the_upstream(gateway, account):
    assert gateway.through() == (401, None)
    assert gateway.last_response.headers["www-authenticate"] == "Bearer"
    assert gateway.through("bc_" + "0" * 72) == (401, None)
    assert gateway.through("not-a-jwt") == (401, None)
    foreign = jwt.encode(
        {"sub": account.email, "exp": int(time.time()) + 60}, "another-secret" * 4, "HS384"
    )
    assert gateway.through(foreign) == (401, None)


def test_a_revoked_key_is_refused_on_the_very_next_request(gateway, account):
    key = gateway.generate(account)
    assert gateway.through(key["key"])[0] == 200
    with gateway.proxy.client() as client:
        revoked = client.put(f"/api/api-keys/{key['id']}/revoke", headers=account.headers())
    assert revoked.status_code == 200
    assert gateway.through(key["key"]) == (401, None)


def test_a_deactivated_user_is_refused_on_the_very_next_request(gateway, account, services):
    key = gateway.generate(account)["key"]
    assert gateway.through(key)[0] == 200
    accounts.set_user_active(services.database, account.email, False)
    assert gateway.through(key) == (401, None)
    assert gateway.through(account.token, **{"organization-id": account.organization_id}) == (
        401,
        None,
    )


def test_a_removed_membership_is_refused_on_the_very_next_request(gateway, account, services):
    key = gateway.generate(account)["key"]
    assert gateway.through(key)[0] == 200
    accounts.remove_user(services.database, account.email, account.organization_id)
    assert gateway.through(key) == (401, None)
    jwt_status, _ = gateway.through(account.token, **{"organization-id": account.organization_id})
    assert jwt_status == 403


def test_a_client_cannot_make_the_upstream_see_an_identity_it_chose(gateway, account, services):
    other = make_account(services)
    key = gateway.generate(account)["key"]
    spoofed = {
        "X-Auth-User-Email": other.email,
        "X-Auth-Organization-Id": other.organization_id,
        "X-Auth-Api-Key-Id": "999",
        "X-Auth-Upstream-Authorization": f"Bearer {other.token}",
    }
    status, received = gateway.through(key, **spoofed)
    assert status == 200
    assert received["x-auth-user-email"] == account.email
    assert received["x-auth-organization-id"] == account.organization_id
    assert received["organization-id"] == account.organization_id
    assert received["x-auth-api-key-id"] != "999"
    assert claims_of(received)["sub"] == account.email
    status, received = gateway.through(account.token, **spoofed)
    assert status == 200
    assert "organization-id" not in received
    assert "x-auth-organization-id" not in received
    assert received["x-auth-user-email"] == account.email


def test_an_exchanged_token_acts_only_for_its_organization_and_dies_with_its_key(
    gateway, account, services
):
    other = make_account(services)
    key = gateway.generate(account)
    with gateway.proxy.client() as client:
        verified = client.get(
            "/api/api-keys/verify", headers={"Authorization": f"Bearer {key['key']}"}
        )
    exchanged = verified.headers["x-auth-upstream-authorization"][7:]
    status, received = gateway.through(exchanged)
    assert status == 200
    assert received["organization-id"] == account.organization_id
    assert gateway.through(exchanged, **{"organization-id": other.organization_id}) == (403, None)
    with gateway.proxy.client() as client:
        client.put(f"/api/api-keys/{key['id']}/revoke", headers=account.headers())
    assert gateway.through(exchanged) == (401, None)


def test_the_hardened_token_format_works_both_ways(start_server, env, services):
    hardened = {
        "APP_JWT_SUBJECT": "user_id",
        "APP_JWT_ISSUER": "bigcapital",
        "APP_JWT_AUDIENCE": "bigcapital-api",
    }
    gateway = start_gateway(start_server, **hardened)
    try:
        organization_id = accounts.create_organization(services.database, "Hardened")
        accounts.add_user(services.database, "id@example.com", organization_id, upstream_id=42)
        settings = load_settings({**env, **hardened})
        token = issue_token(settings, "42", 600)
        account = Account(organization_id, "id@example.com", token)
        status, received = gateway.through(token, **{"organization-id": organization_id})
        assert status == 200
        assert received["authorization"] == f"Bearer {token}"
        key = gateway.generate(account)["key"]
        status, received = gateway.through(key)
        assert status == 200
        claims = jwt.decode(
            received["authorization"][7:],
            JWT_SECRET,
            algorithms=["HS384"],
            issuer="bigcapital",
            audience="bigcapital-api",
        )
        assert claims["sub"] == "42"
        unhardened = jwt.encode({"sub": "42", "exp": int(time.time()) + 60}, JWT_SECRET, "HS384")
        assert gateway.through(unhardened) == (401, None)
    finally:
        gateway.stop()


# Spellings that nginx and Express may both take for Bigcapital's own
# /api/api-keys routes: letter case (Express routes case-insensitively),
# percent-encoding, slashes and dot segments (nginx matches the decoded,
# normalized path).
KEY_ROUTE_SPELLINGS = [
    ("POST", "/API/api-keys/generate"),
    ("POST", "/Api/Api-Keys/Generate"),
    ("GET", "/api/API-KEYS"),
    ("GET", "/aPi/aPi-kEyS?limit=1"),
    ("PUT", "/API/API-KEYS/1/REVOKE"),
    ("DELETE", "/api/Api-keys/1"),
    ("POST", "/api/api%2Dkeys/generate"),
    ("POST", "/api/%41PI-KEYS/generate"),
    ("POST", "/%61pi/api-keys/generate"),
    ("POST", "/API%2Fapi-keys/generate"),
    ("POST", "//api//api-keys/generate"),
    ("POST", "/api/./API-keys/generate"),
    ("POST", "/api/items/../api-keys/generate"),
    ("GET", "/api/api-keys/"),
    ("GET", "/api/api-keys%2F"),
    ("GET", "/api/api-keys.json"),
]


@pytest.mark.parametrize(("method", "target"), KEY_ROUTE_SPELLINGS)
def test_every_spelling_of_the_key_routes_reaches_bckeys_never_the_upstream(
    gateway, account, method, target
):
    headers = list(account.headers().items())
    status = gateway.proxy.raw(method, target, headers)
    assert gateway.upstream.received == []
    assert status in (200, 201, 400, 404, 405), status


PUBLIC_ROUTES = [
    ("POST", "/api/auth/signin"),
    ("POST", "/api/auth/signup"),
    ("POST", "/api/auth/signup/confirm"),
    ("POST", "/api/auth/send_reset_password"),
    ("POST", "/api/auth/reset_password/a-reset-token"),
    ("GET", "/api/auth/meta"),
    ("GET", "/api/invite/check/an-invite-token"),
    ("POST", "/api/invite/accept/an-invite-token"),
    ("GET", "/api/system_db"),
    ("POST", "/api/banking/plaid/webhooks"),
    ("POST", "/api/webhooks/stripe"),
    ("GET", "/"),
    ("GET", "/swagger-json"),
]


@pytest.mark.parametrize(("method", "target"), PUBLIC_ROUTES)
def test_bigcapitals_public_routes_and_web_app_pass_without_a_credential(gateway, method, target):
    gateway.proxy.raw(method, target, [])
    assert [request["path"] for request in gateway.upstream.received] == [target]


@pytest.mark.parametrize(
    "target",
    [
        "/API/AUTH/SIGNIN",
        "/api/auth/signin/../../invoices",
        "/api/auth/signin%2F..%2F..%2Finvoices",
        "/api/auth/meta/../../invoices",
        "/api/system_db/../invoices",
        "/api/auth/reset_password/x/../../../invoices",
        "/API/invoices",
        "/Api",
    ],
)
def test_no_spelling_of_a_protected_route_passes_as_a_public_one(gateway, target):
    assert gateway.proxy.raw("GET", target, []) == 401
    assert gateway.upstream.received == []


def test_the_upstream_gets_the_clients_address_not_one_the_client_chose(gateway, account):
    key = gateway.generate(account)["key"]
    status, received = gateway.through(
        key, **{"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"}
    )
    assert status == 200
    assert received["x-forwarded-for"] == "127.0.0.1"
    assert received["x-real-ip"] == "127.0.0.1"


def test_a_duplicated_authorization_header_is_kept_out_of_nginxs_logs(gateway, account):
    key = gateway.generate(account)["key"]
    headers = [("Authorization", f"Bearer {key}"), ("Authorization", f"Bearer {account.token}")]
    gateway.proxy.raw("GET", UPSTREAM_PATH, headers)
    logs = gateway.proxy.logs()
    assert key not in logs
    assert account.token.split(".")[2] not in logs
