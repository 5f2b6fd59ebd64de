"""make bench: the product against four baselines, side by side.

Two baselines validate requests and responses against the contract, as the
product does: FastAPI written as its tutorial teaches, and the same spec and
handlers on stock Connexion. Two validate nothing and mark the floor: a
minimal FastAPI and bare Starlette (bench/baselines/).

Each server runs with 2 worker processes on its own fresh database, seeded
the same way. wrk drives each on 127.0.0.1 with 32 connections, the servers
interleaved (A B C A B C ...) after a warm-up, bounded in time and request
count. The report gives median req/s, p50 and p99 latency per scenario, the
product's req/s as a ratio to each baseline, and each server's peak RSS per
worker process, on SQLite and (when installed) PostgreSQL.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from app.domain import accounts
from app.domain.callers import Caller
from app.domain.tokens import issue_token
from app.services import build_services
from app.settings import load_settings
from app.storage import migrate
from bench import gateway
from bench.bigcapital_accounts import SCENARIO as BIGCAPITAL_SCENARIO
from bench.bigcapital_accounts import bench_bigcapital_accounts, print_bigcapital_accounts
from bench.measures import interleaved, medians
from tests.support.gateway import find_nginx
from tests.support.postgres import PostgresServer, find_bin_dir, free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
JWT_SECRET = "benchmark-secret-that-is-at-least-32-bytes"
CONNECTIONS = 32
LISTED_KEYS = 10
# Each server: its ASGI app (None: the product's own `bckeys serve`), whether
# it validates requests and responses, and how the report describes it.
SERVERS = {
    "product": (None, True, "this product"),
    "fastapi-idiomatic": (
        "bench.baselines.fastapi_idiomatic_app:app",
        True,
        "FastAPI as its tutorial teaches (pydantic, HTTPBearer, Session, def endpoints)",
    ),
    "connexion-stock": (
        "bench.baselines.connexion_stock_app:app",
        True,
        "the same spec and handlers on stock Connexion FlaskApp",
    ),
    "fastapi": ("bench.baselines.fastapi_app:app", False, "minimal FastAPI (floor)"),
    "starlette": ("bench.baselines.starlette_app:app", False, "bare Starlette (floor)"),
}
BASELINES = tuple(name for name in SERVERS if name != "product")
# The second product server's name, reading accounts from Bigcapital's database.
BIGCAPITAL_ACCOUNTS = "bigcapital-accounts"
SCENARIOS = ("generate-jwt", "generate-key", "list-key", "verify-key", "verify-jwt")
_REQUESTS = {
    "generate-jwt": ("POST", "/api/api-keys/generate"),
    "generate-key": ("POST", "/api/api-keys/generate"),
    "list-key": ("GET", "/api/api-keys"),
    "verify-key": ("GET", "/api/api-keys/verify"),
    "verify-jwt": ("GET", "/api/api-keys/verify"),
}


# Verify with a scoped key, asked about a path deep in Bigcapital's document,
# against verify with an unscoped key, interleaved on the product alone.
BIGCAPITAL_DOCUMENT = ROOT.parent / "shared" / "bigcapital" / "openapi.json"
SCOPED_PERMISSIONS = {
    "Sale Invoices": "write",
    "Customers": "read",
    "Items": "read",
    "Payments Received": "write",
}
SCOPED_REQUEST = ("GET", "/api/sale-invoices/1042/payments?page=2")


@dataclass
class Credentials:
    jwt: str
    generate_organization: str
    key: str
    key_organization: str
    list_key: str
    list_organization: str
    scoped_key: str | None

    scoped_request = SCOPED_REQUEST

    def for_scoped_verify(self, scoped: bool) -> dict:
        """verify with the scoped key, or the unscoped one, about the same
        original request."""
        method, target = SCOPED_REQUEST
        return {
            **self.for_scenario("verify-key"),
            "BENCH_TOKEN": self.scoped_key if scoped else self.list_key,
            "BENCH_ORIGINAL_METHOD": method,
            "BENCH_ORIGINAL_URI": target,
        }

    def for_scenario(self, scenario: str) -> dict:
        method, path = _REQUESTS[scenario]
        token, organization = {
            "generate-jwt": (self.jwt, self.generate_organization),
            "generate-key": (self.key, self.key_organization),
            "list-key": (self.list_key, self.list_organization),
            "verify-key": (self.list_key, self.list_organization),
            "verify-jwt": (self.jwt, self.generate_organization),
        }[scenario]
        return {
            "BENCH_METHOD": method,
            "BENCH_PATH": path,
            "BENCH_TOKEN": token,
            "BENCH_ORGANIZATION": organization,
        }


def seed(env: dict) -> Credentials:
    """Migrates a fresh database and makes the accounts and keys the runs use."""
    services = build_services(load_settings(env))
    migrate.upgrade(services.database.engine)
    organizations = {}
    for name in ("generate", "key", "list"):
        organizations[name] = accounts.create_organization(services.database, name)
        accounts.add_user(services.database, f"{name}@bench.example", organizations[name])

    def caller(name: str) -> Caller:
        return services.callers.caller_for_user(f"{name}@bench.example", organizations[name])

    _, key = services.api_keys.generate(caller("key"), "bench")
    list_keys = [services.api_keys.generate(caller("list"), f"k{n}")[1] for n in range(LISTED_KEYS)]
    scoped_key = None
    if services.upstream_operations is not None:
        _, scoped_key = services.api_keys.generate(caller("list"), "scoped", SCOPED_PERMISSIONS)
    services.database.engine.dispose()
    return Credentials(
        jwt=issue_token(services.settings, "generate@bench.example", 24 * 3600),
        generate_organization=organizations["generate"],
        key=key,
        key_organization=organizations["key"],
        list_key=list_keys[0],
        list_organization=organizations["list"],
        scoped_key=scoped_key,
    )


class Server:
    def __init__(self, name: str, env: dict, log: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        asgi_app = SERVERS[name][0]
        if asgi_app is None:
            command = [str(BIN / "bckeys"), "serve", "--port", str(self.port), "--workers", "2"]
        else:
            command = [
                str(BIN / "uvicorn"),
                asgi_app,
                "--port",
                str(self.port),
                "--workers",
                "2",
                "--no-access-log",
                "--log-level",
                "warning",
            ]
        self._log = open(log, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"{name} did not start; see {log}")

    def peak_rss_mib(self) -> float:
        """The largest peak resident set of the server's worker processes."""
        peaks = []
        for pid in _descendants(self.process.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return round(max(peaks), 1) if peaks else 0.0

    def cpu_seconds(self) -> float:
        """User and system CPU time of the server's processes so far."""
        ticks = 0
        for pid in [self.process.pid, *_descendants(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def wrk(server: Server, scenario_env: dict, seconds: int, max_requests: int) -> dict:
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "bench" / "load.lua"),
            server.url,
        ],
        env={**os.environ, **scenario_env, "BENCH_MAX_REQUESTS": str(max_requests)},
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    )
    summary = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("{")))
    seconds_run = summary["duration_us"] / 1e6
    return {
        "requests": summary["requests"],
        "rps": summary["requests"] / seconds_run,
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "non_2xx": summary["non_2xx"],
        "socket_errors": summary["socket_errors"],
    }


