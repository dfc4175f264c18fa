"""Several `monitor run` workers on one PostgreSQL database, as real processes, against a
farm of feeds on 127.0.0.1 (../shared/tools/feedfarm.py) and a real SMTP server."""

from __future__ import annotations

import collections
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pgcluster
import pytest
from conftest_pg import (
    PgServer,
    new_database,
    pg_server,
    pg_target,
    start_cluster,
    stop_cluster,
    target_for,
)
from conftest_smtp import SmtpServer, add_smtp, free_port, smtp_server
from test_daemon import Daemon, daemons, set_schedule

from monitor.settings import PostgresTarget
from monitor.store import Store

__all__ = ["daemons", "pg_server", "pg_target", "smtp_server"]  # fixtures, used by name

# ../shared next to the checkout (as in CI), else the machine's /work/shared.
FEEDFARM = next(
    (
        shared / "tools" / "feedfarm.py"
        for shared in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))
        if (shared / "tools" / "feedfarm.py").exists()
    ),
    Path("../shared/tools/feedfarm.py"),
)
FARM_FEEDS = 300
FARM_ITEMS = 10
# The fault tests' farm: as many feeds (several batches of leases), fewer items each,
# since what they assert (nothing lost, nothing judged twice) does not depend on how many.
FAULT_ITEMS = 3
DIGEST_EVERY = 20  # seconds: the digest slots are :00, :20 and :40 of each minute

pytestmark = pytest.mark.skipif(not FEEDFARM.exists(), reason=f"{FEEDFARM} is absent")

# Under `pytest -n`, these tests run two at a time, not four: each starts several
# daemons that judge thousands of entries against a lease or a poll interval, and
# four at once on two cores left the intervals too short for a round of polling.
# Each pair is one long test and one shorter one.
WORKERS_A = pytest.mark.xdist_group("workers-a")
WORKERS_B = pytest.mark.xdist_group("workers-b")


class Farm:
    """feedfarm.py serving ``feeds`` feeds; counts the requests in its log."""

    def __init__(self, directory: Path, feeds: int, items: int) -> None:
        self.directory, self.port = directory, free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(FEEDFARM), "serve", "--feeds", str(feeds), "--items", str(items),
             "--port", str(self.port), "--dir", str(directory)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        assert "serving" in self.process.stdout.readline()

    def requests(self) -> collections.Counter[str]:
        """Requests per feed path so far (200 and 304 alike: each is a fetch)."""
        log = self.directory / "requests.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return collections.Counter(line.split()[1] for line in lines)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def farm(tmp_path: Path) -> Iterator[Farm]:
    started = Farm(tmp_path / "farm", FARM_FEEDS, FARM_ITEMS)
    yield started
    started.stop()


@pytest.fixture
def fault_farm(tmp_path: Path) -> Iterator[Farm]:
    started = Farm(tmp_path / "farm", FARM_FEEDS, FAULT_ITEMS)
    yield started
    started.stop()


def worker_config(project: Path, target: PostgresTarget, farm: Farm, lease_minutes: float) -> Path:
    """The project's config with a PostgreSQL state, the farm's feeds and a fast schedule."""
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('state = "state/monitor.db"', f'state = "{target.url}"')
    text = text.replace(
        'corpus = ["seeds"]', f'corpus = []\nfeeds_opml = "{farm.directory / "feeds.opml"}"'
    )
    text = text.replace("poll_interval_minutes = 60", "poll_interval_minutes = 1")
    # The farm's items are dated 2023: take them as news, not as a first poll's backlog.
    text = text.replace("backfill_days = 2", "backfill_days = 3650")
    config.write_text(text, encoding="utf-8")
    set_schedule(config, f"*/{DIGEST_EVERY} * * * * *")
    text = config.read_text(encoding="utf-8")
    text = text.replace("[schedule]\n", f"[schedule]\nlease_minutes = {lease_minutes}\n")
    config.write_text(text, encoding="utf-8")
    return config


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, every: float = 0.5
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def polled(target: PostgresTarget) -> dict[str, datetime]:
    try:
        with Store(target, readonly=True) as store:
            return store.feed_polls()
    except Exception:  # the schema may not exist yet
        return {}


def digests_and_runs(target: PostgresTarget) -> tuple[list[tuple[str, str]], list[datetime]]:
    with Store(target, readonly=True) as store:
        stories = store.db.execute("SELECT digest_id, story_id FROM digest_stories").fetchall()
        runs = [r[0] for r in store.db.execute("SELECT ran_at FROM digest_runs ORDER BY ran_at")]
    return stories, runs


def empty_slot_after_the_last_digest(target: PostgresTarget) -> bool:
    """Whether a digest run found nothing new in a slot after the last digest with stories."""
    with Store(target, readonly=True) as store:
        runs = store.db.execute("SELECT ran_at, digest_id FROM digest_runs").fetchall()
    last = max((ran_at for ran_at, digest_id in runs if digest_id is not None), default=None)
    if last is None:
        return False
    slot = int(last.astimezone(UTC).timestamp()) // DIGEST_EVERY
    return any(
        digest_id is None and int(ran_at.astimezone(UTC).timestamp()) // DIGEST_EVERY > slot
        for ran_at, digest_id in runs
    )


