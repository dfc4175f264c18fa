"""A digest waiting in the outbox goes out first: before a run collects, beside a daemon's poll.

Real processes (``python -m monitor``), a real SMTP server, a real HTTP server
on 127.0.0.1 and the SIGKILL hook of ``tests/crash`` (see test_crash.py).
"""

from __future__ import annotations

import signal
from pathlib import Path

from conftest_feeds import FeedServer, feed_server
from conftest_smtp import SmtpServer, add_smtp, smtp_server
from monitor_process import run_monitor
from test_daemon import Daemon, add_hanging_feed, daemons, start

from monitor.store import Store

__all__ = ["daemons", "feed_server", "smtp_server"]  # fixtures, used by name


def _leave_a_digest_waiting(project: Path, smtp: SmtpServer) -> None:
    """A run killed just before sending: the digest is built, its files written, not sent."""
    add_smtp(project / "config.toml", smtp.port)
    killed = run_monitor(project, "run-once", crash_at="monitor.mail:send:before")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with Store(project / "state" / "monitor.db") as opened:
        assert [d.status for d in opened.pending_digests()] == ["pending"]
    assert smtp.messages == []


# -- 3. a waiting digest goes out first ------------------------------------------


def test_a_waiting_digest_is_delivered_by_a_run_then_killed_while_collecting(
    project: Path, smtp_server: SmtpServer
) -> None:
    _leave_a_digest_waiting(project, smtp_server)

    killed = run_monitor(project, "run-once", crash_at="monitor.pipeline:collect:before")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    smtp_server.wait_for(1, timeout=10)
    assert len(smtp_server.messages) == 1

    # It was marked sent before the kill: the next run does not send it again.
    again = run_monitor(project, "run-once")
    assert again.returncode == 0, again.stderr
    assert len(smtp_server.messages) == 1
    with Store(project / "state" / "monitor.db") as opened:
        assert opened.pending_digests() == []


def test_the_daemon_delivers_a_waiting_digest_while_its_poll_hangs(
    project: Path, smtp_server: SmtpServer, feed_server: FeedServer, daemons: list[Daemon]
) -> None:
    _leave_a_digest_waiting(project, smtp_server)
    asked, release = add_hanging_feed(feed_server, project, hold_seconds=60, total_timeout=90)
    try:
        daemon = start(daemons, project)
        daemon.wait_for("started:")
        assert asked.wait(30), daemon.stderr  # the start-up poll is stuck in the fetch
        smtp_server.wait_for(1, timeout=30)  # and yet the waiting digest goes out
        daemon.wait_for("delivered to")
        assert daemon.stop() == 0
        assert "abandoned the poll job" in daemon.stderr
    finally:
        release.set()
    assert len(smtp_server.messages) == 1
