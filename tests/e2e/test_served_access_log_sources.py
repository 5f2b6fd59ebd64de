"""The access log's client and request id from a served process: what a
trusted proxy forwards is believed only through TRUSTED_PROXIES, never
through uvicorn's own reading of X-Forwarded-For (which trusts 127.0.0.1)."""

import time

NGINX_REQUEST_ID = "0123456789abcdef0123456789abcdef"
CLIENT = "203.0.113.9"
# A path of its own: readiness polls leave lines for /healthz and /readyz.
PROBE = "/where-from"


def access_line(server) -> str:
    """The probe's access line, written once the response is sent."""
    deadline = time.monotonic() + 5
    while True:
        lines = [line for line in server.logs().splitlines() if f"GET {PROBE} " in line]
        if lines or time.monotonic() > deadline:
            (line,) = lines
            return line
        time.sleep(0.05)


def test_without_trusted_proxies_a_local_peers_forwarded_for_is_not_believed(start_server):
    server = start_server()
    with server.client() as client:
        client.get(PROBE, headers={"X-Forwarded-For": CLIENT})
    line = access_line(server)
    assert "client=127.0.0.1" in line and CLIENT not in line


def test_behind_a_trusted_local_proxy_its_client_and_request_id_are_kept(start_server):
    server = start_server(TRUSTED_PROXIES="127.0.0.1")
    with server.client() as client:
        answered = client.get(
            PROBE, headers={"X-Forwarded-For": CLIENT, "X-Request-ID": NGINX_REQUEST_ID}
        )
    assert answered.status_code == 404
    assert answered.headers["x-request-id"] == NGINX_REQUEST_ID
    line = access_line(server)
    assert f"client={CLIENT}" in line and f"request_id={NGINX_REQUEST_ID}" in line
