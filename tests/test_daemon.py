"""`monitor run`, the daemon, as a real subprocess: schedule, catch-up, lock, systemd, SIGTERM.

Each test starts ``python -m monitor run`` against a project directory, talks
to it through real parts (an aiosmtpd server, a Unix datagram socket, a local
HTTP server, the lock file) and stops it with SIGTERM, expecting exit 0.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest_feeds import FeedServer, feed_server
from conftest_smtp import SmtpServer, add_smtp, smtp_server

from monitor import sdnotify
from monitor.config import load
from monitor.errors import ConfigError
from monitor.schedule import digest_trigger, missed_digest
from monitor.store import Store

__all__ = ["feed_server", "smtp_server"]  # fixtures, used by name

STOP_DEADLINE = 10.0  # the daemon promises to exit within this after SIGTERM


class Daemon:
    """A `monitor run` subprocess whose stderr is read line by line in a thread."""

    def __init__(
        self, project: Path, env: dict[str, str] | None = None, as_of: datetime | None = None
    ) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        clock = ["--as-of", as_of.isoformat()] if as_of is not None else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "--config",
                str(project / "config.toml"),
                "run",
                *clock,
            ],
            cwd=project,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            # Its own process group, so that kill() also ends the feed-parsing pool of a
            # daemon killed with SIGKILL: those processes outlive it otherwise.
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    @property
    def stderr(self) -> str:
        with self._changed:
            return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Wait until a logged line contains ``text``; return that line."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no log line with {text!r}; stderr:\n{self.stderr}")
                self._changed.wait(min(left, 0.2))

    def stop(self) -> int:
        """SIGTERM; return the exit code, which must come within STOP_DEADLINE seconds."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"still running {STOP_DEADLINE} s after SIGTERM; stderr:\n{self.stderr}"
            ) from None
        self._reader.join(5)
        assert "Traceback" not in self.stderr, self.stderr
        return code

    def kill(self) -> None:
        """Make sure nothing is left running, whatever the test did."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pid in _our_group(self.process.pid):  # what it started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._reader.join(5)


def _our_group(group: int) -> list[int]:
    """The processes of process group ``group`` that run this Python (Linux's /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        # The fields after the command's name: state, ppid, pgrp, ...
        if int(stat.rsplit(")", 1)[1].split()[2]) == group and command == sys.executable.encode():
            found.append(int(entry.name))
    return found


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    """Started daemons go in this list; every one of them is killed at teardown."""
    started: list[Daemon] = []
    yield started
    for daemon in started:
        daemon.kill()


def start(
    daemons: list[Daemon],
    project: Path,
    env: dict[str, str] | None = None,
    as_of: datetime | None = None,
) -> Daemon:
    daemon = Daemon(project, env, as_of)
    daemons.append(daemon)
    return daemon


def set_schedule(config: Path, cron: str, timezone: str = "UTC") -> None:
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ('digest_cron = "0 7 * * *"', f'digest_cron = "{cron}"'),
        ('timezone = "Asia/Tokyo"\n\n# ----', f'timezone = "{timezone}"\n\n# ----'),
    ):
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")


def record_digest_run(project: Path, when: datetime) -> None:
    with Store(project / "state" / "monitor.db") as store, store.transaction():
        store.record_digest_run(when, None)


def assert_four_story_digest(received: SmtpServer) -> None:
    message = received.messages[0].parsed()
    subject = str(message["Subject"])
    types = {part.get_content_type() for part in message.walk()}
    assert "4 new stories" in subject or {"text/plain", "text/html"} <= types, (subject, types)
    assert {"text/plain", "text/html"} <= types


# -- the schedule --------------------------------------------------------------


# The clock the daemon runs by: the wall clock, and two moments that once broke
# this test (20:00 UTC is already tomorrow in Tokyo; 23:59:59 in Tokyo turns into
# the next day between start-up and the digest).
CLOCKS = {
    "wall-clock": None,
    "20:00-utc": datetime(2026, 12, 1, 20, 0, 0, tzinfo=UTC),
    "23:59:59-tokyo": datetime(2026, 12, 1, 23, 59, 59, tzinfo=ZoneInfo("Asia/Tokyo")),
}


@pytest.mark.parametrize("as_of", CLOCKS.values(), ids=CLOCKS.keys())
def test_the_digest_goes_out_on_a_six_field_schedule_and_sigterm_exits_0(
    project: Path, smtp_server: SmtpServer, daemons: list[Daemon], as_of: datetime | None
) -> None:
    config = project / "config.toml"
    add_smtp(config, smtp_server.port)
    due = ((as_of or datetime.now(UTC)) + timedelta(seconds=6)).astimezone(UTC)
    set_schedule(config, f"{due.second} {due.minute} {due.hour} * * *")
    # Digests are named by the day in the digest's time zone, not the schedule's.
    digest_zone = ZoneInfo(load(config).digest.timezone)
    day = f"{due.astimezone(digest_zone):%Y-%m-%d}"

    daemon = start(daemons, project, as_of=as_of)
    started = daemon.wait_for("started:")
    assert f"next digest {due:%Y-%m-%d %H:%M:%S} UTC" in started, started
    assert "catch-up: no digest has run yet" in daemon.stderr

    smtp_server.wait_for(1, timeout=40)
    assert_four_story_digest(smtp_server)
    daemon.wait_for(f"digest {day}: 4 stories, delivered")
    assert daemon.stop() == 0
    assert "received SIGTERM; stopping" in daemon.stderr
    assert (project / "digests" / f"{day}.html").exists()  # file delivery too
    assert len(smtp_server.messages) == 1


