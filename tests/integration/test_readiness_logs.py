"""/readyz, called by every probe, logs nothing of Alembic's; migrating
still logs each migration."""

import logging

from sqlalchemy import create_engine

from app.storage import migrate


def alembic_records(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name.startswith("alembic")]


def test_readyz_logs_nothing_of_alembic(client, caplog):
    caplog.set_level(logging.DEBUG)
    assert client.get("/readyz").status_code == 200
    assert alembic_records(caplog) == []


def test_migrating_logs_each_migration(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    engine = create_engine(f"sqlite:///{tmp_path / 'bckeys.db'}")
    migrate.upgrade(engine)
    engine.dispose()
    assert any(line.startswith("Running upgrade") for line in alembic_records(caplog))
