"""What bckeys creates on disk is its owner's alone: the data folder 0700,
the SQLite database with its -wal, -shm and writers' lock files, and the
JWT secret 0600. A folder or file that exists already keeps its mode."""

import stat

import pytest
from starlette.testclient import TestClient

from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from app.web.application import create_app
from tests.conftest import environment
from tests.support.accounts import generate_key, make_account


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def serving(data_dir):
    """Opens the data folder as the server does, once a key is generated;
    the -wal and -shm files last as long as a connection is open."""

    def open_and_generate():
        env = environment(data_dir, f"sqlite:///{data_dir / 'bckeys.db'}")
        services = build_services(load_settings(env))
        opened.append(services)
        migrate.upgrade(services.database.engine)
        with TestClient(create_app(services=services)) as client:
            generate_key(client, make_account(services))

    opened = []
    yield open_and_generate
    for services in opened:
        services.database.engine.dispose()


def test_the_data_folder_bckeys_creates_is_0700(data_dir, serving):
    serving()
    assert mode(data_dir) == 0o700


@pytest.mark.parametrize(
    "name", ["bckeys.db", "bckeys.db-wal", "bckeys.db-shm", "bckeys.db.writers"]
)
def test_the_database_s_files_are_0600(data_dir, serving, name):
    serving()
    assert mode(data_dir / name) == 0o600


def test_the_generated_jwt_secret_is_0600_in_a_0700_folder(data_dir):
    load_settings({"BCKEYS_DATA_DIR": str(data_dir)})
    assert (mode(data_dir), mode(data_dir / "jwt-secret")) == (0o700, 0o600)


def test_an_existing_data_folder_and_database_keep_their_modes(data_dir, serving):
    data_dir.mkdir()
    data_dir.chmod(0o750)
    (data_dir / "bckeys.db").touch()
    (data_dir / "bckeys.db").chmod(0o640)
    serving()
    assert (mode(data_dir), mode(data_dir / "bckeys.db")) == (0o750, 0o640)
