"""What a server says about itself when it starts, and what it leaves
behind when it stops."""

import logging
import signal

import pytest

from app.server import log_start
from app.settings import load_settings
from tests.conftest import environment


def start_lines(logs: str) -> list[str]:
    return [line for line in logs.splitlines() if "bckeys starting" in line]


def test_serve_says_once_what_it_runs_with(start_server):
    server = start_server(workers=2)
    with server.client() as client:
        assert client.get("/readyz").status_code == 200
    (line,) = start_lines(server.logs())
    for field in (
        "version=0.1.0",
        "workers=2",
        "accounts=local",
        "jwt_algorithms=HS256,HS384,HS512",
        "jwt_subject=email",
        "jwt_issuer=unset",
        "jwt_audience=unset",
        "jwt_public_key=unset",
        "trusted_proxies=none",
        "generate_rate=10/minute",
        "keys_per_organization=1000",
        "key_ttl_days=none",
        "request_head_timeout_seconds=10",
        "worker_connections=",
        "database=",
    ):
        assert field in line


def test_the_start_line_names_the_trusted_proxies(start_server):
    server = start_server(TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8")
    (line,) = start_lines(server.logs())
    assert "trusted_proxies=127.0.0.1/32,10.0.0.0/8" in line


def test_the_start_line_masks_both_databases_passwords(tmp_path, caplog):
    settings = load_settings(
        environment(
            tmp_path,
            "postgresql+psycopg://bckeys:keys-password@db.internal:5432/bckeys",
            BIGCAPITAL_DATABASE_URL="mysql://bckeys_ro:bigcapital-password@10.0.0.7:3306/system",
            APP_JWT_ISSUER="https://bigcapital.example",
        )
    )
    with caplog.at_level(logging.INFO, logger="bckeys.server"):
        log_start(settings, "127.0.0.1", 8000, 2, 1000)
    (line,) = start_lines(caplog.text)
    assert "password" not in line
    assert "database=postgresql+psycopg://bckeys:***@db.internal:5432/bckeys" in line
    assert "accounts=mysql+pymysql://bckeys_ro:***@10.0.0.7:3306/system" in line
    assert "jwt_issuer=set" in line


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_exits_0_and_removes_the_metric_files_folder(start_server, tmp_path, workers):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    server = start_server(workers=workers, TMPDIR=str(temporary))
    with server.client() as client:
        assert client.get("/metrics").status_code == 200
    assert [path.name for path in temporary.iterdir() if path.name.startswith("bckeys-metrics-")]
    assert server.stop(signal.SIGTERM) == 0
    assert not [path for path in temporary.iterdir() if path.name.startswith("bckeys-metrics-")]
