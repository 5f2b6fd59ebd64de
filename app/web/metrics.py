"""Prometheus metrics: what an operator watches, one view over every worker.

With several worker processes, prometheus-client's multiprocess mode keeps
each process's values in files in PROMETHEUS_MULTIPROC_DIR, and a scrape
adds them up; it reads that variable when it is first imported, so the
server sets it (app.server.prepare_metric_files) before any worker imports
this module.

Labels are bounded: operations come from the spec, statuses from HTTP,
reasons and outcomes from fixed lists. Never a credential, an organization,
a user, an email or a raw path.
"""

import functools
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Paths served outside the API contract, by name; any other unrouted path
# counts as "unrouted", so a client cannot grow the series.
_OUTSIDE_THE_CONTRACT = {
    "/healthz": "healthz",
    "/readyz": "readyz",
    "/metrics": "metrics",
    "/openapi.json": "openapi",
}

REQUESTS = Counter(
    "bckeys_requests", "Requests answered, by operation and status.", ["operation", "status"]
)
LATENCY = Histogram(
    "bckeys_request_duration_seconds",
    "Time to answer a request, by operation.",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
KEYS_GENERATED = Counter("bckeys_keys_generated", "API keys generated.")
KEYS_REVOKED = Counter("bckeys_keys_revoked", "API keys revoked through the API.")
CREDENTIALS_REFUSED = Counter(
    "bckeys_credentials_refused", "Credentials refused with 401, by reason.", ["kind", "reason"]
)
LIMITS_HIT = Counter("bckeys_limits_hit", "Generates refused by a minting limit.", ["limit"])
VERIFICATIONS = Counter(
    "bckeys_verifications", "Verify answers for a gateway, by outcome.", ["outcome"]
)
DATABASE_UNAVAILABLE = Counter(
    "bckeys_database_unavailable", "Requests answered 503: the database could not answer."
)
INTERNAL_ERRORS = Counter("bckeys_internal_errors", "Requests answered 500.")

_VERIFY_OUTCOMES = {200: "allowed", 401: "unauthenticated", 403: "forbidden", 503: "unavailable"}


def operation_label(path: str, operation_id: str | None) -> str:
    """The bounded name a request is counted under."""
    if operation_id:
        return operation_id.rsplit(".", 1)[-1]
    if path in _OUTSIDE_THE_CONTRACT:
        return _OUTSIDE_THE_CONTRACT[path]
    if path == "/ui" or path.startswith("/ui/"):
        return "swagger_ui"
    return "unrouted"


def count_request(operation: str, status: int, seconds: float) -> None:
    requests, latency, verifications = _request_series(operation, status)
    requests.inc()
    latency.observe(seconds)
    if verifications is not None:
        verifications.inc()


# Operations and statuses are bounded (see operation_label); the bound is a safeguard.
@functools.lru_cache(maxsize=1024)
def _request_series(operation: str, status: int):
    """The series a request counts in, looked up once per operation and status
    (prometheus-client's labels() takes a lock and checks the values each time)."""
    verifications = None
    if operation == "verify":
        verifications = VERIFICATIONS.labels(_VERIFY_OUTCOMES.get(status, "error"))
    return REQUESTS.labels(operation, str(status)), LATENCY.labels(operation), verifications


def exposition() -> tuple[bytes, str]:
    """The scrape: every worker's values added up, in the text format."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
