"""Migrations: a database made by the previous version upgrades without
losing keys, on both engines."""

import itertools

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from starlette.testclient import TestClient

from app.domain import keys
from app.domain.tokens import issue_token
from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from app.storage.engine import create_database_engine
from app.storage.models import Base
from app.web.application import create_app
from tests.conftest import environment
from tests.support.accounts import make_account

_databases = itertools.count()


@pytest.fixture
def empty_database_url(request, engine_name, tmp_path):
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"migration_{next(_databases)}"
    server.create_database(name)
    return server.url(name)


def test_upgrade_from_the_first_migration_keeps_keys_working(empty_database_url, tmp_path):
    settings = load_settings(environment(tmp_path / "data", empty_database_url))
    engine = create_database_engine(settings)
    migrate.upgrade(engine, "0001")
    key = keys.mint_key()
    with engine.begin() as connection:
        _insert_old_account(connection)
        connection.execute(
            text(
                "INSERT INTO api_keys (organization_id, user_id, name, key_hash, "
                "display_prefix, created_at) VALUES (1, 1, :name, :hash, :prefix, "
                "CURRENT_TIMESTAMP)"
            ),
            {"name": b"kept", "hash": keys.hash_key(key), "prefix": key[:8]},
        )
    assert not migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()

    services = build_services(settings)
    with TestClient(create_app(services=services)) as client:
        headers = {"Authorization": f"Bearer {key}", "organization-id": "org_old"}
        listed = client.get("/api/api-keys", headers=headers)
        assert listed.status_code == 200
        assert [item["name"] for item in listed.json()] == ["kept"]
        token = issue_token(settings, "old@example.com", 60)
        headers["Authorization"] = f"Bearer {token}"
        assert client.post("/api/api-keys/generate", json={}, headers=headers).status_code == 201
    services.database.engine.dispose()


def test_upgrade_is_idempotent(empty_database_url, tmp_path):
    engine = create_database_engine(
        load_settings(environment(tmp_path / "data", empty_database_url))
    )
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    engine.dispose()


def test_upgrade_to_64_bit_ids_keeps_keys_and_takes_ids_past_2_to_the_31(
    empty_database_url, tmp_path
):
    settings = load_settings(environment(tmp_path / "data", empty_database_url))
    engine = create_database_engine(settings)
    migrate.upgrade(engine, "0002")
    old_key = keys.mint_key()
    with engine.begin() as connection:
        _insert_old_account(connection)
        connection.execute(_INSERT_KEY, _key_row(old_key))
    migrate.upgrade(engine)
    big_keys = {key_id: keys.mint_key() for key_id in (2**31, 2**32 + 7, 2**53 + 1)}
    with engine.begin() as connection:
        for key_id, key in big_keys.items():
            connection.execute(_INSERT_KEY_WITH_ID, {**_key_row(key), "id": key_id})
    engine.dispose()

    services = build_services(settings)
    with TestClient(create_app(services=services)) as client:
        for key in [old_key, *big_keys.values()]:
            headers = {"Authorization": f"Bearer {key}", "organization-id": "org_old"}
            listed = client.get("/api/api-keys", headers=headers)
            assert listed.status_code == 200
        assert [item["id"] for item in listed.json()] == [1, *big_keys]
        new = client.post("/api/api-keys/generate", json={}, headers=headers)
        assert new.status_code == 201
        revoked = client.put(f"/api/api-keys/{2**32 + 7}/revoke", headers=headers)
        assert revoked.json() == {"id": 2**32 + 7, "revoked": True}
    services.database.engine.dispose()


def test_postgres_id_sequences_count_past_2_to_the_31(request, tmp_path):
    server = request.getfixturevalue("postgres_server")
    name = f"migration_{next(_databases)}"
    server.create_database(name)
    settings = load_settings(environment(tmp_path / "data", server.url(name)))
    engine = create_database_engine(settings)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        for sequence in ("organizations_id_seq", "users_id_seq", "api_keys_id_seq"):
            connection.execute(text(f"SELECT setval('{sequence}', {2**40})"))
    engine.dispose()
    services = build_services(settings)
    account = make_account(services)
    with TestClient(create_app(services=services)) as client:
        created = client.post("/api/api-keys/generate", json={}, headers=account.headers())
        assert created.json()["id"] == 2**40 + 1
        listed = client.get("/api/api-keys", headers=account.headers(token=created.json()["key"]))
        assert listed.status_code == 200
    services.database.engine.dispose()


def _insert_old_account(connection) -> None:
    """Organization org_old (id 1) and its member old@example.com (id 1), as
    an older version stored them."""
    connection.execute(
        text(
            "INSERT INTO organizations (id, public_id, name, created_at) "
            "VALUES (1, 'org_old', 'Old', CURRENT_TIMESTAMP)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO users (id, email, email_key, active, created_at) "
            "VALUES (1, 'old@example.com', 'old@example.com', true, CURRENT_TIMESTAMP)"
        )
    )
    connection.execute(text("INSERT INTO memberships VALUES (1, 1)"))


_INSERT_KEY = text(
    "INSERT INTO api_keys (organization_id, user_id, name, key_hash, display_prefix, "
    "created_at) VALUES (:organization_id, :user_id, :name, :hash, :prefix, CURRENT_TIMESTAMP)"
)
_INSERT_KEY_WITH_ID = text(
    "INSERT INTO api_keys (id, organization_id, user_id, name, key_hash, display_prefix, "
    "created_at) VALUES (:id, :organization_id, :user_id, :name, :hash, :prefix, "
    "CURRENT_TIMESTAMP)"
)


def _key_row(key: str) -> dict:
    return {
        "organization_id": 1,
        "user_id": 1,
        "name": b"kept",
        "hash": keys.hash_key(key),
        "prefix": key[:8],
    }


def test_the_migrations_make_the_schema_the_models_describe(empty_database_url, tmp_path):
    settings = load_settings(environment(tmp_path / "data", empty_database_url))
    engine = create_database_engine(settings)
    migrate.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
