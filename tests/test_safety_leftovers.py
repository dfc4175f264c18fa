"""Leftovers and log lines: a killed run leaves nothing behind; one log record, one line.

Real processes (``python -m monitor``), a real HTTP server on 127.0.0.1 and
the SIGKILL hook of ``tests/crash`` (see test_crash.py).
"""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from conftest_feeds import FeedServer, documents_of, feed_server, make_settings, poll, rss, store
from monitor_process import run_monitor

from monitor.logformat import OneLineFormatter, one_line, to_journal
from monitor.store import Store

__all__ = ["feed_server", "store"]  # fixtures, used by name

LINE = re.compile(r"^(?:<[2-7]>)?monitor: (?:DEBUG|INFO|WARNING|ERROR|CRITICAL|error): ")


# -- 4. leftovers --------------------------------------------------------------


def test_no_half_written_encoder_cache_survives_a_restart(project: Path) -> None:
    # Killed while writing the encoder cache: after the first array of it.
    killed = run_monitor(project, "run-once", crash_at="numpy:save:after")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    cache = project / "state" / "cache"
    assert [p.name for p in cache.glob(".tmp-*")], "the kill did not hit the cache build"
    (cache / ".tmp-oldstyle").mkdir()  # as earlier versions named them

    done = run_monitor(project, "run-once")
    assert done.returncode == 0, done.stderr
    assert list(cache.glob(".tmp-*")) == []
    assert [p for p in cache.iterdir() if p.name.startswith("usem3-")]  # the cache itself


def test_a_cache_being_built_by_a_live_process_is_left_alone(project: Path) -> None:
    cache = project / "state" / "cache"
    cache.mkdir(parents=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = cache / f".tmp-{sleeper.pid}-abc"
        live.mkdir()
        done = run_monitor(project, "run-once")
        assert done.returncode == 0, done.stderr
        assert live.is_dir()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_very_long_feed_title_is_clipped_like_a_headline(
    tmp_path: Path, feed_server: FeedServer, store: Store
) -> None:
    url = feed_server.static("/long.xml", rss("Title " * 2000, [("A", "https://x.example/a")]))
    run = poll(make_settings(tmp_path, [url]), store)
    (document,) = documents_of(run, url)
    assert 250 < len(document.source_name) <= 300
    assert document.source_name.endswith("…")


# -- 4 and issue 11.9. log lines -------------------------------------------------


def test_every_log_record_is_one_line_with_controls_escaped() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter())
    logger = logging.getLogger("monitor.test-one-line")
    logger.handlers[:], logger.propagate = [handler], False
    logger.warning("feed said %s", "line one\nmonitor: ERROR: forged\r\x1b[31mred\u2028")
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        logger.exception("it broke")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert lines[0] == (
        "monitor: WARNING: feed said line one\\nmonitor: ERROR: forged\\r\\x1b[31mred\\u2028"
    )
    assert lines[1].startswith("monitor: ERROR: it broke\\nTraceback")
    assert "ValueError: first\\nsecond" in lines[1]
    assert one_line("plain 日本語") == "plain 日本語"


def test_under_systemd_lines_carry_syslog_priorities(project: Path) -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + '\n[[feeds]]\nurl = "http://127.0.0.1:9/none.xml"\n', "utf-8")
    done = run_monitor(project, "run-once", env={"INVOCATION_ID": "0123456789abcdef"})
    lines = done.stderr.splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines
    warnings = [line for line in lines if "WARNING" in line]
    infos = [line for line in lines if ": INFO: " in line]
    assert warnings and all(line.startswith("<4>") for line in warnings), lines
    assert infos and all(line.startswith("<6>") for line in infos), lines

    # Outside systemd, no prefixes.
    plain = run_monitor(project, "run-once")
    assert plain.stderr and not re.search(r"^<\d>", plain.stderr, re.MULTILINE), plain.stderr


def test_journal_stream_counts_only_when_it_names_stderr(tmp_path: Path, monkeypatch) -> None:
    with open(tmp_path / "err", "w") as stream:
        st = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino}")
        assert to_journal(stream)
        monkeypatch.setenv("JOURNAL_STREAM", f"{st.st_dev}:{st.st_ino + 1}")
        monkeypatch.setenv("INVOCATION_ID", "x")  # redirected elsewhere: no prefixes
        assert not to_journal(stream)
    formatter = OneLineFormatter(journal=True)
    for level, prefix in ((logging.ERROR, "<3>"), (logging.DEBUG, "<7>")):
        record = logging.LogRecord("monitor", level, __file__, 1, "m\nn", None, None)
        assert formatter.format(record).startswith(prefix)