def bench_engine(engine: str, database_url, options, workdir: Path) -> dict:
    """All scenarios for one database engine; returns the results by scenario."""
    servers, credentials = {}, {}

    def environment(name: str) -> tuple[Path, dict]:
        folder = workdir / engine / name
        folder.mkdir(parents=True)
        return folder, {
            "BCKEYS_DATA_DIR": str(folder),
            "DATABASE_URL": database_url(name) or f"sqlite:///{folder / 'bckeys.db'}",
            "APP_JWT_SECRET": JWT_SECRET,
            # The benchmark mints in bulk: no rate, no cap.
            "API_KEY_GENERATE_RATE": "off",
            "API_KEYS_PER_ORGANIZATION": "off",
        }

    def start_product(extra_env: dict) -> tuple[Server, dict]:
        folder, env = environment(BIGCAPITAL_ACCOUNTS)
        env.update(extra_env)
        migrate.upgrade(build_services(load_settings(env)).database.engine)
        return Server("product", env, folder / "server.log"), env

    try:
        for name in SERVERS:
            folder, env = environment(name)
            if name == "product" and BIGCAPITAL_DOCUMENT.is_file():
                env["UPSTREAM_OPENAPI"] = str(BIGCAPITAL_DOCUMENT)
            credentials[name] = seed(env)
            servers[name] = Server(name, env, folder / "server.log")
        results = {}
        for scenario in SCENARIOS:
            runs = {name: [] for name in SERVERS}
            for name in SERVERS:
                if options.warmup:
                    wrk(
                        servers[name],
                        credentials[name].for_scenario(scenario),
                        options.warmup,
                        options.max_requests,
                    )
            cpu = {name: 0.0 for name in SERVERS}
            for _ in range(options.rounds):
                for name in SERVERS:
                    before = servers[name].cpu_seconds()
                    runs[name].append(
                        wrk(
                            servers[name],
                            credentials[name].for_scenario(scenario),
                            options.seconds,
                            options.max_requests,
                        )
                    )
                    cpu[name] += servers[name].cpu_seconds() - before
            results[scenario] = summarize(runs, cpu)
            print_scenario(engine, scenario, results[scenario])
        for name in SERVERS:
            for scenario in SCENARIOS:
                results[scenario][name]["peak_rss_mib"] = servers[name].peak_rss_mib()
        if credentials["product"].scoped_key is not None:
            results[SCOPED_SCENARIO] = scoped_verify(
                servers["product"], credentials["product"], options
            )
            print_scoped(engine, results[SCOPED_SCENARIO])
        accounts = bench_bigcapital_accounts(
            servers["product"],
            credentials["product"].for_scenario("verify-key"),
            start_product,
            options,
            wrk,
        )
        if accounts is None:
            print("\nMariaDB is not installed: skipping accounts from Bigcapital")
        else:
            print_bigcapital_accounts(engine, accounts)
            results[BIGCAPITAL_SCENARIO] = accounts
        if find_nginx() is None:
            print("\nnginx is not installed: skipping the gateway scenarios")
        else:
            through_nginx = gateway.bench_gateways(servers, credentials, options, wrk)
            gateway.print_gateways(engine, through_nginx)
            results.update(through_nginx)
        return results
    finally:
        for server in servers.values():
            server.stop()


