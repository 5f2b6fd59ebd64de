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
