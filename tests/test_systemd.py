"""The systemd units: valid, hardened, and runnable with the documented config.

`systemd-analyze verify` and `security --offline=yes` work without systemd as
PID 1; the tests are skipped where the Debian `systemd` package is absent
(`.ci/run` installs it where it can).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main

UNITS = Path(__file__).resolve().parent.parent / "systemd"
SERVICES = ("monitor.service", "monitor-once.service")
ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def _directives(unit: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (UNITS / unit).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def _installed_copy(tmp_path: Path) -> Path:
    """The units as shipped, but starting this checkout's `monitor`.

    `verify` insists that ExecStart's program exists, and /opt/monitor is where
    the README installs it, not where the tests run; nothing else is changed.
    """
    monitor = Path(sys.executable).parent / "monitor"
    assert monitor.exists(), monitor
    for unit in UNITS.glob("monitor*.*"):
        if unit.suffix in (".service", ".timer"):
            text = unit.read_text(encoding="utf-8")
            (tmp_path / unit.name).write_text(
                text.replace("/opt/monitor/bin/monitor", str(monitor)), encoding="utf-8"
            )
    return tmp_path


@needs_systemd
@pytest.mark.parametrize("unit", [*SERVICES, "monitor.timer"])
def test_verify_prints_nothing(unit: str, tmp_path: Path) -> None:
    directory = _installed_copy(tmp_path)
    result = subprocess.run(
        [ANALYZE, "verify", "--man=no", unit], cwd=directory, capture_output=True, text=True
    )
    # A misspelt key only warns, so silence is the test, not the exit code.
    assert result.stdout + result.stderr == ""
    assert result.returncode == 0


@needs_systemd
def test_verify_would_catch_a_misspelt_key(tmp_path: Path) -> None:
    directory = _installed_copy(tmp_path)
    unit = directory / "monitor.service"
    unit.write_text(unit.read_text().replace("ProtectHome=", "ProtectHomes="), encoding="utf-8")
    result = subprocess.run(
        [ANALYZE, "verify", "--man=no", "monitor.service"],
        cwd=directory,
        capture_output=True,
        text=True,
    )
    assert "ProtectHomes" in result.stdout + result.stderr


@needs_systemd
@pytest.mark.parametrize("unit", SERVICES)
def test_exposure_is_at_most_2(unit: str) -> None:
    result = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--threshold=20", str(UNITS / unit)],
        capture_output=True,
        text=True,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    exposure = float(match.group(1))
    assert result.returncode == 0 and exposure <= 2.0, f"{unit}: exposure {exposure}"


@pytest.mark.parametrize("unit", SERVICES)
def test_services_carry_the_hardening_the_issue_names(unit: str) -> None:
    found = _directives(unit)
    assert found["DynamicUser"] == ["yes"]
    assert found["StateDirectory"] == ["monitor"]
    assert found["ProtectSystem"] == ["strict"]
    assert found["PrivateTmp"] == ["yes"] and found["NoNewPrivileges"] == ["yes"]
    assert found["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]
    assert "@system-service" in found["SystemCallFilter"]
    assert found["MemoryMax"]
    assert found["LoadCredential"] == ["smtp-password:/etc/monitor/smtp-password"]
    assert found["Environment"][0].startswith("MONITOR_CONFIG=/etc/monitor/config.toml")


def test_the_daemon_unit_restarts_and_is_watched() -> None:
    found = _directives("monitor.service")
    assert found["Restart"] == ["on-failure"]
    assert found["Type"] == ["notify"] and found["WatchdogSec"]
    assert found["ExecStart"] == ["/opt/monitor/bin/monitor run"]
    assert _directives("monitor-once.service")["ExecStart"] == ["/opt/monitor/bin/monitor run-once"]
    assert _directives("monitor.timer")["Persistent"] == ["true"]


def test_the_readme_recipe_gives_a_valid_service_config(tmp_path: Path) -> None:
    """The edits README's service section asks for, applied to the default config."""
    text = (UNITS.parent / "config.toml").read_text(encoding="utf-8")
    text = text.replace('state = "state/monitor.db"', 'state = "/var/lib/monitor/monitor.db"')
    text = text.replace('corpus = ["seeds"]', "corpus = []")
    text = text.replace('directory = "digests"', 'directory = "/var/lib/monitor/digests"')
    text += (
        '\n[smtp]\nhost = "smtp.example.com"\nusername = "digest@example.com"\n'
        'password_credential = "smtp-password"\nfrom = "digest@example.com"\n'
        'to = ["you@example.com"]\n'
    )
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == 0, result.output
    assert "/var/lib/monitor/monitor.db" in result.output
    assert "file, smtp" in result.output
    assert "password from credential smtp-password" in result.output
