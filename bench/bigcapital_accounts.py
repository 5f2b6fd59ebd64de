"""make bench's accounts-from-Bigcapital scenario: what reading the user and
its organization live from Bigcapital's system database costs a verify.

A throwaway MariaDB (Debian's mariadb-server) holds Bigcapital's system
database as its migrations leave it; a second product server reads its
accounts there through a read-only account (BIGCAPITAL_DATABASE_URL),
keys in a database of the run's engine. Verify with a key on it, against
verify with a key on the run's product server (accounts its own), the two
interleaved, bounded as every run is.
"""

import httpx

from app.domain.tokens import issue_token
from app.settings import load_settings
from bench.measures import interleaved
from tests.support.bigcapital import DATABASE, READER, SCHEMA, WRITER, Bigcapital
from tests.support.mariadb import MariaDBServer, find_binaries

SCENARIO = "verify-key-bigcapital-accounts"
KINDS = ("local", "bigcapital")


def bench_bigcapital_accounts(local, local_request: dict, start_product, options, wrk):
    """The summary by kind and the ratio, or None without MariaDB.

    ``local``: the run's product server, and ``local_request`` the verify
    wrk sends it; ``start_product(extra_env)``: a product server of the
    run's engine with more environment, and its environment.
    """
    binaries = find_binaries()
    if binaries is None:
        return None
    mariadb = MariaDBServer(binaries)
    try:
        mariadb.start()
        mariadb.execute(SCHEMA)
        bigcapital = Bigcapital(mariadb.url(*WRITER, DATABASE), mariadb.url(*READER, DATABASE))
        organization = bigcapital.add_organization()
        _, email = bigcapital.add_user(organization)
        bigcapital.engine.dispose()
        server, env = start_product({"BIGCAPITAL_DATABASE_URL": bigcapital.reader_url})
        try:
            key = _generated_key(server.url, load_settings(env), email, organization)
            own_request = {**local_request, "BENCH_TOKEN": key, "BENCH_ORGANIZATION": organization}
            runs = {"local": (local, local_request), "bigcapital": (server, own_request)}
            return _compared(interleaved(runs, options, wrk))
        finally:
            server.stop()
    finally:
        mariadb.destroy()


def _generated_key(url: str, settings, email: str, organization: str) -> str:
    token = issue_token(settings, email, 3600)
    response = httpx.post(
        f"{url}/api/api-keys/generate",
        json={"name": "bench"},
        headers={"Authorization": f"Bearer {token}", "organization-id": organization},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["key"]


def _compared(summary: dict) -> dict:
    """The summary, with Bigcapital's accounts compared with local ones."""
    local, bigcapital = summary["local"], summary["bigcapital"]
    summary["ratio"] = round(bigcapital["rps"] / local["rps"], 3)
    summary["p50_added_ms"] = round(bigcapital["p50_ms"] - local["p50_ms"], 2)
    return summary


def print_bigcapital_accounts(engine: str, summary: dict) -> None:
    print(f"\n{engine} / {SCENARIO} (product only, accounts from MariaDB)")
    for kind in KINDS:
        row = summary[kind]
        print(
            f"  {kind + ' accounts':<20} {row['rps']:>9.1f} req/s {row['p50_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} ms, non-2xx {row['non_2xx'] + row['socket_errors']}"
        )
    print(
        f"  Bigcapital's / local: {summary['ratio']:.2f}x req/s, "
        f"{summary['p50_added_ms']:+.2f} ms at p50"
    )