# -- catch-up ------------------------------------------------------------------


def test_a_missed_digest_is_sent_once_at_start_up(
    project: Path, smtp_server: SmtpServer, daemons: list[Daemon]
) -> None:
    config = project / "config.toml"
    add_smtp(config, smtp_server.port)
    set_schedule(config, "0 7 * * *")
    record_digest_run(project, datetime.now(UTC) - timedelta(days=2))

    first = start(daemons, project)
    first.wait_for("catch-up: the digest due")
    smtp_server.wait_for(1, timeout=40)
    assert_four_story_digest(smtp_server)
    first.wait_for(": 4 stories, delivered")
    assert first.stop() == 0

    second = start(daemons, project)
    decided = second.wait_for("catch-up:")
    assert "catch-up: not needed" in decided, decided
    second.wait_for("poll:")  # its start-up job has run: anything it would send is sent
    time.sleep(1.0)
    assert second.stop() == 0
    assert len(smtp_server.messages) == 1


def test_a_fresh_install_waits_for_the_first_digest_time(
    project: Path, daemons: list[Daemon]
) -> None:
    set_schedule(project / "config.toml", "0 7 * * *")
    daemon = start(daemons, project)
    decided = daemon.wait_for("catch-up:")
    assert "no digest has run yet; the first is due" in decided and "07:00 UTC" in decided
    daemon.wait_for("poll: 5 new documents")
    assert daemon.stop() == 0
    assert not (project / "digests").exists()


# -- the lock ------------------------------------------------------------------


