"""/metrics names the build and each worker's process metrics, which
prometheus-client's multiprocess mode does not aggregate by itself."""

import os

from tests.e2e.test_metrics import scrape, value


def test_metrics_name_the_build(start_server):
    samples = scrape(start_server())
    assert value(samples, "bckeys_build_info", version="0.1.0") == 1


def test_metrics_give_each_workers_process_metrics_by_pid(start_server):
    server = start_server(workers=2)
    for _ in range(20):
        samples = scrape(server)
    pids = {
        dict(labels)["pid"]
        for (name, labels), _ in samples.items()
        if name == "process_resident_memory_bytes"
    }
    assert pids
    for pid in pids:
        # A worker: in the server's process group, not the scraping test's.
        assert os.getpgid(int(pid)) == server.process.pid
        assert value(samples, "process_resident_memory_bytes", pid=pid) > 0
        assert value(samples, "process_cpu_seconds_total", pid=pid) > 0
