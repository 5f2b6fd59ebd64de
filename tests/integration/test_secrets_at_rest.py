"""No key in plaintext: not in the database's files, not in the logs, not in
any response but the 201 that created it."""

import logging
from pathlib import Path

from sqlalchemy import text

from app.domain import keys
from tests.support.accounts import generate_key


def database_files(engine_name, services, request) -> list[Path]:
    if engine_name == "sqlite":
        path = Path(services.database.engine.url.database)
        return [file for file in path.parent.iterdir() if file.name.startswith(path.name)]
    with services.database.engine.connect() as connection:
        connection.execute(text("CHECKPOINT"))
    data_dir = request.getfixturevalue("postgres_server").data_dir
    return [file for file in data_dir.rglob("*") if file.is_file()]


def test_no_key_in_plaintext_in_database_files_or_logs(
    client, account, services, engine_name, request, caplog
):
    caplog.set_level(logging.DEBUG)
    generated = [generate_key(client, account) for _ in range(5)]
    created = [item["key"] for item in generated]
    client.get("/api/api-keys", headers=account.headers(token=created[0]))
    client.put(f"/api/api-keys/{generated[1]['id']}/revoke", headers=account.headers())
    client.get("/api/api-keys", headers=account.headers(token=created[1]))
    client.post("/api/api-keys/generate", json={"name": 1}, headers=account.headers())

    blobs = [file.read_bytes() for file in database_files(engine_name, services, request)]
    assert blobs
    # The hashes are there (the scan reads the right files); the keys are not.
    assert any(keys.hash_key(created[0]).encode() in blob for blob in blobs)
    for key in created:
        assert not any(key.encode() in blob for blob in blobs)
        assert key not in caplog.text
    assert account.token not in caplog.text


def test_no_response_but_the_201_contains_a_key(client, account):
    key = generate_key(client, account)["key"]
    headers = account.headers(token=key)
    responses = [
        client.get("/api/api-keys", headers=headers),
        client.post("/api/api-keys/generate", json={"name": 1}, headers=headers),
        client.put("/api/api-keys/999/revoke", headers=headers),
        client.get("/api/api-keys", headers={**headers, "organization-id": "org_other"}),
        client.get("/api/api-keys/generate", headers=headers),
    ]
    for response in responses:
        assert key not in response.text
        assert key not in str(response.headers)


def test_no_key_in_database_files_or_logs_with_idempotency_records_present(
    client, account, services, engine_name, request, caplog
):
    caplog.set_level(logging.DEBUG)
    headers = {**account.headers(), "Idempotency-Key": '"scan-1"'}
    created = [client.post("/api/api-keys/generate", json={}, headers=headers).json()]
    created.append(client.post("/api/api-keys/generate", json={}, headers=headers).json())
    rolled = client.post(
        f"/api/api-keys/{created[0]['id']}/roll",
        json={"expiresInSeconds": 60},
        headers={**account.headers(), "Idempotency-Key": '"scan-2"'},
    ).json()
    keys_made = {created[0]["key"], rolled["key"]}
    with services.database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM idempotency_records")).scalar() == 2

    blobs = [file.read_bytes() for file in database_files(engine_name, services, request)]
    assert any(keys.hash_key(rolled["key"]).encode() in blob for blob in blobs)
    for key in keys_made:
        assert not any(key.encode() in blob or key[3:].encode() in blob for blob in blobs)
        assert key not in caplog.text
    for idempotency_key in (b"scan-1", b"scan-2"):
        assert not any(idempotency_key in blob for blob in blobs)
