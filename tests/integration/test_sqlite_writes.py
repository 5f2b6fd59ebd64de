"""On SQLite, the request paths that write take their turn among writers."""

from app.storage.sqlite_writers import SQLiteWriters
from tests.support.accounts import generate_key


def test_generate_and_revoke_take_a_writer_turn(client, account, engine_name, monkeypatch):
    turns = []
    turn = SQLiteWriters.turn
    monkeypatch.setattr(SQLiteWriters, "turn", lambda self: turns.append(1) or turn(self))
    key = generate_key(client, account)
    client.get("/api/api-keys", headers=account.headers(token=key["key"]))
    client.put(f"/api/api-keys/{key['id']}/revoke", headers=account.headers())
    assert len(turns) == (2 if engine_name == "sqlite" else 0)
