"""PROMETHEUS_MULTIPROC_DIR: at start only prometheus-client's own files are
removed from it, and the data folder or the database's is refused."""

import pytest

from app.server import prepare_metric_files
from app.settings import load_settings
from tests.conftest import environment
from tests.support.postgres import free_port
from tests.support.server import bckeys

PROMETHEUS_FILES = [
    "counter_12.db",
    "histogram_12.db",
    "summary_7.db",
    "gauge_all_12.db",
    "gauge_livesum_3.db",
]
OTHER_FILES = ["bckeys.db", "counter.db", "counter_12.db-wal", "gauge_all_x.db", "notes.txt"]


def one_line_failure(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


def test_only_prometheus_client_files_are_removed(tmp_path, monkeypatch):
    folder = tmp_path / "metric-files"
    folder.mkdir()
    for name in PROMETHEUS_FILES + OTHER_FILES:
        (folder / name).write_bytes(b"x")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    settings = load_settings(
        environment(tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'bckeys.db'}")
    )
    prepare_metric_files(settings)
    assert sorted(path.name for path in folder.iterdir()) == sorted(OTHER_FILES)


@pytest.mark.parametrize("metric_files", ["data folder", "database folder"])
def test_serve_refuses_the_data_folder_or_the_database_s(tmp_path, metric_files):
    data_dir, database_dir = tmp_path / "data", tmp_path / "database"
    env = environment(data_dir, f"sqlite:///{database_dir / 'bckeys.db'}")
    bckeys("db", "upgrade", env=env)
    database = (database_dir / "bckeys.db").read_bytes()
    folder = data_dir if metric_files == "data folder" else database_dir
    result = bckeys(
        "serve",
        "--port",
        str(free_port()),
        env={**env, "PROMETHEUS_MULTIPROC_DIR": str(folder)},
        check=False,
        timeout=30,
    )
    assert "PROMETHEUS_MULTIPROC_DIR" in one_line_failure(result)
    assert (database_dir / "bckeys.db").read_bytes() == database
