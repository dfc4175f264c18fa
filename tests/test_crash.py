"""Crash safety: `run-once` killed with SIGKILL at many points, then run again.

Each trial runs monitor as a real process against a real SMTP server and a real
SQLite file (and, in a second round, a real PostgreSQL database), kills it at one
point of the cycle (judging, building, putting the digest in the outbox,
writing files, sending, marking it sent, after the commit, or at a random
moment), then lets it run normally, adds one new article and runs once more.
Over all trials: every relevant story reaches the reader, no story is in two
different digests, a resend carries the original Message-ID and bytes, and no
half-written digest file is left behind.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest_pg import PgServer, drop_database, new_database, pg_server
from conftest_smtp import SmtpServer, add_smtp, free_port

__all__ = ["pg_server"]  # a fixture, used by name

REPO = Path(__file__).resolve().parent.parent
CRASH_HOOK = Path(__file__).resolve().parent / "crash"
JAPANESE_ARTICLE = Path(__file__).resolve().parent / "data" / "ja_softbank_llm.txt"

# About 20 s of real processes killed and rerun: `pytest -m "not slow"` leaves them out
# while iterating; the README's test command (and CI) runs them.
pytestmark = pytest.mark.slow

# module:attribute:before|after, in the order a cycle reaches them.
CRASH_POINTS = (
    "monitor.pipeline:judge:after",
    "monitor.pipeline:build_digest:after",
    "monitor.store.outbox:OutboxMixin.add_digest:after",
    "monitor.store.outbox:OutboxMixin.record_digest_run:after",
    "monitor.fsutil:write_atomically:before",
    "monitor.fsutil:write_atomically:after",
    "monitor.mail:send:before",
    "monitor.mail:send:after",  # the server has the message; the store does not know yet
    "monitor.store.outbox:OutboxMixin.mark_digest_sent:after",
    "monitor.deliver:flush_outbox:after",
)
RANDOM_TRIALS = 4
HEADLINE = re.compile(r"^\d+\. (?:\[Follow-up\] )?(.+)$", re.MULTILINE)


def _run(project: Path, env: dict[str, str], *, kill_after: float | None = None) -> int:
    command = [sys.executable, "-m", "monitor", "--config", str(project / "config.toml")]
    process = subprocess.Popen(
        [*command, "run-once"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        if kill_after is not None:
            try:
                process.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    if process.returncode > 0:
        raise AssertionError(stderr.decode("utf-8", "replace"))
    return process.returncode


def _trial(
    base: Path,
    name: str,
    crash_at: str | None,
    kill_after: float | None,
    database: str | None,
) -> dict:
    project = base / name
    shutil.copytree(base / "template", project)
    if database is not None:  # a PostgreSQL state: this trial's own database
        config = project / "config.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace('state = "state/monitor.db"', f'state = "{database}"'))
    server = SmtpServer(free_port())
    server.start()
    try:
        add_smtp(project / "config.toml", server.port)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CRASH_HOOK), str(REPO)])}
        crashing = {**env, "MONITOR_CRASH_AT": crash_at} if crash_at else env
        first = _run(project, crashing, kill_after=kill_after)
        assert _run(project, env) == 0
        shutil.copy(JAPANESE_ARTICLE, project / "seeds" / "005_ja.txt")
        assert _run(project, env) == 0
        # No wait needed: the server records a message before it answers 250.
        messages = [m.parsed() for m in server.messages]
    finally:
        server.stop()
    return {
        "first_exit": first,
        "messages": messages,
        "raw": [m.data for m in server.messages],
        "leftovers": sorted(p.name for p in (project / "digests").glob(".*")),
        "html_files": sorted(
            p for p in (project / "digests").glob("*.html") if p.name != "index.html"
        ),
        "index": (project / "digests" / "index.html").read_text(encoding="utf-8"),
    }


# Under `pytest -n`, each backend's tests share one worker process: split over
# two, the trials behind them would run twice.
BACKENDS = [pytest.param(name, marks=pytest.mark.xdist_group(f"crash-{name}"))
            for name in ("sqlite", "postgresql")]  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def trials(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, dict]]:
    server: PgServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
    base = tmp_path_factory.mktemp(f"crash-{request.param}")
    template = base / "template"
    template.mkdir()
    shutil.copy(REPO / "config.toml", template / "config.toml")
    shutil.copytree(REPO / "seeds", template / "seeds")
    # Warm the encoder's fast-loading cache once, so every trial starts quickly.
    subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(template / "config.toml"), "preview"],
        cwd=template,
        check=True,
        capture_output=True,
    )
    shutil.rmtree(template / "state" / "monitor.db", ignore_errors=True)
    for leftover in (template / "state").glob("monitor.db*"):
        leftover.unlink()
    rng = random.Random(20261123)
    plans = [(f"point{n}", point, None) for n, point in enumerate(CRASH_POINTS)]
    plans += [(f"random{n}", None, rng.uniform(0.3, 2.0)) for n in range(RANDOM_TRIALS)]
    databases = {name: new_database(server) if server else None for name, _, _ in plans}
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                f"{name} ({point or f'after {delay:.2f} s'})": pool.submit(
                    _trial,
                    base,
                    name,
                    point,
                    delay,
                    server.url(databases[name]) if server and databases[name] else None,
                )
                for name, point, delay in plans
            }
            yield {label: future.result() for label, future in futures.items()}
    finally:
        for database in databases.values():
            if server and database:
                drop_database(server, database)


def test_every_crash_point_was_reached(trials: dict[str, dict]) -> None:
    for label, trial in trials.items():
        if "random" not in label:
            assert trial["first_exit"] == -signal.SIGKILL, f"{label}: the crash point never ran"


def test_no_story_is_lost_or_in_two_digests(trials: dict[str, dict]) -> None:
    for label, trial in trials.items():
        digests_of_story: dict[str, set[str]] = defaultdict(set)
        for message in trial["messages"]:
            text = message.get_body(("plain",)).get_content()
            for headline in HEADLINE.findall(text):
                digests_of_story[headline.strip()].add(message["Message-ID"])
        assert len(digests_of_story) == 5, f"{label}: {sorted(digests_of_story)}"
        doubled = {story: ids for story, ids in digests_of_story.items() if len(ids) > 1}
        assert not doubled, f"{label}: stories in two digests: {doubled}"


def test_a_resend_is_the_same_message(trials: dict[str, dict]) -> None:
    resent = 0
    for label, trial in trials.items():
        by_id: dict[str, set[bytes]] = defaultdict(set)
        for message, raw in zip(trial["messages"], trial["raw"], strict=True):
            by_id[message["Message-ID"]].add(raw)
        assert all(len(versions) == 1 for versions in by_id.values()), label
        assert len(by_id) == 2, f"{label}: expected two digests, got {sorted(by_id)}"
        resent += len(trial["messages"]) - len(by_id)
    # Killing after the server accepted (and before the commit) must cause a resend.
    assert resent >= 2


def test_no_half_written_digest_is_left(trials: dict[str, dict]) -> None:
    for label, trial in trials.items():
        assert trial["leftovers"] == [], label
        assert len(trial["html_files"]) == 2, label
        for path in trial["html_files"]:
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), label
            assert f'href="{path.name}"' in trial["index"], label
        assert trial["index"].rstrip().endswith("</html>"), label