SCOPED_SCENARIO = "verify-scoped-key"


def scoped_verify(server, credentials: Credentials, options) -> dict:
    """The product's verify with a scoped key and with an unscoped one, about
    the same deep path, interleaved; the scoped one's req/s as a ratio."""
    runs = {
        kind: (server, credentials.for_scoped_verify(kind == "scoped"))
        for kind in ("scoped", "unscoped")
    }
    summary = interleaved(runs, options, wrk)
    summary["ratio"] = round(summary["scoped"]["rps"] / summary["unscoped"]["rps"], 3)
    return summary


def print_scoped(engine: str, summary: dict) -> None:
    method, target = SCOPED_REQUEST
    print(f"\n{engine} / {SCOPED_SCENARIO} (product only: {method} {target})")
    for kind in ("scoped", "unscoped"):
        row = summary[kind]
        print(
            f"  {kind + ' key':<18} {row['rps']:>9.1f} req/s {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} ms, non-2xx {row['non_2xx'] + row['socket_errors']}"
        )
    print(f"  scoped / unscoped: {summary['ratio']:.2f}x (target at least 0.90x)")


def summarize(runs: dict, cpu: dict) -> dict:
    summary = {}
    for name, measured in runs.items():
        summary[name] = medians(measured)
        summary[name]["cpu_us_per_request"] = round(
            cpu[name] / max(summary[name]["requests"], 1) * 1e6, 1
        )
        summary[name]["runs"] = measured
    for baseline in BASELINES:
        summary["product"][f"ratio_to_{baseline}"] = round(
            summary["product"]["rps"] / summary[baseline]["rps"], 3
        )
        summary["product"][f"p99_ratio_to_{baseline}"] = round(
            summary["product"]["p99_ms"] / summary[baseline]["p99_ms"], 3
        )
    return summary


