"""GET /metrics: Prometheus text, one view over every worker process, with
bounded labels and nothing secret in it."""

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.accounts import make_account

OPERATIONS = {
    "generate",
    "get_api_keys",
    "revoke",
    "verify",
    "healthz",
    "readyz",
    "metrics",
    "openapi",
    "swagger_ui",
    "unrouted",
}


def scrape(server) -> dict[tuple, float]:
    """Every sample of one scrape, by (name, sorted labels)."""
    response = httpx.get(f"{server.url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_7_generates_on_2_workers_move_the_counter_by_exactly_7(start_server, services):
    account = make_account(services)
    server = start_server(workers=2)
    before = scrape(server)
    for _ in range(7):
        response = httpx.post(
            f"{server.url}/api/api-keys/generate", json={}, headers=account.headers(), timeout=10
        )
        assert response.status_code == 201
    after = scrape(server)
    assert (
        value(after, "bckeys_keys_generated_total") - value(before, "bckeys_keys_generated_total")
        == 7
    )
    requests = "bckeys_requests_total"
    labels = {"operation": "generate", "status": "201"}
    assert value(after, requests, **labels) - value(before, requests, **labels) == 7


def test_refused_credentials_move_the_refusal_counter(start_server, services):
    account = make_account(services)
    server = start_server(workers=2)
    before = scrape(server)
    for token in ["bc_" + "0" * 72, "not.a.jwt", account.token + "x"]:
        response = httpx.get(
            f"{server.url}/api/api-keys", headers=account.headers(token=token), timeout=10
        )
        assert response.status_code == 401
    after = scrape(server)

    def refused(samples):
        return sum(
            sample_value
            for (name, _), sample_value in samples.items()
            if name == "bckeys_credentials_refused_total"
        )

    assert refused(after) - refused(before) >= 3


def test_nothing_secret_or_unbounded_is_in_the_output(start_server, services):
    account = make_account(services)
    server = start_server()
    with server.client() as client:
        key = client.post("/api/api-keys/generate", json={}, headers=account.headers()).json()
        client.get("/api/api-keys", headers=account.headers(token=key["key"]))
        client.get("/api/api-keys/verify", headers=account.headers(token=key["key"]))
        client.get("/api/api-keys", headers=account.headers(token=key["key"] + "0"))
        for _ in range(5):
            client.get(f"/{uuid.uuid4().hex}/{account.organization_id}")
        scrape(server)  # a scrape is counted too: the next one shows it
        series_before = set(scrape(server))
        for _ in range(20):
            client.get(f"/{uuid.uuid4().hex}/{account.organization_id}")
        text = client.get("/metrics").text
    samples = scrape(server)
    assert set(samples) == series_before
    operations = {dict(labels).get("operation") for _, labels in samples} - {None}
    assert operations <= OPERATIONS
    for secret in [key["key"], key["key"][3:19], account.token, account.organization_id]:
        assert secret not in text
    assert account.email not in text
    assert 'operation="verify"' in text
    assert 'bckeys_verifications_total{outcome="allowed"}' in text


def test_metrics_can_be_switched_off(start_server):
    server = start_server(METRICS="off")
    assert httpx.get(f"{server.url}/metrics", timeout=10).status_code == 404


def test_the_previous_run_s_metric_files_are_removed_when_the_server_starts(
    start_server, services, tmp_path
):
    folder = tmp_path / "metric-files"
    account = make_account(services)
    first = start_server(PROMETHEUS_MULTIPROC_DIR=str(folder))
    httpx.post(f"{first.url}/api/api-keys/generate", json={}, headers=account.headers())
    assert value(scrape(first), "bckeys_keys_generated_total") == 1
    first.stop()
    second = start_server(PROMETHEUS_MULTIPROC_DIR=str(folder))
    assert value(scrape(second), "bckeys_keys_generated_total") == 0
