"""deploy/systemd/bckeys.service: a unit systemd accepts as it is, running
an installed bckeys as a non-root user with a read-only system."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require
from tests.e2e.test_readme import shell_blocks

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "bckeys.service"
SYSTEM_UNITS = Path("/usr/lib/systemd/system")


def unit_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            settings.setdefault(name, []).append(value)
    return settings


@pytest.fixture
def root(tmp_path) -> Path:
    """A root holding systemd's own units, the unit, and a stand-in for the
    installed bckeys its ExecStart names (systemd checks it is executable)."""
    require(shutil.which("systemd-analyze") is not None and SYSTEM_UNITS.is_dir(), "systemd")
    shutil.copytree(SYSTEM_UNITS, tmp_path / SYSTEM_UNITS.relative_to("/"), symlinks=True)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(UNIT, tmp_path / "etc/systemd/system" / UNIT.name)
    executable = tmp_path / unit_settings()["ExecStart"][0].split()[0].lstrip("/")
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    return tmp_path


def verify(root: Path):
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", f"--root={root}", UNIT.name],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"},
    )


def test_systemd_analyze_verifies_the_unit_without_a_word(root):
    verified = verify(root)
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")


def test_systemd_analyze_would_catch_a_missing_bckeys(root):
    executable = unit_settings()["ExecStart"][0].split()[0].lstrip("/")
    (root / executable).unlink()
    assert verify(root).returncode != 0


def test_the_unit_runs_an_installed_bckeys_serve_as_its_own_user_with_the_readmes_environment():
    settings = unit_settings()
    assert settings["ExecStart"][0].endswith("/bin/bckeys serve")
    assert settings["User"] == ["bckeys"]
    assert settings["EnvironmentFile"] == ["/etc/bckeys/bckeys.env"]
    assert settings["Restart"] == ["on-failure"]


def test_the_unit_is_hardened():
    settings = unit_settings()
    for name, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "ReadWritePaths": "/var/lib/bckeys",
    }.items():
        assert settings[name] == [value], name


def test_the_readme_installs_bckeys_where_the_unit_runs_it_from_the_serving_lock():
    install = shell_blocks("Running it as a service")[0]
    venv = unit_settings()["ExecStart"][0].split()[0].removesuffix("/bin/bckeys")
    assert f"python3 -m venv {venv}" in install
    # The pinned serving set, as on any server ("Two commands"), not pip's latest.
    assert f"{venv}/bin/pip install -r requirements.lock ." in install
