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
import re
from importlib.metadata import version
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from prometheus_client.samples import Sample

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
KEYS_REVOKED = Counter(
    "bckeys_keys_revoked", "API keys revoked through the API (not by the bckeys command)."
)
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


# The pid in prometheus-client's multiprocess file names: one per worker.
_WORKER_FILE = re.compile(r"(?:counter|histogram|summary|gauge_[a-z]+)_([0-9]+)\.db")


class BuildInfo(Collector):
    def collect(self):
        info = GaugeMetricFamily("bckeys_build_info", "The running version.", labels=["version"])
        info.add_metric([version("bckeys")], 1)
        yield info


class WorkerProcesses(Collector):
    """prometheus-client's process_* metrics (CPU, memory, open files,
    start time) for every live worker, labelled with its pid. Its
    multiprocess mode aggregates no custom collector, so each worker's are
    read here, at scrape, from /proc: the workers are the processes that
    write metric files in the folder."""

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def collect(self):
        families: dict[str, Metric] = {}
        for pid in self._live_workers():
            collector = ProcessCollector(registry=None, pid=lambda pid=pid: pid)
            for family in collector.collect():
                merged = families.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                merged.samples.extend(
                    Sample(sample.name, {**sample.labels, "pid": str(pid)}, sample.value)
                    for sample in family.samples
                )
        yield from families.values()

    def _live_workers(self) -> list[int]:
        pids = {
            int(match.group(1))
            for path in self.folder.iterdir()
            if (match := _WORKER_FILE.fullmatch(path.name))
        }
        return sorted(pid for pid in pids if Path(f"/proc/{pid}").exists())


def exposition() -> tuple[bytes, str]:
    """The scrape: every worker's values added up, in the text format, with
    each worker's process metrics and the build's version."""
    folder = os.environ.get(MULTIPROCESS_DIR)
    if folder:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(WorkerProcesses(folder))
        registry.register(BuildInfo())
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


REGISTRY.register(BuildInfo())
