"""A request's database calls share one pooled connection, returned at its end."""

import asyncio

import pytest
from sqlalchemy import event, text

from app.web.application import create_app
from tests.support.accounts import generate_key


@pytest.fixture
def checkouts(services):
    counted = []

    def count(*_args):
        counted.append(1)

    event.listen(services.database.engine, "checkout", count)
    yield counted
    event.remove(services.database.engine, "checkout", count)


def test_security_and_handler_share_one_connection(client, account, services, checkouts):
    key = generate_key(client, account)["key"]
    for request in [
        lambda: client.post("/api/api-keys/generate", json={}, headers=account.headers()),
        lambda: client.get("/api/api-keys", headers=account.headers(token=key)),
    ]:
        checkouts.clear()
        assert request().status_code in (200, 201)
        assert len(checkouts) == 1
        assert services.database.engine.pool.checkedout() == 0


def test_the_connection_is_returned_whatever_the_answer(client, account, services, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services.api_keys, "generate", explode)
    answers = [
        client.post("/api/api-keys/generate", json={}, headers=account.headers()),
        client.post("/api/api-keys/generate", json=[], headers=account.headers()),
        client.get("/api/api-keys", headers=account.headers(token="bc_" + "0" * 72)),
        client.get("/api/api-keys", headers=account.headers(organization_id="org_nope")),
    ]
    assert [answer.status_code for answer in answers] == [500, 400, 401, 403]
    assert services.database.engine.pool.checkedout() == 0


def test_the_connection_is_returned_before_the_response_is_sent(account, services):
    app = create_app(services=services)
    held_at_send = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        held_at_send.append(services.database.engine.pool.checkedout())

    headers = [(name.lower().encode(), value.encode()) for name, value in account.headers().items()]
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/api-keys",
        "raw_path": b"/api/api-keys",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))
    assert held_at_send == [0, 0]


def test_on_postgresql_each_statement_commits_as_it_runs(services, engine_name):
    with services.database.connection() as connection:
        if engine_name == "postgres":
            first, second = (
                connection.execute(text("SELECT txid_current()")).scalar() for _ in "ab"
            )
            # Two transactions: no BEGIN or COMMIT round trips around them.
            assert first != second
        else:
            connection.execute(text("SELECT 1"))
            assert connection.in_transaction()
