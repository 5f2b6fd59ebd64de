"""Limits shared by every process: two servers on one database never grant
the rate twice, and concurrent generates grant exactly the places left."""

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.accounts import make_account

GENERATE = "/api/api-keys/generate"


def test_two_servers_taking_turns_grant_3_and_refuse_the_4th(start_server, services):
    account = make_account(services)
    servers = [start_server(API_KEY_GENERATE_RATE="3/minute") for _ in range(2)]
    statuses = []
    for turn in range(4):
        with servers[turn % 2].client() as client:
            statuses.append(client.post(GENERATE, json={}, headers=account.headers()).status_code)
    assert statuses == [201, 201, 201, 429]


def test_24_concurrent_generates_with_a_cap_of_5_give_exactly_5(start_server, services):
    account = make_account(services)
    server = start_server(workers=2, API_KEY_GENERATE_RATE="off", API_KEYS_PER_ORGANIZATION="5")

    def generate(_):
        return httpx.post(
            f"{server.url}{GENERATE}", json={}, headers=account.headers(), timeout=30
        ).status_code

    with ThreadPoolExecutor(24) as pool:
        statuses = sorted(pool.map(generate, range(24)))
    assert statuses == [201] * 5 + [409] * 19
