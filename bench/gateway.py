"""make bench's gateway scenarios: what verify costs where keys are used.

Debian's nginx with the shipped configuration stands in front of a static
upstream (nginx itself, answering 200), and wrk drives it on 127.0.0.1:
- no auth: the same route without auth_request, the ceiling;
- product: auth_request to bckeys' verify (2 workers), with a key, a JWT and
  a scoped key asked about a path deep in Bigcapital's document;
- floor: auth_request to the bare Starlette baseline's verify (2 workers),
  the same lookups and token exchange without validation.
The three run interleaved, each bounded in time and request count.
"""

from bench.measures import interleaved
from tests.support.gateway import Nginx

UPSTREAM_PATH = "/api/items"
GATEWAYS = ("no-auth", "product", "floor")
SCENARIOS = ("gateway-key", "gateway-jwt", "gateway-scoped-key")


def bench_gateways(servers: dict, credentials: dict, options, wrk) -> dict:
    """The gateway scenarios over the running product and Starlette servers;
    returns their summaries by scenario."""
    gateways = {
        "no-auth": Nginx(servers["product"].port, verify=False),
        "product": Nginx(servers["product"].port),
        "floor": Nginx(servers["starlette"].port),
    }
    try:
        return {
            scenario: _run(scenario, gateways, credentials, options, wrk)
            for scenario in SCENARIOS
            if scenario != "gateway-scoped-key" or credentials["product"].scoped_key
        }
    finally:
        for gateway in gateways.values():
            gateway.stop()


def _request(scenario: str, gateway: str, credentials: dict) -> dict | None:
    """What wrk sends through one gateway, or None where it does not run."""
    own = credentials["starlette" if gateway == "floor" else "product"]
    if scenario == "gateway-scoped-key":
        if gateway == "floor":
            return None
        method, target = own.scoped_request
        return {"BENCH_METHOD": method, "BENCH_PATH": target, "BENCH_TOKEN": own.scoped_key}
    token, organization = (
        (own.list_key, own.list_organization)
        if scenario == "gateway-key"
        else (own.jwt, own.generate_organization)
    )
    return {
        "BENCH_METHOD": "GET",
        "BENCH_PATH": UPSTREAM_PATH,
        "BENCH_TOKEN": token,
        "BENCH_ORGANIZATION": organization,
    }


def _run(scenario: str, gateways: dict, credentials: dict, options, wrk) -> dict:
    requests = {name: _request(scenario, name, credentials) for name in GATEWAYS}
    running = [name for name in GATEWAYS if requests[name] is not None]
    runs = {name: (gateways[name], requests[name]) for name in running}
    summary = interleaved(runs, options, wrk)
    ceiling = summary["no-auth"]
    for name in running:
        summary[name]["p50_added_ms"] = round(summary[name]["p50_ms"] - ceiling["p50_ms"], 2)
        summary[name]["p99_added_ms"] = round(summary[name]["p99_ms"] - ceiling["p99_ms"], 2)
    if "floor" in summary:
        floor = summary["floor"]
        summary["product"]["ratio_to_floor"] = round(summary["product"]["rps"] / floor["rps"], 3)
        summary["product"]["p99_added_ratio_to_floor"] = round(
            summary["product"]["p99_added_ms"] / max(floor["p99_added_ms"], 0.01), 3
        )
    return summary


def print_gateways(engine: str, results: dict) -> None:
    for scenario, summary in results.items():
        print(f"\n{engine} / {scenario} (through nginx, static upstream)")
        print(
            f"  {'gateway':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'+p50 ms':>8} {'+p99 ms':>8} {'non-2xx':>8}"
        )
        for name, row in summary.items():
            print(
                f"  {name:<10} {row['rps']:>9.1f} {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
                f"{row['p50_added_ms']:>8.2f} {row['p99_added_ms']:>8.2f} "
                f"{row['non_2xx'] + row['socket_errors']:>8}"
            )
        product = summary["product"]
        if "ratio_to_floor" in product:
            print(
                f"  product / floor: {product['ratio_to_floor']:.2f}x req/s (target 0.75x); "
                f"p99 added {product['p99_added_ratio_to_floor']:.2f}x the floor's (target 2x)"
            )
