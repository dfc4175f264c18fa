"""The daemon's jobs (monitor/daemon_jobs.py) run in-process on a real SQLite file and seeds.

`tests/test_daemon.py` runs them inside the real daemon; these call one job at a
time and read the line it logs, as a reader of the journal would.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from conftest_smtp import SmtpServer, add_smtp, smtp_server

from monitor.config import load
from monitor.daemon_jobs import Jobs, one_line
from monitor.schedule import digest_trigger

__all__ = ["smtp_server"]  # a fixture, used by name


def _jobs(project: Path) -> Jobs:
    settings = load(project / "config.toml")
    return Jobs(settings, digest_trigger(settings))


def _logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """The daemon's log lines (level, message) since the last call."""
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "monitor.scheduler"]
    caplog.clear()
    return lines


def test_the_digest_job_delivers_the_seeds_once_then_has_nothing_new(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.scheduler")
    jobs = _jobs(project)
    jobs.digest()
    [(level, line)] = _logged(caplog)
    assert re.fullmatch(r"digest \d{4}-\d{2}-\d{2}: 4 stories, delivered", line), line
    jobs.digest()
    [(level, line)] = _logged(caplog)
    assert level == "INFO" and line.startswith("digest: nothing new since the last digest ("), line


def test_the_poll_job_says_what_it_collected(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.scheduler")
    _jobs(project).poll()
    [(level, line)] = _logged(caplog)
    assert level == "INFO" and line.startswith("poll: 5 new documents"), line


def test_a_digest_held_after_a_permanent_failure_is_logged_once_not_every_minute(
    project: Path, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp_server.reply = "554 5.7.1 rejected"
    add_smtp(project / "config.toml", smtp_server.port)
    caplog.set_level(logging.INFO, logger="monitor.scheduler")
    jobs = _jobs(project)
    jobs.digest()
    [(_, line), (level, error)] = _logged(caplog)
    assert line.endswith("4 stories, waiting in the outbox"), line
    assert level == "ERROR" and error.endswith("rejected; kept in the outbox, not retried")
    for _ in range(3):  # the retry job, once a minute
        jobs.retry()
    [(level, held)] = _logged(caplog)
    assert level == "ERROR" and "held after a permanent failure" in held, held


def test_an_error_is_one_line() -> None:
    assert one_line(ValueError("first\nsecond")) == "first; second"
    assert one_line(ValueError()) == "ValueError"
