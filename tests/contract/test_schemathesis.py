"""Contract fuzzing: Schemathesis finds no failure, on either engine.

A fixed seed and example count keep the default run reproducible and short;
``make fuzz`` runs a longer campaign with a fresh seed.
"""

from tests.support.fuzzing import run_schemathesis

SEED = 20261127
EXAMPLES = 100


def test_schemathesis_all_checks_all_phases_find_nothing(start_server, account, tmp_path):
    # Schemathesis mints in bulk: no rate, no cap.
    server = start_server(workers=1, API_KEY_GENERATE_RATE="off", API_KEYS_PER_ORGANIZATION="off")
    result = run_schemathesis(server.url, account, SEED, EXAMPLES, tmp_path / "junit.xml")
    assert result.returncode == 0, result.stdout[-6000:]
    assert "No issues found" in result.stdout
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in result.stdout
    server.stop()
    assert " 500 " not in server.logs()