def test_run_once_is_refused_while_the_daemon_runs(project: Path, daemons: list[Daemon]) -> None:
    daemon = start(daemons, project)
    daemon.wait_for("started:")
    command = [sys.executable, "-m", "monitor", "--config", str(project / "config.toml")]
    other = subprocess.run(
        [*command, "run-once"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert other.returncode == 1, other.stderr
    (line,) = other.stderr.splitlines()
    assert line.startswith("monitor: error: ") and "(monitor run) is already processing it" in line

    second = subprocess.run(
        [*command, "run"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 1, second.stderr
    assert "is already processing it" in second.stderr and "Traceback" not in second.stderr
    assert daemon.stop() == 0


def test_a_bad_schedule_is_a_config_error(project: Path, daemons: list[Daemon]) -> None:
    set_schedule(project / "config.toml", "0 7 31 2 *")  # valid fields, but no such date
    daemon = start(daemons, project)
    assert daemon.process.wait(30) == 2
    daemon.kill()
    (line,) = daemon.lines
    assert "config.toml: schedule.digest_cron: '0 7 31 2 *' never fires" in line


# -- systemd -------------------------------------------------------------------


def test_systemd_hears_ready_watchdog_and_stopping(project: Path, daemons: list[Daemon]) -> None:
    directory = tempfile.mkdtemp(dir="/tmp")  # AF_UNIX paths are short; tmp_path may not be
    path = os.path.join(directory, "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        listener.bind(path)
        listener.settimeout(30)
        daemon = start(daemons, project, {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"})

        def receive_until(key: str) -> list[str]:
            seen: list[str] = []
            while True:
                lines = listener.recv(4096).decode().splitlines()
                seen.extend(lines)
                if key in lines:
                    return seen

        ready = receive_until("READY=1")
        assert any(line.startswith("STATUS=") for line in ready), ready
        receive_until("WATCHDOG=1")
        receive_until("WATCHDOG=1")  # pings keep coming, every half second
        assert daemon.stop() == 0
        receive_until("STOPPING=1")
    finally:
        listener.close()
        shutil.rmtree(directory, ignore_errors=True)


def test_notify_reaches_an_abstract_socket_and_is_silent_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = f"monitor-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        listener.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.notify("READY=1", "STATUS=up")
        assert listener.recv(100) == b"READY=1\nSTATUS=up"
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)  # nobody listens now: ignored
    assert not sdnotify.notify("WATCHDOG=1")
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert not sdnotify.notify("READY=1")


def test_the_watchdog_interval_is_half_of_watchdog_usec_and_only_for_our_pid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert sdnotify.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert sdnotify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert sdnotify.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))
    assert sdnotify.watchdog_interval() is None


# -- SIGTERM during a long job -----------------------------------------------------


def add_hanging_feed(
    feed_server: FeedServer, project: Path, *, hold_seconds: float, total_timeout: int
) -> tuple[threading.Event, threading.Event]:
    """Add a feed that sends its first bytes, then nothing for ``hold_seconds``.

    Returns (asked, release): ``asked`` is set once a fetch is stuck in it,
    ``release`` lets the server go on at once. The fetch deadline is raised to
    ``total_timeout`` so that only the test decides when the fetch ends.
    """
    asked, release = threading.Event(), threading.Event()

    def hang(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.end_headers()
        request.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        request.wfile.flush()
        asked.set()
        release.wait(hold_seconds)

    url = feed_server.route("/slow.xml", hang)
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("total_timeout = 30", f"total_timeout = {total_timeout}")
    config.write_text(text + f'\n[[feeds]]\nurl = "{url}"\nname = "Slow"\n', encoding="utf-8")
    return asked, release


def test_sigterm_during_a_hanging_fetch_abandons_the_job_and_exits_0(
    project: Path, feed_server: FeedServer, daemons: list[Daemon]
) -> None:
    # A server that stops sending, well within the fetch timeout.
    asked, release = add_hanging_feed(feed_server, project, hold_seconds=30, total_timeout=60)
    try:
        daemon = start(daemons, project)
        daemon.wait_for("started:")
        assert asked.wait(30), daemon.stderr  # the start-up poll is stuck in the fetch
        assert daemon.stop() == 0
        assert "abandoned the poll job" in daemon.stderr
        assert "redone at the next start" in daemon.stderr
    finally:
        release.set()

    # Nothing was lost: the next start gets the lock and does the work again. It is
    # stopped once that poll is done (the feed answers at once now), not in the
    # middle of it: a stop mid-poll is the first daemon's part, with its grace.
    again = start(daemons, project)
    again.wait_for("started:")
    assert "poll: 5 new documents" in again.wait_for("poll:", 60), again.stderr
    assert again.stop() == 0


def test_a_poll_in_which_every_source_failed_is_logged_as_an_error(
    project: Path, feed_server: FeedServer, daemons: list[Daemon]
) -> None:
    # A timer alerts on run-once's exit code; the daemon has none, so its log says it.
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8").replace('corpus = ["seeds"]', 'corpus = ["gone"]')
    url = feed_server.static("/down.xml", b"down", status=500, content_type="text/plain")
    config.write_text(text + f'\n[[feeds]]\nurl = "{url}"\nname = "Down"\n', encoding="utf-8")
    daemon = start(daemons, project)
    line = daemon.wait_for("poll: ")
    assert "ERROR" in line and "every source failed" in line, daemon.stderr
    assert daemon.stop() == 0


# -- the trigger (in-process) ------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "weekday"),
    [
        ("0 7 * * 0", "Sunday"),
        ("0 7 * * 7", "Sunday"),
        ("0 7 * * 1", "Monday"),
        ("0 7 * * 6", "Saturday"),
        ("0 0 7 * * 5", "Friday"),  # six fields, seconds first
        ("0 7 * * 5-7", "Friday"),
    ],
)
def test_weekdays_count_from_sunday_as_in_crontab(project: Path, cron: str, weekday: str) -> None:
    settings = load(project / "config.toml")
    settings = replace(settings, schedule=replace(settings.schedule, digest_cron=cron))
    trigger = digest_trigger(settings)
    monday = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, past 07:00 in Tokyo
    fire = trigger.get_next_fire_time(None, monday)
    assert fire is not None and f"{fire:%A}" == weekday and f"{fire:%H:%M}" == "07:00"


def test_day_of_month_and_weekday_together_mean_either(project: Path) -> None:
    settings = load(project / "config.toml")
    schedule = replace(settings.schedule, digest_cron="0 7 1 * 3", timezone="UTC")
    trigger = digest_trigger(replace(settings, schedule=schedule))
    first = trigger.get_next_fire_time(None, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert first == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # Wednesday, before 1 December
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert second == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # a Tuesday, the 1st


def test_a_backwards_range_is_a_config_error_naming_the_key(project: Path) -> None:
    settings = load(project / "config.toml")
    schedule = replace(settings.schedule, digest_cron="0 7 * * 5-1")
    with pytest.raises(ConfigError, match=r"config\.toml: schedule\.digest_cron: .*backwards"):
        digest_trigger(replace(settings, schedule=schedule))


def test_a_miss_is_a_scheduled_time_after_the_last_run_and_not_after_now() -> None:
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(hour=7, minute=0, second=0, timezone=UTC)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    seven = now.replace(hour=7)
    assert missed_digest(trigger, now - timedelta(hours=3), now) is None
    assert missed_digest(trigger, now - timedelta(hours=6), now) == seven
    assert missed_digest(trigger, seven, now) is None  # the run at 07:00 itself
    assert missed_digest(trigger, now - timedelta(days=3), now) == seven - timedelta(days=2)
    assert missed_digest(trigger, now - timedelta(hours=6), seven) == seven  # due exactly now
