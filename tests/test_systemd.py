"""The systemd units in ``systemd/``: valid, hardened, and matching their example config.

``systemd-analyze verify`` and ``systemd-analyze security --offline=yes`` work
without systemd as PID 1; the tests that need them are skipped where the Debian
``systemd`` package is absent (``.ci/run`` installs it where it can). The rest
read the unit files and run ``monitor check-config`` on ``systemd/config.toml``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor import config, mail
from monitor.cli import main

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "systemd"
SERVICES = ("monitor.service", "monitor-once.service")
ALL_UNITS = (*SERVICES, "monitor.timer")
SERVICE_CONFIG = UNITS / "config.toml"
INSTALLED_MONITOR = "/opt/monitor/bin/monitor"
MAX_EXPOSURE = 2.0
ANALYZE = shutil.which("systemd-analyze")
needs_systemd_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is not installed (Debian package: systemd)"
)
# Per-unit settings; everything else in [Service] is hardening, the same in both.
UNIT_SPECIFIC = {
    "Type",
    "NotifyAccess",
    "ExecStart",
    "WatchdogSec",
    "Restart",
    "RestartSec",
    "TimeoutStopSec",
    "TimeoutStartSec",
}

Unit = dict[str, dict[str, list[str]]]


def read_unit(text: str) -> Unit:
    """Sections -> keys -> values in order (a key may repeat; empty values count)."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"line {number}: continuation lines are not expected"
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        assert section is not None and "=" in line, f"line {number}: {raw!r}"
        key, value = line.split("=", 1)
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def unit(name: str) -> Unit:
    return read_unit((UNITS / name).read_text(encoding="utf-8"))


def monitor_executable() -> Path:
    found = shutil.which("monitor") or Path(sys.executable).parent / "monitor"
    path = Path(found)
    assert path.is_file(), f"no `monitor` executable beside {sys.executable}"
    return path


def copies_for_verify(directory: Path) -> Path:
    """The shipped units, with only ExecStart's program pointing at this venv's `monitor`.

    `verify` insists that ExecStart's program exists, and /opt/monitor/bin/monitor
    is where the README installs it, not where tests run. Every unit goes into
    the same directory because verifying the timer also loads the service it
    starts from there (and would otherwise miss it silently).
    """
    program = str(monitor_executable())
    for name in ALL_UNITS:
        shipped = (UNITS / name).read_text(encoding="utf-8").splitlines(keepends=True)
        copied = [line.replace(INSTALLED_MONITOR, program) for line in shipped]
        changed = [new for old, new in zip(shipped, copied, strict=True) if old != new]
        assert all(line.startswith("ExecStart=") for line in changed), changed
        (directory / name).write_text("".join(copied), encoding="utf-8")
    return directory


def verify(directory: Path, name: str) -> subprocess.CompletedProcess[str]:
    # SYSTEMD_LOG_LEVEL is left as it is: test_verify_reports_a_misspelt_key_or_a_bad_value
    # shows, in the same environment, that warnings do get through.
    assert ANALYZE is not None
    return subprocess.run(
        [ANALYZE, "verify", name], cwd=directory, capture_output=True, text=True, timeout=60
    )


@needs_systemd_analyze
@pytest.mark.parametrize("name", ALL_UNITS)
def test_verify_prints_nothing_for_the_shipped_unit(name: str, tmp_path: Path) -> None:
    result = verify(copies_for_verify(tmp_path), name)
    # A misspelt key or a bad value only warns (exit code 0): silence is the check.
    assert result.stdout + result.stderr == "", result.stdout + result.stderr
    assert result.returncode == 0


@needs_systemd_analyze
@pytest.mark.parametrize(
    ("name", "good", "bad", "reported"),
    [
        ("monitor.service", "ProtectHome=", "ProtectHomes=", "Unknown key 'ProtectHomes'"),
        ("monitor-once.service", "PrivateTmp=yes", "PrivateTmp=maybe", "ignoring: maybe"),
        ("monitor.timer", "Persistent=", "Persistant=", "Unknown key 'Persistant'"),
    ],
)
def test_verify_reports_a_misspelt_key_or_a_bad_value(
    name: str, good: str, bad: str, reported: str, tmp_path: Path
) -> None:
    directory = copies_for_verify(tmp_path)
    path = directory / name
    text = path.read_text(encoding="utf-8")
    assert good in text
    path.write_text(text.replace(good, bad, 1), encoding="utf-8")
    result = verify(directory, name)
    assert reported in result.stdout + result.stderr
    assert result.returncode == 0  # only a warning: hence the silence test above


@needs_systemd_analyze
@pytest.mark.parametrize("name", SERVICES)
def test_service_exposure_is_at_most_2(name: str) -> None:
    assert ANALYZE is not None
    result = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--threshold=20", str(UNITS / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", output)
    assert match, output
    exposure = float(match.group(1))
    assert exposure <= MAX_EXPOSURE, f"{name}: exposure {exposure} > {MAX_EXPOSURE}\n{output}"
    # Non-zero also when the unit has a setting systemd cannot parse.
    assert result.returncode == 0, (
        f"{name}: exposure {exposure}, exit {result.returncode}\n{output}"
    )


