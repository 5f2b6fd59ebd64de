"""Several server processes on one database, and what survives their end."""

import signal
import threading
import time

from tests.support.load import generate_many

# These tests mint in bulk: no rate, no cap.
BULK = {"API_KEY_GENERATE_RATE": "off", "API_KEYS_PER_ORGANIZATION": "off"}


def test_key_from_one_server_works_on_another_and_revocation_is_immediate(start_server, account):
    first, second = start_server(), start_server()
    with first.client() as one, second.client() as other:
        created = one.post("/api/api-keys/generate", json={}, headers=account.headers())
        assert created.status_code == 201
        key_id, key = created.json()["id"], created.json()["key"]
        with_key = account.headers(token=key)
        assert other.get("/api/api-keys", headers=with_key).status_code == 200
        assert (
            one.put(f"/api/api-keys/{key_id}/revoke", headers=account.headers()).status_code == 200
        )
        assert other.get("/api/api-keys", headers=with_key).status_code == 401


def test_400_concurrent_generates_across_two_servers_are_distinct_and_work(start_server, account):
    first, second = start_server(**BULK), start_server(**BULK)
    results = generate_many([first.url, second.url], account.headers(), count=400, concurrency=32)
    assert [status for status, _ in results] == [201] * 400
    assert len({body["id"] for _, body in results}) == 400
    assert len({body["key"] for _, body in results}) == 400
    with first.client() as client:
        for _, body in results:
            assert (
                client.get("/api/api-keys", headers=account.headers(token=body["key"])).status_code
                == 200
            )
        listed = client.get("/api/api-keys", headers=account.headers()).json()
    assert len(listed) == 400


def _acknowledged_keys_survive(start_server, account, sig):
    server = start_server(workers=2, **BULK)
    results = []
    load = threading.Thread(
        target=lambda: results.extend(
            generate_many([server.url], account.headers(), count=3000, concurrency=16)
        )
    )
    load.start()
    time.sleep(1.5)
    server.stop(sig)
    load.join(timeout=120)
    acknowledged = [body for status, body in results if status == 201]
    assert acknowledged, "the load produced no 201 before the signal"
    assert len(acknowledged) < len(results), "the signal came after the load ended"
    assert all(status in (201, None, 503) for status, _ in results)

    restarted = start_server(**BULK)
    with restarted.client() as client:
        listed = {
            item["id"] for item in client.get("/api/api-keys", headers=account.headers()).json()
        }
        assert {body["id"] for body in acknowledged} <= listed
        for body in acknowledged[:: max(1, len(acknowledged) // 50)]:
            response = client.get("/api/api-keys", headers=account.headers(token=body["key"]))
            assert response.status_code == 200
    return server


def test_sigterm_under_load_finishes_in_flight_requests_and_loses_no_key(start_server, account):
    server = _acknowledged_keys_survive(start_server, account, signal.SIGTERM)
    assert server.process.returncode == 0
    assert "Traceback" not in server.logs()


def test_sigkill_under_load_loses_no_acknowledged_key(start_server, account):
    _acknowledged_keys_survive(start_server, account, signal.SIGKILL)
