"""Migrations: a database made by the previous version upgrades without
losing keys, on both engines."""

import itertools

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from app import keys, migrate
from app.application import create_app
from app.database import create_database_engine
from app.services import build_services
from app.settings import load_settings
from app.tokens import issue_token
from tests.conftest import environment

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