def assert_one_digest_per_slot(runs: list[datetime]) -> None:
    """Between two recorded digest runs there is always a slot boundary: no slot served twice."""
    slots = [int(run.astimezone(UTC).timestamp()) // DIGEST_EVERY for run in runs]
    assert slots == sorted(set(slots)), runs


def start_workers(daemons: list[Daemon], project: Path, count: int) -> list[Daemon]:
    started = [Daemon(project) for _ in range(count)]
    daemons.extend(started)
    return started


@pytest.mark.slow
@WORKERS_A
def test_three_workers_fetch_each_feed_once_per_interval_and_send_one_digest_per_slot(
    project: Path,
    pg_target: PostgresTarget,
    farm: Farm,
    smtp_server: SmtpServer,
    daemons: list[Daemon],
) -> None:
    config = worker_config(project, pg_target, farm, lease_minutes=2)
    add_smtp(config, smtp_server.port)
    workers = start_workers(daemons, project, 3)

    wait_until(lambda: len(polled(pg_target)) == FARM_FEEDS, 150, "every feed polled once")
    first_round = polled(pg_target)
    counts = farm.requests()
    assert len(counts) == FARM_FEEDS and set(counts.values()) == {1}, counts.most_common(3)

    # The second interval: every feed again, once.
    wait_until(
        lambda: all(polled(pg_target)[s] > first_round[s] for s in first_round),
        150, "every feed polled a second time",
    )  # fmt: skip
    counts = farm.requests()
    assert set(counts.values()) == {2}, counts.most_common(3)

    # Each worker did part of the polling.
    rows = Store(pg_target, readonly=True).workers(datetime.now(UTC))
    assert len(rows) == 3
    for worker in workers:
        assert "poll:" in worker.wait_for("poll:", 5)

    wait_until(lambda: len(smtp_server.messages) >= 1, 60, "a digest by mail")
    # One more slot after the last digest with stories, which finds nothing new.
    wait_until(
        lambda: empty_slot_after_the_last_digest(pg_target), 3 * DIGEST_EVERY,
        "a digest slot that finds nothing new",
    )  # fmt: skip
    stories, runs = digests_and_runs(pg_target)
    assert_one_digest_per_slot(runs)
    story_ids = [story for _, story in stories]
    assert len(story_ids) == len(set(story_ids)), "a story went into two digests"
    assert len(smtp_server.messages) == len({digest for digest, _ in stories})
    message_ids = [m.parsed()["Message-ID"] for m in smtp_server.messages]
    assert len(message_ids) == len(set(message_ids))

    for worker in workers:
        assert worker.stop() == 0
    assert Store(pg_target, readonly=True).workers(datetime.now(UTC)) == []


@pytest.mark.slow
@WORKERS_B
def test_a_killed_lease_holder_s_feeds_are_polled_by_another_after_the_lease_expires(
    project: Path, pg_target: PostgresTarget, fault_farm: Farm, daemons: list[Daemon]
) -> None:
    farm = fault_farm
    lease_seconds = 12
    worker_config(project, pg_target, farm, lease_minutes=lease_seconds / 60)
    (first,) = start_workers(daemons, project, 1)

    def leases_of_first() -> list[tuple[str, datetime]]:
        try:
            with Store(pg_target, readonly=True) as store:
                return store.db.execute(
                    "SELECT source_id, leased_until FROM feed_leases WHERE worker LIKE ?",
                    (f"%:{first.process.pid}",),
                ).fetchall()
        except Exception:
            return []

    wait_until(lambda: bool(leases_of_first()), 60, "the first worker to hold leases", 0.02)
    first.process.kill()  # SIGKILL mid-batch: its leases stay behind
    first.process.wait()
    held = dict(leases_of_first())
    assert held
    (second,) = start_workers(daemons, project, 1)

    wait_until(lambda: len(polled(pg_target)) == FARM_FEEDS, 150, "every feed polled")
    polls = polled(pg_target)
    for source_id, leased_until in held.items():
        assert polls[source_id] >= leased_until, (source_id, polls[source_id], leased_until)
    counts = farm.requests()
    assert len(counts) == FARM_FEEDS
    assert max(counts.values()) <= 2  # a feed fetched by the dead worker, then once again
    held_paths = {re.sub(r"^feed:http://[^/]+", "", s) for s in held}
    assert all(counts[path] >= 1 for path in held_paths)
    assert second.stop() == 0


def pending(target: PostgresTarget) -> int:
    """Items prepared by a worker and not yet judged by the leader."""
    from monitor.store import PENDING_ROWS

    with Store(target, readonly=True) as store:
        return store.db.execute(f"SELECT COUNT(*) FROM items WHERE {PENDING_ROWS}").fetchone()[0]


def lock_holders(server: PgServer, key: int) -> list[int]:
    """Pids (from application_name) of the monitor sessions holding advisory lock ``key``."""
    rows = server.admin(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted"
        " AND (l.classid::bigint << 32 | l.objid::bigint) = %s",
        (key,),
    )
    found = (re.search(r" pid (\d+) ", name or "") for (name,) in rows)
    return [int(m.group(1)) for m in found if m]


def documents_and_items(target: PostgresTarget) -> tuple[int, int, int]:
    with Store(target, readonly=True) as store:
        documents = store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        items = store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        parts = store.db.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT doc_key, part FROM items) AS p"
        ).fetchone()[0]
    return documents, items, parts


