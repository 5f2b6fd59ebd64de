"""What a security review of the running server found, each finding pinned
on both engines: unrouted paths, credential shapes that were 500s, look-alike
emails, HEAD, huge integers, and removed members' keys."""

import base64
import json
import time

import jwt
import pytest

from app.domain import accounts
from app.domain.errors import NotFound
from tests.conftest import JWT_SECRET
from tests.support.accounts import generate_key, make_account
from tests.support.database import key_count

LIST = "/api/api-keys"
GENERATE = "/api/api-keys/generate"

UNROUTED = [
    ("GET", "//api/api-keys"),
    ("POST", "//api/api-keys/generate"),
    ("PUT", "//api/api-keys/1/revoke"),
    ("GET", "/api//api-keys"),
    ("POST", "/api//api-keys/generate"),
    ("PUT", "/api/api-keys//1/revoke"),
    ("GET", "/api/api-keys/"),
    ("POST", "/api/api-keys/generate/"),
    ("PUT", "/api/api-keys/1/revoke/"),
    ("GET", "///api/api-keys"),
    ("GET", "//healthz"),
    ("GET", "/healthz/"),
]


@pytest.mark.parametrize(("method", "path"), UNROUTED)
@pytest.mark.parametrize("authenticated", [False, True], ids=["anonymous", "authenticated"])
def test_a_path_connexion_did_not_route_is_404_never_a_redirect(
    client, account, services, method, path, authenticated
):
    headers = {"Host": "evil.example", **(account.headers() if authenticated else {})}
    before = key_count(services)
    response = client.request(
        method,
        f"http://testserver{path}",
        headers=headers,
        json={} if method != "GET" else None,
        follow_redirects=False,
    )
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "location" not in response.headers
    assert key_count(services) == before


def test_head_on_an_operation_is_405_with_allow(client, account):
    response = client.head(LIST, headers=account.headers())
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def raw_jwt(header: object, claims: object, secret: str = JWT_SECRET) -> str:
    """A token signed over exactly the JSON given (HS256)."""

    def part(value) -> str:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{part(header)}.{part(claims)}"
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        signing_input.encode(), secret.encode()
    )
    return f"{signing_input}.{part(signature)}"


def _claims(email: str, **extra) -> dict:
    return {"sub": email, "exp": int(time.time()) + 600, **extra}


MALFORMED_TOKENS = {
    "alg-list": lambda email: raw_jwt({"alg": ["HS256"], "typ": "JWT"}, _claims(email)),
    "alg-object": lambda email: raw_jwt({"alg": {"HS256": 1}}, _claims(email)),
    "alg-number": lambda email: raw_jwt({"alg": 256}, _claims(email)),
    "alg-null": lambda email: raw_jwt({"alg": None}, _claims(email)),
    "header-list": lambda email: raw_jwt(["HS256"], _claims(email)),
    "exp-digit-string": lambda email: raw_jwt(
        {"alg": "HS256"}, _claims(email, exp=str(int(time.time()) + 600))
    ),
    "exp-true": lambda email: raw_jwt({"alg": "HS256"}, _claims(email, exp=True)),
    "exp-1e400": lambda email: raw_jwt(
        {"alg": "HS256"}, f'{{"sub": "{email}", "exp": 1e400}}'.encode()
    ),
    "exp-5000-digits": lambda email: raw_jwt(
        {"alg": "HS256"}, f'{{"sub": "{email}", "exp": {"9" * 5000}}}'.encode()
    ),
    "nbf-string": lambda email: raw_jwt({"alg": "HS256"}, _claims(email, nbf="later")),
    "sub-number": lambda email: raw_jwt({"alg": "HS256"}, _claims(email, sub=7)),
    "claims-list": lambda email: raw_jwt({"alg": "HS256"}, [email]),
}


@pytest.mark.parametrize("make_token", MALFORMED_TOKENS.values(), ids=MALFORMED_TOKENS.keys())
def test_every_malformed_jwt_is_401_with_www_authenticate(client, account, make_token):
    response = client.get(LIST, headers=account.headers(token=make_token(account.email)))
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_look_alike_email_does_not_authenticate_as_the_user(client, services):
    account = make_account(services, email="kim@example.com")
    look_alike = jwt.encode(_claims("\u212aim@example.com"), JWT_SECRET, "HS384")
    assert client.get(LIST, headers=account.headers(token=look_alike)).status_code == 401
    upper_case = jwt.encode(_claims("KIM@EXAMPLE.COM"), JWT_SECRET, "HS384")
    assert client.get(LIST, headers=account.headers(token=upper_case)).status_code == 200


def test_a_look_alike_email_is_another_user(services):
    organization_id = accounts.create_organization(services.database, "Look-alikes")
    accounts.add_user(services.database, "kim@example.com", organization_id)
    accounts.add_user(services.database, "\u212aim@example.com", organization_id)
    accounts.set_user_active(services.database, "\u212aim@example.com", False)
    subject = accounts.token_subject(services.database, "email", "KIM@example.com")
    assert subject == "kim@example.com"
    with pytest.raises(NotFound):
        accounts.token_subject(services.database, "email", "\u212aim@example.com")


def test_a_body_with_a_5000_digit_integer_is_400(client, account, services):
    before = key_count(services)
    response = client.post(
        GENERATE,
        content=b'{"name": "x", "n": ' + b"9" * 5000 + b"}",
        headers={**account.headers(), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert key_count(services) == before


def test_a_removed_member_s_keys_stay_revoked_when_added_back(client, account, services):
    key = generate_key(client, account)["key"]
    other_key = generate_key(client, account)["key"]
    _, revoked = accounts.remove_user(services.database, account.email, account.organization_id)
    assert len(revoked) == 2
    accounts.add_user(services.database, account.email, account.organization_id)
    for removed_key in (key, other_key):
        assert client.get(LIST, headers=account.headers(token=removed_key)).status_code == 401
    assert client.get(LIST, headers=account.headers()).json() == []
