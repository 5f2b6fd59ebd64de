"""Idempotent generates against real server processes, on both engines:
concurrent repeats create one key, and a server killed with SIGKILL under
a stream of retries leaves no key without its record, nor a second key."""

import random
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from app.storage.models import ApiKey, IdempotencyRecord
from tests.support.database import key_count

GENERATE = "/api/api-keys/generate"


def idempotent_generate(url: str, account, idempotency_key: str) -> httpx.Response:
    headers = {**account.headers(), "Idempotency-Key": f'"{idempotency_key}"'}
    return httpx.post(f"{url}{GENERATE}", json={"name": "retried"}, headers=headers, timeout=10)


def test_ten_concurrent_repeats_create_one_key_and_each_gets_it_or_409(
    start_server, account, services
):
    server = start_server(workers=2, API_KEY_GENERATE_RATE="off")
    start = threading.Barrier(10)

    def send(_):
        start.wait()
        return idempotent_generate(server.url, account, "concurrent-1")

    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(send, range(10)))
    created = [answer.json() for answer in answers if answer.status_code == 201]
    assert {answer.status_code for answer in answers} <= {201, 409}
    assert created
    assert all(body == created[0] for body in created)
    assert key_count(services) == 1


def retry_until_created(url: str, account, idempotency_key: str, timeout: float = 40):
    """Retries as a client would, through 409s, until it gets the 201."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = idempotent_generate(url, account, idempotency_key)
        if answer.status_code == 201:
            return answer.json()
        assert answer.status_code == 409, answer.text
        time.sleep(0.5)
    raise AssertionError("no 201 before the deadline")


def stream(url: str, account, idempotency_key: str, answers: list, stop: threading.Event):
    """Retries one generate until told to stop, keeping every 201's body."""
    while not stop.is_set():
        try:
            answer = idempotent_generate(url, account, idempotency_key)
        except httpx.TransportError:
            continue
        if answer.status_code == 201:
            answers.append(answer.json())


def test_sigkill_under_retried_generates_leaves_one_key_per_idempotency_key_with_its_record(
    start_server, account, services
):
    rounds = 4
    for round_number in range(rounds):
        idempotency_key = f"crash-{round_number}"
        server = start_server(workers=1, API_KEY_GENERATE_RATE="off")
        answers, stop = [], threading.Event()
        sender = threading.Thread(
            target=stream, args=(server.url, account, idempotency_key, answers, stop)
        )
        sender.start()
        # Early kills land before or during the first creation, later ones after it.
        time.sleep(random.uniform(0, 0.05) * round_number)
        server.stop(signal.SIGKILL)
        stop.set()
        sender.join()
        restarted = start_server(workers=1, API_KEY_GENERATE_RATE="off")
        answers.append(retry_until_created(restarted.url, account, idempotency_key))
        restarted.stop()
        assert all(answer == answers[0] for answer in answers), round_number

    with services.database.transaction() as session:
        key_ids = set(session.scalars(select(ApiKey.id)))
        records = session.execute(select(IdempotencyRecord.state)).scalars().all()
        assert session.scalar(select(func.count()).select_from(ApiKey)) == rounds
    assert len(key_ids) == rounds
    assert records == ["done"] * rounds