@pytest.mark.slow
@WORKERS_A
def test_the_judging_leader_killed_mid_pass_loses_nothing_and_judges_nothing_twice(
    project: Path, pg_server: PgServer, pg_target: PostgresTarget, fault_farm: Farm,
    daemons: list[Daemon],
) -> None:  # fmt: skip
    from monitor.store.postgres import LEAD_KEY, WRITE_KEY

    farm = fault_farm
    worker_config(project, pg_target, farm, lease_minutes=0.2)
    workers = start_workers(daemons, project, 2)
    by_pid = {worker.process.pid: worker for worker in workers}

    def leader() -> int | None:
        rows = pg_server.admin(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND (l.classid::bigint << 32 | l.objid::bigint) = %s",
            (WRITE_KEY,),
        )
        for (name,) in rows:
            found = re.search(r" pid (\d+) ", name or "")
            if found and int(found.group(1)) in by_pid:
                return int(found.group(1))
        return None

    deadline = time.monotonic() + 90
    while (pid := leader()) is None:
        assert time.monotonic() < deadline, "no worker ever led a judging pass"
        time.sleep(0.02)
    by_pid[pid].process.kill()  # SIGKILL inside the exclusive transaction
    by_pid[pid].process.wait()
    survivor = next(w for p, w in by_pid.items() if p != pid)

    wait_until(lambda: len(polled(pg_target)) == FARM_FEEDS, 150, "every feed polled")
    # The survivor leads now and judges what both prepared, the dead leader's lost pass too.
    wait_until(lambda: pending(pg_target) == 0, 150, "every prepared item judged")
    # The server drops a dead process's session locks once its connection closes, which a
    # SIGKILLed daemon's orphaned pool workers delay until they see the parent gone
    # (prepare.ORPHAN_CHECK_SECONDS): one CI run saw a second pid beside the survivor's here.
    wait_until(
        lambda: lock_holders(pg_server, LEAD_KEY) == [survivor.process.pid], 30,
        "the survivor alone holding the lead",
    )  # fmt: skip
    documents, items, parts = documents_and_items(pg_target)
    assert documents == FARM_FEEDS * FAULT_ITEMS  # every entry of every feed, once
    assert items == parts  # no story of a document judged twice
    assert survivor.process.poll() is None
    assert survivor.stop() == 0


@pytest.mark.slow
@WORKERS_B
def test_workers_ride_out_a_database_restart(
    project: Path, tmp_path: Path, fault_farm: Farm, daemons: list[Daemon]
) -> None:
    from monitor.store.postgres import LEAD_KEY, PROCESS_KEY

    farm = fault_farm
    server, directory = start_cluster()  # private: restarting it disturbs no other test
    try:
        target = target_for(server, new_database(server), tmp_path / "cache")
        worker_config(project, target, farm, lease_minutes=0.5)
        workers = start_workers(daemons, project, 2)
        wait_until(lambda: len(polled(target)) >= FARM_FEEDS // 3, 90, "polling under way")
        assert server.directory is not None
        pgcluster.restart(server.directory)  # the connections of both workers drop
        restarted = datetime.now(UTC)

        wait_until(lambda: len(polled(target)) == FARM_FEEDS, 150, "every feed polled")
        wait_until(
            lambda: all(p > restarted for p in polled(target).values()), 150,
            "a full round of polling after the restart",
        )  # fmt: skip
        assert all(worker.process.poll() is None for worker in workers)
        # The locks the restart dropped are held again: one judging leader, both processing.
        pids = sorted(worker.process.pid for worker in workers)
        wait_until(lambda: pending(target) == 0, 90, "every prepared item judged")
        (leader,) = lock_holders(server, LEAD_KEY)
        assert leader in pids
        wait_until(
            lambda: sorted(lock_holders(server, PROCESS_KEY)) == pids, 90,
            "both workers holding the processing lock again",
        )  # fmt: skip
        documents, items, parts = documents_and_items(target)
        assert documents == FARM_FEEDS * FAULT_ITEMS and items == parts
        assert max(farm.requests().values()) <= 3  # two rounds, plus a batch cut off mid-way
        for worker in workers:
            assert worker.stop() == 0
    finally:
        for daemon in daemons:
            daemon.kill()
        stop_cluster(directory)
