"""Key ids are 64-bit on both engines, and a path id is read exactly: every
boundary names no key (404), never a 500, and a real key still revokes."""

import pytest
from sqlalchemy import insert

from app.domain import keys
from app.storage.models import ApiKey, utc_now
from tests.support.accounts import generate_key
from tests.support.database import key_owner

LIST = "/api/api-keys"
BOUNDARY_IDS = [
    "0",
    "-1",
    "1.5",
    "2147483647",
    "2147483648",
    "4294967296",
    "9007199254740993",
    "4397599636016587.0",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "1e300",
    "-9223372036854775809",
    "1e-300",
    "nan",
    "1_0",
    "%2B13",
    "%2016",
    "%EF%BC%91",  # full-width 1
    "%D9%A1",  # Arabic-Indic 1
]


def revoke_path(key_id) -> str:
    return f"/api/api-keys/{key_id}/revoke"


def insert_key(services, account_ids, key_id: int) -> str:
    """A key stored by hand under ``key_id``: the key itself."""
    organization_id, user_id = account_ids
    key = keys.mint_key()
    with services.database.transaction() as session:
        session.execute(
            insert(ApiKey).values(
                id=key_id,
                organization_id=organization_id,
                user_id=user_id,
                key_hash=keys.hash_key(key),
                display_prefix=keys.display_prefix(key),
                created_at=utc_now(),
            )
        )
    return key


@pytest.fixture
def account_ids(client, account, services):
    """(organization id, user id) as stored, taken from a first key."""
    first = generate_key(client, account)
    return key_owner(services, first["id"])


@pytest.mark.parametrize("key_id", BOUNDARY_IDS)
def test_id_that_names_no_key_is_404_problem(client, account, account_ids, key_id):
    response = client.put(revoke_path(key_id), headers=account.headers())
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_real_key_still_revokes_by_id_after_the_boundaries(client, account, account_ids):
    for key_id in BOUNDARY_IDS:
        client.put(revoke_path(key_id), headers=account.headers())
    generated = generate_key(client, account)
    response = client.put(revoke_path(generated["id"]), headers=account.headers())
    assert response.json() == {"id": generated["id"], "revoked": True}


@pytest.mark.parametrize(
    "key_id", [2**31 - 1, 2**31, 2**32, 2**53, 2**53 + 1, 2**63 - 2, 2**63 - 1]
)
def test_key_with_a_64_bit_id_authenticates_lists_and_revokes(
    client, account, services, account_ids, key_id
):
    key = insert_key(services, account_ids, key_id)
    headers = account.headers(token=key)
    listed = client.get(LIST, headers=headers)
    assert listed.status_code == 200
    assert key_id in [item["id"] for item in listed.json()]
    response = client.put(revoke_path(key_id), headers=account.headers())
    assert response.json() == {"id": key_id, "revoked": True}
    assert client.get(LIST, headers=headers).status_code == 401


def test_ids_past_2_to_the_53_are_not_rounded(client, account, services, account_ids):
    """Through a float, 9007199254740993 would name key 9007199254740992."""
    neighbour = insert_key(services, account_ids, 2**53)
    insert_key(services, account_ids, 2**53 + 1)
    response = client.put(revoke_path("9007199254740993"), headers=account.headers())
    assert response.json() == {"id": 2**53 + 1, "revoked": True}
    assert client.get(LIST, headers=account.headers(token=neighbour)).status_code == 200


@pytest.mark.parametrize("spelling", ["1_0", "%2B10", "%2010", "%EF%BC%91%EF%BC%90", "10.0e0"])
def test_an_id_is_read_only_in_plain_ascii_number_form(
    client, account, services, account_ids, spelling
):
    key = insert_key(services, account_ids, 10)
    response = client.put(revoke_path(spelling), headers=account.headers())
    if spelling == "10.0e0":
        assert response.json() == {"id": 10, "revoked": True}
    else:
        assert response.status_code == 404
        assert client.get(LIST, headers=account.headers(token=key)).status_code == 200
