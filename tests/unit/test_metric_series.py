"""Counting a request looks each series up once, not on every request."""

from app.web import metrics


def _value(counter, *labels) -> float:
    return counter.labels(*labels)._value.get()


def test_requests_are_counted_in_series_looked_up_once(monkeypatch):
    before = _value(metrics.REQUESTS, "verify", "200"), _value(metrics.VERIFICATIONS, "allowed")
    looked_up = []
    for counted in (metrics.REQUESTS, metrics.LATENCY, metrics.VERIFICATIONS):
        labels = counted.labels
        monkeypatch.setattr(
            counted,
            "labels",
            lambda *values, labels=labels: looked_up.append(values) or labels(*values),
        )
    metrics._request_series.cache_clear()
    for _ in range(5):
        metrics.count_request("verify", 200, 0.002)
        metrics.count_request("getApiKeys", 200, 0.002)
    assert len(looked_up) == 5  # verify: requests, latency, verifications; list: two
    after = _value(metrics.REQUESTS, "verify", "200"), _value(metrics.VERIFICATIONS, "allowed")
    assert after == (before[0] + 5, before[1] + 5)
