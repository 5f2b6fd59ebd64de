"""Bounded concurrent load from threads, for tests against server processes."""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx


def generate_many(urls: list[str], headers: dict, count: int, concurrency: int = 32) -> list:
    """``count`` generates spread over ``urls``; returns (status, body or None) each.

    A request that fails at the transport (server gone) is (None, None).
    """
    numbers = itertools.count()
    lock = threading.Lock()
    local = threading.local()

    def one(_):
        with lock:
            number = next(numbers)
        if not hasattr(local, "clients"):
            local.clients = {url: httpx.Client(base_url=url, timeout=15) for url in urls}
        client = local.clients[urls[number % len(urls)]]
        try:
            response = client.post(
                "/api/api-keys/generate", json={"name": f"load {number}"}, headers=headers
            )
        except httpx.TransportError:
            return None, None
        body = response.json() if response.status_code == 201 else None
        return response.status_code, body

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(count)))
