"""The daemon (`monitor run`): poll, digest and retry jobs on a schedule until SIGTERM.

    main thread      holds the processing lock, decides the start-up catch-up,
                     then waits on a threading.Event that SIGTERM/SIGINT set
    APScheduler      only tells time: each of its jobs puts a job name in a queue
    worker thread    runs the queued poll and digest jobs one at a time (they never
                     overlap), each with its own Store (a sqlite3 connection stays
                     in one thread)
    delivery thread  runs the retry job, so a digest waiting in the outbox goes out
                     while a poll is stuck on slow feeds (``runner`` keeps the two
                     from writing at once or flushing the outbox twice)
    watchdog thread  pings systemd when $WATCHDOG_USEC asks for it

What each job does is ``monitor.daemon_jobs``; this module runs them.

Timing and execution are split so that a job due while another runs waits in
the queue (at most one waiting per kind: that is the coalescing), instead of
being dropped with a warning by APScheduler, and so that shutdown knows exactly
which job is running and can drop the ones still waiting.

Stopping is safe at any moment: every write is a SQLite transaction, digests
wait in an outbox, and a digest is marked sent only after every target took
it. So a job still running ``STOP_GRACE`` seconds after SIGTERM is abandoned:
its uncommitted work is rolled back by SQLite and done again at the next start.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor import lock, runner, sdnotify
from monitor.daemon_jobs import Jobs, leave, one_line
from monitor.errors import MonitorError, StoreError
from monitor.schedule import digest_trigger, missed_digest
from monitor.settings import PostgresTarget, Settings
from monitor.timeutil import ShiftedDatetime, utcnow

if TYPE_CHECKING:
    from monitor.leader import Leadership
    from monitor.store.postgres import SessionLock
    from monitor.workers import Worker

log = logging.getLogger("monitor.scheduler")

# systemd's default TimeoutStopSec is 90 s, but we promise an exit within 10 s:
# 7 s for the running job, the rest for logging and the interpreter's exit.
STOP_GRACE = 7.0
RETRY_EVERY_MINUTES = 1.0
RECONNECT_MAX_SECONDS = 30.0
# A late run beats none (the start-up catch-up follows the same rule); with
# coalescing, a long suspend still yields one run per job, not a burst.
MISFIRE_GRACE_SECONDS = 24 * 3600
JOBS = ("poll", "digest", "retry")
# Which worker thread runs each job.
LANES = {"poll": "worker", "digest": "worker", "retry": "delivery"}


def _flush_logs() -> None:
    for handler in logging.getLogger("monitor").handlers:
        handler.flush()
    sys.stderr.flush()
    sys.stdout.flush()


def _follow_clock() -> None:
    """Make APScheduler tell time by monitor's clock (which ``--as-of`` may have set).

    APScheduler 3 reads ``datetime.now`` in its scheduler loop and in its
    executors' misfire check, with no hook to inject a clock; its modules get a
    ``datetime`` whose ``now`` is ours. Sleeping stays real: only "what time is
    it" moves.
    """
    import apscheduler.executors.base as executors
    import apscheduler.schedulers.base as schedulers

    schedulers.datetime = ShiftedDatetime  # type: ignore[misc]
    executors.datetime = ShiftedDatetime  # type: ignore[misc]


def _quiet_apscheduler() -> None:
    """Keep APScheduler to warnings, in monitor's one-line format (not Python's bare fallback)."""
    aps = logging.getLogger("apscheduler")
    aps.setLevel(logging.WARNING)
    handlers = logging.getLogger("monitor").handlers
    if handlers:
        aps.handlers[:] = list(handlers)
        aps.propagate = False


class Daemon:
    """One `monitor run` process: its scheduler, worker, signal handling and shutdown."""

    def __init__(
        self, settings: Settings, trigger: BaseTrigger, process_lock: SessionLock | None = None
    ) -> None:
        self.settings = settings
        # A worker's shared processing lock, taken again before each job (a restarted
        # server has dropped it) so that `run-once` never runs beside the workers.
        self.process_lock = process_lock
        self.trigger = trigger
        self.tz = ZoneInfo(settings.schedule.timezone)
        self._stop = threading.Event()
        self._signal_name: str | None = None
        self._signal_at: float | None = None
        self._queues: dict[str, queue.SimpleQueue[str | None]] = {
            lane: queue.SimpleQueue() for lane in set(LANES.values())
        }
        self._pending: set[str] = set()
        self._guard = threading.Lock()
        self._current: dict[str, str] = {}  # lane -> the job running in it
        self._workers = [
            threading.Thread(target=self._work, args=(lane,), name=f"monitor-{lane}", daemon=True)
            for lane in sorted(self._queues)
        ]
        # On PostgreSQL this process is one of several workers (see monitor/workers.py).
        self.peer: Worker | None = None
        self.leader: Leadership | None = None
        if isinstance(settings.state, PostgresTarget):
            from monitor.leader import Leadership
            from monitor.workers import Worker

            self.peer = Worker.here()
            self.leader = Leadership(settings, self.peer.id)
        self.jobs = Jobs(settings, trigger, self.peer, self.leader)
        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
            timezone=self.tz,
        )

    # -- start-up ----------------------------------------------------------

    def _when(self, moment: datetime | None) -> str:
        """A fire time as the reader of the logs thinks of it: in the schedule's time zone."""
        if moment is None:
            return "never"
        local = moment.astimezone(self.tz)
        # A schedule with a seconds field is read to the second, whatever the second.
        with_seconds = len(self.settings.schedule.digest_cron.split()) == 6 or local.second
        return local.strftime("%Y-%m-%d %H:%M:%S %Z" if with_seconds else "%Y-%m-%d %H:%M %Z")

    def _next_digest(self, now: datetime) -> datetime | None:
        return self.trigger.get_next_fire_time(None, now)

    def decide_catch_up(self, now: datetime) -> bool:
        """Whether a digest fell due while no daemon ran; logs what was decided."""
        from monitor.store import Store

        with Store(self.settings.state) as store:
            last = store.last_digest_run()
        if last is None:
            # A fresh install: the first digest comes at its time, not at once.
            log.info(
                "catch-up: no digest has run yet; the first is due %s",
                self._when(self._next_digest(now)),
            )
            return False
        due = missed_digest(self.trigger, last, now)
        if due is not None:
            log.info(
                "catch-up: the digest due %s was missed (last ran %s); sending it now",
                self._when(due),
                self._when(last),
            )
            return True
        log.info("catch-up: not needed; the last digest ran %s", self._when(last))
        return False

    def _add_jobs(self, now: datetime, catch_up: bool) -> None:
        schedule = self.settings.schedule
        # Start with fresh state: poll at once, unless the catch-up digest
        # (which collects too) goes first.
        at_start = {"next_run_time": now}
        self._scheduler.add_job(
            self._enqueue,
            IntervalTrigger(
                minutes=schedule.poll_interval_minutes,
                timezone=self.tz,
                start_date=now + timedelta(minutes=schedule.poll_interval_minutes),
            ),
            args=["poll"],
            id="poll",
            name="poll",
            **({} if catch_up else at_start),
        )
        self._scheduler.add_job(
            self._enqueue,
            self.trigger,
            args=["digest"],
            id="digest",
            name="digest",
            **(at_start if catch_up else {}),
        )
        self._scheduler.add_job(
            self._enqueue,
            IntervalTrigger(
                minutes=RETRY_EVERY_MINUTES,
                timezone=self.tz,
                start_date=now + timedelta(minutes=RETRY_EVERY_MINUTES),
            ),
            args=["retry"],
            id="retry",
            name="retry",
            # At once too: a digest left waiting goes out without waiting for a poll.
            **at_start,
        )

    def run(self) -> None:
        """Schedule the jobs and serve until SIGTERM or SIGINT; return when stopped."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        watchdog: sdnotify.Watchdog | None = None
        try:
            runner.tidy(self.settings)
            now = utcnow()
            catch_up = self.decide_catch_up(now)
            self._add_jobs(now, catch_up)
            for worker in self._workers:
                worker.start()
            self._scheduler.start()
            schedule = self.settings.schedule
            next_digest = self._when(self._next_digest(now))
            log.info(
                "started: poll every %g min, digest at %r %s, next digest %s",
                schedule.poll_interval_minutes,
                schedule.digest_cron,
                schedule.timezone,
                next_digest,
            )
            sdnotify.notify("READY=1", f"STATUS=running; next digest {next_digest}")
            interval = sdnotify.watchdog_interval()
            if interval is not None:
                watchdog = sdnotify.Watchdog(
                    interval,
                    alive=lambda: (
                        self._scheduler.running
                        and all(worker.is_alive() for worker in self._workers)
                    ),
                )
                watchdog.start()
            self._stop.wait()
            self._shutdown()
        finally:
            # Also reached when start-up fails (say, an unusable state database).
            if watchdog is not None:
                watchdog.stop()
            self._stop.set()
            self._wake_workers()
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    # -- signals and shutdown ------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._signal_name is None:
            self._signal_name = signal.Signals(signum).name
            self._signal_at = time.monotonic()
        # Event.set() takes the lock that Event.wait() holds for a few bytecodes
        # in this very (main) thread: setting it from here could deadlock.
        threading.Thread(target=self._stop.set, name="stop", daemon=True).start()

    def _shutdown(self) -> None:
        """Stop scheduling, let the running job finish within the grace, else abandon it."""
        started_at = self._signal_at or time.monotonic()
        log.info("received %s; stopping", self._signal_name or "a stop request")
        sdnotify.notify("STOPPING=1", "STATUS=stopping")
        self._stop.set()  # the worker skips whatever is still queued
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._wake_workers()
        for worker in self._workers:
            worker.join(max(0.0, started_at + STOP_GRACE - time.monotonic()))
        if any(worker.is_alive() for worker in self._workers):
            with self._guard:
                running = " and ".join(sorted(self._current.values())) or "running"
            log.warning(
                "abandoned the %s job, still running %.0f s after %s: its uncommitted "
                "work is rolled back and redone at the next start",
                running,
                STOP_GRACE,
                self._signal_name or "the stop request",
            )
            _flush_logs()
            # The worker may sit in a network call for minutes; interpreter
            # shutdown would wait for nothing, but we exit now and uncleanly on
            # purpose: SQLite rolls back the open transaction, the kernel drops
            # the processing lock.
            os._exit(0)
        log.info("stopped")
        _flush_logs()

    # -- the workers ---------------------------------------------------------

    def _wake_workers(self) -> None:
        for lane_queue in self._queues.values():
            lane_queue.put(None)

    def _enqueue(self, name: str) -> None:
        """APScheduler's job: queue ``name`` for the worker unless it already waits."""
        with self._guard:
            if name in self._pending:
                log.debug("%s job already waiting; not queued twice", name)
                return
            self._pending.add(name)
        self._queues[LANES[name]].put(name)

    def _work(self, lane: str) -> None:
        jobs: dict[str, Callable[[], None]] = {
            "poll": self._poll,
            "digest": self._digest,
            "retry": self.jobs.retry,
        }
        while (name := self._queues[lane].get()) is not None:
            with self._guard:
                self._pending.discard(name)
                if self._stop.is_set():
                    continue
                self._current[lane] = name
            try:
                jobs[name]()
            except MonitorError as error:
                log.error("%s job: %s", name, one_line(error))
            except Exception:
                log.exception("%s job failed unexpectedly; carrying on", name)
            finally:
                with self._guard:
                    self._current.pop(lane, None)

    def _reconnecting(self, job: Callable[[], None]) -> None:
        """Run a job; while the database is unreachable, try again with backoff (workers)."""
        delay = 1.0
        while True:
            try:
                if self.process_lock is not None:
                    from monitor.workers import hold_again

                    hold_again(self.process_lock, self.settings)
                job()
                return
            except StoreError as error:
                if self.peer is None or self._stop.is_set():
                    raise
                log.warning("database unreachable (%s); trying again in %.0f s",
                            one_line(error), delay)  # fmt: skip
                if self._stop.wait(delay):
                    return
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _poll(self) -> None:
        self._reconnecting(self.jobs.poll)

    def _digest(self) -> None:
        self._reconnecting(self.jobs.digest)


def serve(settings: Settings) -> None:
    """Run the poll and digest jobs on the configured schedule until SIGTERM or SIGINT.

    Holds the processing lock for the daemon's whole life, so `monitor run-once`
    (or a second daemon) on the same state is refused while it runs.
    """
    _quiet_apscheduler()
    _follow_clock()
    trigger = digest_trigger(settings)  # a bad schedule is a config error, lock or not
    with lock.hold(settings.state, "run", shared=True) as held:
        daemon = Daemon(settings, trigger, held)
        try:
            daemon.run()
        finally:
            if daemon.leader is not None:
                daemon.leader.close()
            if daemon.peer is not None:
                leave(settings, daemon.peer)