@pytest.mark.parametrize("name", SERVICES)
def test_services_carry_the_hardening_the_issue_asks_for(name: str) -> None:
    service = unit(name)["Service"]
    assert service["DynamicUser"] == ["yes"]
    assert service["StateDirectory"] == ["monitor"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["PrivateTmp"] == ["yes"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]
    assert service["SystemCallFilter"][0] == "@system-service"
    assert any(f.startswith("~") and "@privileged" in f for f in service["SystemCallFilter"])
    assert service["SystemCallArchitectures"] == ["native"]
    assert service["MemoryMax"] == ["1G"]
    assert service["MemoryDenyWriteExecute"] == ["yes"]
    assert service["CapabilityBoundingSet"] == [""]
    assert service["LoadCredential"] == ["smtp-password:/etc/monitor/smtp-password"]
    assert "MONITOR_CONFIG=/etc/monitor/config.toml" in service["Environment"]
    assert "PYTHONUNBUFFERED=1" in service["Environment"]
    assert "IPAddressDeny" not in service  # feeds live at arbitrary addresses


def test_both_services_share_one_hardening_and_one_dynamic_user() -> None:
    daemon, once = (
        {k: v for k, v in unit(name)["Service"].items() if k not in UNIT_SPECIFIC}
        for name in SERVICES
    )
    assert daemon == once
    # One named dynamic user: otherwise starting one unit would chown
    # /var/lib/monitor away from the other.
    assert daemon["User"] == ["monitor"]


def test_the_daemon_is_notify_type_watched_and_restarted_on_failure() -> None:
    daemon = unit("monitor.service")
    service = daemon["Service"]
    assert service["ExecStart"] == [f"{INSTALLED_MONITOR} run"]
    assert service["Type"] == ["notify"] and service["NotifyAccess"] == ["main"]
    assert service["WatchdogSec"] and service["TimeoutStopSec"] == ["15"]
    assert service["Restart"] == ["on-failure"] and service["RestartSec"]
    assert daemon["Install"]["WantedBy"] == ["multi-user.target"]


def test_the_timer_starts_the_oneshot_daily_and_catches_up() -> None:
    once = unit("monitor-once.service")
    assert once["Service"]["Type"] == ["oneshot"]
    assert once["Service"]["ExecStart"] == [f"{INSTALLED_MONITOR} run-once"]
    assert "Restart" not in once["Service"] and "Install" not in once
    timer = unit("monitor.timer")
    # Without Unit= the timer would start monitor.service (its namesake), the daemon;
    # verify says nothing about a Unit= that names no file.
    assert timer["Timer"]["Unit"] == ["monitor-once.service"]
    assert timer["Timer"]["OnCalendar"] == ["*-*-* 07:00:00 Asia/Tokyo"]
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]


def test_the_service_config_passes_check_config_once_its_placeholders_are_filled(
    tmp_path: Path,
) -> None:
    # As shipped it names smtp.example.com and no feed: check-config says so (test_check_config).
    text = SERVICE_CONFIG.read_text(encoding="utf-8")
    text = text.replace("smtp.example.com", "mail.monitor-operator.jp").replace(
        "you@example.com", "reader@monitor-operator.jp"
    )
    text = text.replace(
        '# [[feeds]]\n# url = "https://group.softbank/en/news/rss"',
        '[[feeds]]\nurl = "https://group.softbank/en/news/rss"',
    )
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    (tmp_path / "smtp-password").write_text("s3cret\n", encoding="utf-8")
    runner = CliRunner(env={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    result = runner.invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == 0, result.output
    assert f"{config}: ok" in result.output
    assert "password from credential smtp-password" in result.output
    assert result.stderr == ""


def test_the_service_config_writes_only_in_the_state_directory() -> None:
    settings = config.load(SERVICE_CONFIG)
    state_directory = Path("/var/lib") / unit("monitor.service")["Service"]["StateDirectory"][0]
    assert settings.state.parent == state_directory
    assert settings.digest.directory.is_relative_to(state_directory)
    assert settings.corpus == ()
    assert settings.schedule.poll_interval_minutes == 60
    assert settings.schedule.digest_cron == "0 7 * * *"
    assert settings.schedule.timezone == "Asia/Tokyo"


def test_the_service_config_reads_the_password_the_units_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = config.load(SERVICE_CONFIG)
    assert settings.smtp is not None
    credential = unit("monitor.service")["Service"]["LoadCredential"][0].split(":", 1)[0]
    assert settings.smtp.password_credential == credential
    # What systemd provides at start: $CREDENTIALS_DIRECTORY holding the file.
    (tmp_path / credential).write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert mail.password(settings) == "s3cret"


def test_the_service_config_keeps_the_default_topic_profile() -> None:
    # There is no built-in profile: a config without [relevance] finds nothing relevant.
    assert config.load(SERVICE_CONFIG).relevance == config.load(ROOT / "config.toml").relevance


def test_the_worker_template_is_the_daemon_plus_the_database_credential(tmp_path: Path) -> None:
    daemon, worker = unit("monitor.service"), unit("monitor@.service")
    assert worker["Service"]["LoadCredential"] == [
        *daemon["Service"]["LoadCredential"],
        "db-password:/etc/monitor/db-password",
    ]
    rest = {k: v for k, v in worker["Service"].items() if k != "LoadCredential"}
    assert rest == {k: v for k, v in daemon["Service"].items() if k != "LoadCredential"}
    assert "%i" in worker["Unit"]["Description"][0]
    if ANALYZE is None:
        return
    program = str(monitor_executable())
    text = (UNITS / "monitor@.service").read_text(encoding="utf-8")
    (tmp_path / "monitor@1.service").write_text(text.replace(INSTALLED_MONITOR, program))
    result = verify(tmp_path, "monitor@1.service")
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