def print_scenario(engine: str, scenario: str, summary: dict) -> None:
    print(f"\n{engine} / {scenario}")
    print(
        f"  {'server':<18} {'validates':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU µs/req':>11} {'non-2xx':>8} {'product is':>11}"
    )
    for name, (_, validates, _) in SERVERS.items():
        row = summary[name]
        ratio = "" if name == "product" else f"{summary['product'][f'ratio_to_{name}']:.2f}x"
        print(
            f"  {name:<18} {'yes' if validates else 'no (floor)':<10} {row['rps']:>9.1f} "
            f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['cpu_us_per_request']:>11.1f} "
            f"{row['non_2xx'] + row['socket_errors']:>8} {ratio:>11}"
        )
    failed = [name for name in SERVERS if summary[name]["non_2xx"] + summary[name]["socket_errors"]]
    if failed:
        print(f"  WARNING: non-2xx answers or socket errors from {', '.join(failed)}")
    print(f"  product p99 / fastapi p99: {summary['product']['p99_ratio_to_fastapi']:.2f}x")


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{engine}\n{scenario}" for engine in results for scenario in SCENARIOS]
    figure, axes = plt.subplots(figsize=(max(6, 1.8 * len(labels)), 4.5))
    width = 0.8 / len(BASELINES)
    for index, baseline in enumerate(BASELINES):
        ratios = [
            scenarios[scenario]["product"][f"ratio_to_{baseline}"]
            for scenarios in results.values()
            for scenario in SCENARIOS
        ]
        offset = (index - (len(BASELINES) - 1) / 2) * width
        validates = "validates" if SERVERS[baseline][1] else "floor"
        axes.bar(
            [position + offset for position in range(len(labels))],
            ratios,
            width,
            label=f"product / {baseline} ({validates})",
        )
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_xticks(list(range(len(labels))), labels, fontsize=8)
    axes.set_ylabel("req/s ratio (median of runs)")
    axes.set_title("bckeys req/s relative to baselines (same run, same machine)")
    axes.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=3, help="length of one measured run")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up per server, 0 for none")
    parser.add_argument("--rounds", type=int, default=5, help="measured runs per server")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per run")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--output", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="bckeys-bench-"))
    results, postgres = {}, None
    started = time.monotonic()
    try:
        for engine in options.engines.split(","):
            if engine == "sqlite":
                results["sqlite"] = bench_engine("sqlite", lambda name: None, options, workdir)
            elif engine == "postgres":
                bin_dir = find_bin_dir()
                if bin_dir is None:
                    print("\nPostgreSQL is not installed: skipping its runs")
                    continue
                postgres = PostgresServer(bin_dir)
                postgres.start()
                for name in (*SERVERS, BIGCAPITAL_ACCOUNTS):
                    postgres.create_database(f"bench_{name}")
                results["postgres"] = bench_engine(
                    "postgres",
                    lambda name, server=postgres: server.url(f"bench_{name}"),
                    options,
                    workdir,
                )
    finally:
        if postgres is not None:
            postgres.destroy()

    options.output.mkdir(parents=True, exist_ok=True)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count()},
        "settings": {
            "connections": CONNECTIONS,
            "workers": 2,
            "seconds": options.seconds,
            "warmup": options.warmup,
            "rounds": options.rounds,
        },
        "elapsed": str(timedelta(seconds=round(time.monotonic() - started))),
        "servers": {
            name: {"validates": validates, "what": what}
            for name, (_, validates, what) in SERVERS.items()
        },
        "results": results,
    }
    (options.output / "result.json").write_text(json.dumps(report, indent=2))
    chart(results, options.output / "ratios.png")
    print_peaks(results)
    print(f"\nwrote {options.output / 'result.json'} and {options.output / 'ratios.png'}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


def print_peaks(results: dict) -> None:
    print("\npeak RSS per worker process (MiB)")
    for engine, scenarios in results.items():
        any_scenario = next(iter(scenarios.values()))
        peaks = ", ".join(f"{name} {any_scenario[name]['peak_rss_mib']}" for name in SERVERS)
        print(f"  {engine}: {peaks}")


if __name__ == "__main__":
    sys.exit(main())
