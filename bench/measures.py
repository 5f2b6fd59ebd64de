"""What a set of wrk runs of one server and scenario sums up to."""

import statistics


def medians(measured: list[dict]) -> dict:
    """Median req/s, p50 and p99 over the runs; requests and errors summed."""
    return {
        "rps": round(statistics.median(run["rps"] for run in measured), 1),
        "p50_ms": round(statistics.median(run["p50_ms"] for run in measured), 2),
        "p99_ms": round(statistics.median(run["p99_ms"] for run in measured), 2),
        "requests": sum(run["requests"] for run in measured),
        "non_2xx": sum(run["non_2xx"] for run in measured),
        "socket_errors": sum(run["socket_errors"] for run in measured),
    }


def interleaved(runs: dict[str, tuple], options, wrk) -> dict[str, dict]:
    """The medians, by name, of wrk runs of each (server, request): each
    warmed up, then one run of each a round, ``options.rounds`` times."""
    if options.warmup:
        for server, request in runs.values():
            wrk(server, request, options.warmup, options.max_requests)
    measured = {name: [] for name in runs}
    for _ in range(options.rounds):
        for name, (server, request) in runs.items():
            measured[name].append(wrk(server, request, options.seconds, options.max_requests))
    return {name: medians(values) for name, values in measured.items()}
