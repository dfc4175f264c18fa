"""Several `monitor run` workers on one PostgreSQL database: leased polling.

Each worker polls in batches: it claims up to ``BATCH`` due feeds (a lease
that expires after ``schedule.lease_minutes``), fetches and parses them,
prepares what they gave (extraction, relevance, fingerprints: everything per
document) and, in the same transaction that keeps it pending for the judging
leader, releases the leases and marks the feeds polled. Then it claims the next batch, until none
is due. Workers polling together take different feeds; a feed whose worker died
is claimed again once its lease has expired; a feed polled less than one poll
interval ago is not due, so each feed is fetched once per interval however
many workers run.

The novelty pass and digest building are the judging leader's
(monitor/leader.py): one worker at a time holds the lead, judges every
pending item in an exclusive transaction (see store/postgres.py) and builds
the digest; a digest slot already served is not served again.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor import runner
from monitor.errors import StoreError
from monitor.pipeline import RunStats
from monitor.prepare import Workers
from monitor.settings import Settings
from monitor.sources.feedlist import configured_feeds, feed_source_id
from monitor.store import Store

if TYPE_CHECKING:
    from monitor.leader import Leadership
    from monitor.store.postgres import SessionLock

log = logging.getLogger("monitor.workers")

#: Feeds claimed at a time: small enough that workers share the load, large enough that
#: each batch keeps the fetcher's connections busy.
BATCH = 64
#: Seconds a judging leader waits, once nothing is due, for other workers' batches to be kept.
IN_FLIGHT_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class Worker:
    """This process as the other workers see it."""

    id: str
    host: str
    pid: int

    @classmethod
    def here(cls) -> Worker:
        host, pid = socket.gethostname(), os.getpid()
        return cls(f"{host}:{pid}", host, pid)

    def beat(self, store: Store, now: datetime, doing: str | None) -> None:
        with store.transaction(exclusive=False):
            store.heartbeat(self.id, self.host, self.pid, now, doing)


def _add(total: RunStats, part: RunStats) -> None:
    total.documents += part.documents
    total.already_seen += part.already_seen
    total.items += part.items
    total.problems.extend(part.problems)
    total.sources += part.sources
    total.failed_sources += part.failed_sources
    for status, count in part.by_status.items():
        total.by_status[status] = total.by_status.get(status, 0) + count
    for stage, seconds in part.seconds.items():
        total.seconds[stage] = total.seconds.get(stage, 0.0) + seconds


def leased_poll(
    store: Store,
    settings: Settings,
    worker: Worker,
    clock: Callable[[], datetime],
    encoder: object = None,
    after_batch: Callable[[], None] | None = None,
) -> RunStats:
    """Poll due feeds batch by batch under leases, and the local corpus once.

    What each batch gave is prepared here (extraction, relevance, fingerprints
    made with ``encoder``) and kept pending for the judging leader;
    ``after_batch`` runs once each batch is kept (the leader judges there).
    """
    feeds, _ = configured_feeds(settings)
    by_id = {feed_source_id(feed.url): feed for feed in feeds}
    lease = timedelta(minutes=settings.schedule.lease_minutes)
    interval = timedelta(minutes=settings.schedule.poll_interval_minutes)
    total = RunStats()
    corpus = settings.corpus  # read once per poll, by each worker (local files)
    # One pool of parser processes for every batch: its processes, and the sentence encoder
    # each loads, start once per poll, not once per batch.
    with Workers(settings.relevance, settings.cache_dir) as pool:
        while True:
            now = clock()
            with store.transaction(exclusive=False):
                store.heartbeat(worker.id, worker.host, worker.pid, now, "polling")
                claimed = store.claim_feeds(
                    worker.id, list(by_id), now, lease=lease, interval=interval, limit=BATCH
                )
            if not claimed and not corpus:
                break
            batch = replace(
                settings, feeds=tuple(by_id[s] for s in claimed), feeds_opml=None, corpus=corpus
            )

            def release(claimed: list[str] = claimed, now: datetime = now) -> None:
                kept = store.release_feeds(worker.id, claimed, now)
                if kept < len(claimed):
                    # Our lease expired mid-batch and another worker took those feeds.
                    log.warning("%d of %d leases expired before their feeds were stored",
                                len(claimed) - kept, len(claimed))  # fmt: skip

            _add(
                total,
                runner.poll(
                    store, batch, now, then=release, for_leader=True, encoder=encoder, pool=pool
                ),
            )
            log.debug("polled %d leased feeds", len(claimed))
            if after_batch is not None:
                after_batch()
            corpus = ()
            if not claimed:
                break
    return total


def judged_line(stats: RunStats) -> str:
    """What judging passes decided, for the log: "12 judged in 0.1 s (3 duplicate, 9 new)"."""
    verdicts = ", ".join(f"{n} {status}" for status, n in sorted(stats.by_status.items()))
    seconds = stats.seconds.get("novelty", 0.0)
    return f"{stats.items} judged in {seconds:.1f} s" + (f" ({verdicts})" if verdicts else "")


def poll_and_judge(
    store: Store,
    settings: Settings,
    worker: Worker,
    leader: Leadership,
    clock: Callable[[], datetime],
) -> tuple[RunStats, RunStats | None]:
    """A worker's poll job: its leased feeds prepared, with judging passes if it leads.

    The leader judges after each of its batches, so the pending rows do not pile
    up, and once nothing is due it waits (at most ``IN_FLIGHT_WAIT``) for the
    batches other workers are still polling, so that one pass takes in the
    whole interval. Returns the poll's counts and the passes' (None: another
    worker leads).
    """
    judged = RunStats()
    leads = leader.lead()

    def judge() -> None:
        if leader.lead():
            leader.judge(store, clock(), judged)

    stats = leased_poll(
        store, settings, worker, clock, leader.encoder_for_preparing(),
        after_batch=judge if leads else None,
    )  # fmt: skip
    if leader.lead():
        deadline = time.monotonic() + IN_FLIGHT_WAIT
        while store.leased_elsewhere(worker.id, clock()) and time.monotonic() < deadline:
            time.sleep(0.5)
    led = leader.judge(store, clock(), judged)
    worker.beat(store, clock(), None)
    return stats, judged if led is not None or leads else None


def judge_between_polls(store: Store, leader: Leadership, clock: Callable[[], datetime]) -> None:
    """The retry job's pass, if this worker leads: what others prepared waits a minute at most."""
    judged = RunStats()
    if leader.lead() and leader.judge(store, clock(), judged):
        log.info("judging leader: %s", judged_line(judged))


def hold_again(lock: SessionLock, settings: Settings) -> None:
    """Hold the shared processing lock again if the server dropped it (before each job).

    Raises StoreError while another process (`run-once`) holds it alone.
    """
    if lock.held():
        return
    if not lock.take():
        raise StoreError(f"{settings.state}: {lock.holder()} is processing it alone")
    log.info("took the processing lock again (the database connection had been lost)")
