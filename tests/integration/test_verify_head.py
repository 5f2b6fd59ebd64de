"""HEAD verify: GET's status and headers, no body. The shipped nginx
configuration asks this way so that it can keep its connection to bckeys."""

import jwt
import pytest

from tests.conftest import JWT_SECRET
from tests.support.accounts import generate_key, make_account

VERIFY = "/api/api-keys/verify"
# Vary from call to call: an exchanged token's exp and jti, the request id.
VARYING = {"x-auth-upstream-authorization", "x-request-id", "date"}


def both(client, **headers):
    return client.get(VERIFY, headers=headers), client.head(VERIFY, headers=headers)


def same_answer(get, head) -> None:
    assert head.status_code == get.status_code
    assert head.content == b""
    assert {name: value for name, value in head.headers.items() if name not in VARYING} == {
        name: value for name, value in get.headers.items() if name not in VARYING
    }


def test_a_key_is_verified_by_head_as_by_get(client, services):
    account = make_account(services)
    key = generate_key(client, account)
    get, head = both(client, Authorization=f"Bearer {key['key']}")
    assert get.status_code == 200
    same_answer(get, head)
    exchanged = head.headers["x-auth-upstream-authorization"].removeprefix("Bearer ")
    claims = jwt.decode(exchanged, JWT_SECRET, algorithms=["HS384"])
    assert claims["api_key_id"] == key["id"]
    assert head.headers["x-auth-organization-id"] == account.organization_id


def test_a_jwt_is_verified_by_head_as_by_get(client, account):
    get, head = both(
        client,
        Authorization=f"Bearer {account.token}",
        **{"organization-id": account.organization_id},
    )
    assert get.status_code == 200
    same_answer(get, head)
    assert head.headers["x-auth-upstream-authorization"] == f"Bearer {account.token}"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer bc_" + "0" * 72}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
    ],
)
def test_refusals_are_the_same_without_their_bodies(client, headers, status):
    get, head = both(client, **headers)
    assert get.status_code == status
    same_answer(get, head)


def test_another_organization_is_forbidden_by_head_as_by_get(client, services, account):
    other = make_account(services)
    key = generate_key(client, account)["key"]
    get, head = both(
        client, Authorization=f"Bearer {key}", **{"organization-id": other.organization_id}
    )
    assert get.status_code == 403
    same_answer(get, head)
    assert head.headers["x-auth-problem"]
