"""The benchmark's own smoke test: one short run, every server answered 2xx.

No timing is asserted here; `make bench` measures.
"""

import json
import shutil

import pytest

from bench import bigcapital_accounts, gateway, run
from tests.conftest import require
from tests.support.gateway import find_nginx
from tests.support.mariadb import find_binaries


@pytest.fixture
def wrk_installed():
    require(shutil.which("wrk") is not None, "wrk")


def test_one_short_benchmark_run_gets_only_2xx_from_every_server(wrk_installed, tmp_path):
    require(run.BIGCAPITAL_DOCUMENT.is_file(), "Bigcapital's OpenAPI document")
    require(find_nginx() is not None, "nginx")
    require(find_binaries() is not None, "MariaDB (Debian's mariadb-server)")
    exit_code = run.main(
        [
            "--seconds",
            "1",
            "--warmup",
            "0",
            "--rounds",
            "1",
            "--max-requests",
            "200",
            "--engines",
            "sqlite",
            "--output",
            str(tmp_path),
        ]
    )
    assert exit_code == 0
    report = json.loads((tmp_path / "result.json").read_text())
    for scenario in run.SCENARIOS:
        for server in run.SERVERS:
            measured = report["results"]["sqlite"][scenario][server]
            assert measured["requests"] > 0
            assert measured["non_2xx"] == 0
            assert measured["socket_errors"] == 0
            assert measured["peak_rss_mib"] > 0
            assert measured["cpu_us_per_request"] > 0
        product = report["results"]["sqlite"][scenario]["product"]
        assert all(product[f"ratio_to_{baseline}"] > 0 for baseline in run.BASELINES)
    scoped = report["results"]["sqlite"][run.SCOPED_SCENARIO]
    for kind in ("scoped", "unscoped"):
        assert scoped[kind]["requests"] > 0
        assert scoped[kind]["non_2xx"] + scoped[kind]["socket_errors"] == 0
    assert scoped["ratio"] > 0
    accounts = report["results"]["sqlite"][bigcapital_accounts.SCENARIO]
    for kind in bigcapital_accounts.KINDS:
        assert accounts[kind]["requests"] > 0
        assert accounts[kind]["non_2xx"] + accounts[kind]["socket_errors"] == 0
    assert accounts["ratio"] > 0
    for scenario in gateway.SCENARIOS:
        through_nginx = report["results"]["sqlite"][scenario]
        assert set(through_nginx) == (
            {"no-auth", "product"} if scenario == "gateway-scoped-key" else set(gateway.GATEWAYS)
        )
        for measured in through_nginx.values():
            assert measured["requests"] > 0
            assert measured["non_2xx"] + measured["socket_errors"] == 0
    assert set(run.BASELINES) == {"fastapi-idiomatic", "connexion-stock", "fastapi", "starlette"}
    assert {name: server["validates"] for name, server in report["servers"].items()} == {
        "product": True,
        "fastapi-idiomatic": True,
        "connexion-stock": True,
        "fastapi": False,
        "starlette": False,
    }
    assert (tmp_path / "ratios.png").stat().st_size > 0
