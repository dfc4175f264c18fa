"""`monitor run`, the daemon, as a real process: schedule, catch-up, lock, systemd, SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest_smtp import SmtpServer, add_smtp, smtp_server

from monitor.scheduler import _weekdays, missed_digest
from monitor.store import Store

__all__ = ["smtp_server"]  # fixture, used by name


class Daemon:
    """`monitor run` in a subprocess, with its stderr collected line by line."""

    def __init__(self, project: Path, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(project / "config.toml"), "run"],
            cwd=project,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} in:\n" + "\n".join(self.lines))

    def terminate(self) -> tuple[int, float]:
        """SIGTERM; return the exit code and how long the exit took."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self._reader.join(timeout=5)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:
        daemon.kill()


def set_schedule(project: Path, cron: str, timezone: str = "UTC", extra: str = "") -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('digest_cron = "0 7 * * *"', f'digest_cron = "{cron}"')
    text = text.replace('timezone = "Asia/Tokyo"\n\n# ----', f'timezone = "{timezone}"\n\n# ----')
    config.write_text(text + extra, encoding="utf-8")


def cron_in(seconds: float) -> str:
    """A six-field cron expression (seconds first) that fires once, ``seconds`` from now, in UTC."""
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return f"{moment.second} {moment.minute} {moment.hour} * * *"


def record_digest_run(project: Path, when: datetime) -> None:
    with Store(project / "state" / "monitor.db") as store, store.transaction():
        store.record_digest_run(when, None)


def test_the_digest_arrives_on_schedule_and_sigterm_exits_cleanly(
    project: Path, smtp_server: SmtpServer, daemons: list[Daemon]
) -> None:
    set_schedule(project, cron_in(6))
    add_smtp(project / "config.toml", smtp_server.port)
    daemon = Daemon(project)
    daemons.append(daemon)
    daemon.wait_for_line("started:")
    (message,) = [m.parsed() for m in smtp_server.wait_for(1, timeout=30)]
    assert "4 new stories" in message["Subject"]
    assert {p.get_content_type() for p in message.iter_parts()} == {"text/plain", "text/html"}
    daemon.wait_for_line("digest 20")

    code, took = daemon.terminate()
    assert code == 0
    assert took < 10
    assert not any("Traceback" in line for line in daemon.lines), daemon.lines
    assert any("stopping" in line for line in daemon.lines)


def test_a_missed_digest_is_sent_once_at_start_up(
    project: Path, smtp_server: SmtpServer, daemons: list[Daemon]
) -> None:
    set_schedule(project, "0 7 * * *")
    add_smtp(project / "config.toml", smtp_server.port)
    record_digest_run(project, datetime.now(UTC) - timedelta(days=2))  # down since then

    first = Daemon(project)
    daemons.append(first)
    first.wait_for_line("was missed")
    assert len(smtp_server.wait_for(1, timeout=30)) == 1
    first.wait_for_line("digest 20")
    assert first.terminate()[0] == 0

    second = Daemon(project)  # a restart the same day does not send it again
    daemons.append(second)
    second.wait_for_line("poll:")
    assert not any("was missed" in line for line in second.lines)
    assert second.terminate()[0] == 0
    assert len(smtp_server.messages) == 1


def test_run_once_refuses_while_the_daemon_runs(project: Path, daemons: list[Daemon]) -> None:
    daemon = Daemon(project)
    daemons.append(daemon)
    daemon.wait_for_line("started:")
    refused = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(project / "config.toml"), "run-once"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    (line,) = refused.stderr.splitlines()
    assert "(monitor run) is already processing it" in line
    assert daemon.terminate()[0] == 0


def test_systemd_hears_ready_watchdog_and_stopping(project: Path, daemons: list[Daemon]) -> None:
    # AF_UNIX paths are limited to about 107 bytes: keep it short.
    directory = tempfile.mkdtemp(dir="/tmp")
    path = os.path.join(directory, "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(20)
        daemon = Daemon(project, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"})
        daemons.append(daemon)
        received = [sock.recv(4096).decode()]
        assert received[0].startswith("READY=1\nSTATUS=next digest")
        assert sock.recv(4096) == b"WATCHDOG=1"
        daemon.process.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in received:
            received.append(sock.recv(4096).decode())
        assert daemon.process.wait(timeout=15) == 0
    os.unlink(path)
    os.rmdir(directory)


class _Hanging(BaseHTTPRequestHandler):
    """A feed server that answers nothing for half a minute."""

    def do_GET(self) -> None:
        time.sleep(30)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_sigterm_during_a_hung_job_still_exits_0_within_10_s(
    project: Path, daemons: list[Daemon]
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hanging)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = project / "config.toml"
        feed = f'[[feeds]]\nurl = "http://127.0.0.1:{server.server_port}/feed.xml"\n\n[digest]'
        text = config.read_text(encoding="utf-8").replace("[digest]", feed, 1)
        text = text.replace("total_timeout = 30", "total_timeout = 120")
        config.write_text(text, encoding="utf-8")
        daemon = Daemon(project)  # polls at start-up, and the poll hangs on the feed
        daemons.append(daemon)
        daemon.wait_for_line("started:")
        time.sleep(2.5)
        assert not any("poll:" in line for line in daemon.lines)

        code, took = daemon.terminate()
        assert code == 0
        assert took < 10
        assert any("abandoned the running poll job" in line for line in daemon.lines)
    finally:
        server.shutdown()


def test_crontab_weekdays_count_sunday_as_0_and_7() -> None:
    assert _weekdays("0") == _weekdays("7") == "sun"
    assert _weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert _weekdays("*/2") == "sun,tue,thu,sat"


def test_a_miss_is_a_scheduled_time_between_the_last_run_and_now() -> None:
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(hour=7, minute=0, timezone=UTC)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert missed_digest(trigger, None, now) is None  # a fresh install missed nothing
    assert missed_digest(trigger, now - timedelta(hours=3), now) is None
    assert missed_digest(trigger, now - timedelta(hours=6), now) == now.replace(hour=7)
    assert missed_digest(trigger, now - timedelta(days=3), now) is not None
