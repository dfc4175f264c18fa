"""The daemon (`monitor run`): poll on an interval, send the digest on a cron schedule.

Three jobs share one worker thread, so they never overlap: ``poll`` (collect
and judge), ``digest`` (a full `run-once` cycle: collect, judge, build, deliver)
and ``retry`` (deliver waiting digests whose backoff has passed). The
processing lock is held for the daemon's whole life, so a `run-once` by hand
says so and leaves.

If the machine was down at digest time, the missed digest is sent once at
start-up: the store records every digest cycle, and a scheduled time that
falls after the last one and before now is a miss.

SIGTERM or SIGINT stops the schedule and lets the running job finish; a job
still busy after ``STOP_GRACE`` seconds is abandoned, which is safe: every
write is in a SQLite transaction (rolled back when the process ends), digests
wait in the outbox, and a digest is marked sent only after the server took it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from monitor import lock, runner, sdnotify
from monitor.config import Settings
from monitor.errors import ConfigError, MonitorError
from monitor.store import Store
from monitor.timeutil import utcnow

log = logging.getLogger("monitor.scheduler")

# systemd's default stop timeout is 90 s; users are promised an exit within 10 s.
STOP_GRACE = 7.0
RETRY_EVERY = timedelta(minutes=1)
CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(field: str) -> str:
    """A crontab weekday field (0 or 7 = Sunday) as APScheduler 3 day names.

    APScheduler 3 numbers Monday as 0, unlike crontab, so numbers are spelled
    out as names, and ranges and steps expanded, before it sees them.
    """
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        start, _, end = base.partition("-")
        low, high = (0, 7) if base == "*" else (int(start), int(end or start))
        if step and not end and base != "*":
            high = 7
        days.update(range(low, high + 1, int(step or 1)))
    names = dict.fromkeys(CRON_WEEKDAYS[day] for day in sorted(days))
    return ",".join(names)


def digest_trigger(settings: Settings) -> Any:
    """The digest's CronTrigger, in the schedule's time zone."""
    from apscheduler.triggers.cron import CronTrigger

    schedule = settings.schedule
    fields = schedule.digest_cron.split()
    second = fields.pop(0) if len(fields) == 6 else "0"
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            second=second, minute=minute, hour=hour, day=day, month=month,
            day_of_week=_weekdays(weekday), timezone=ZoneInfo(schedule.timezone),
        )  # fmt: skip
    except ValueError as error:
        raise ConfigError(
            f"{settings.path}: schedule.digest_cron: {schedule.digest_cron!r}: {error}"
        ) from None


def missed_digest(trigger: Any, last_run: datetime | None, now: datetime) -> datetime | None:
    """The scheduled digest time missed since ``last_run``, if any (None on a fresh install)."""
    if last_run is None:
        return None
    due = trigger.get_next_fire_time(None, last_run + timedelta(microseconds=1))
    return due if due is not None and due <= now else None


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "never"


class Daemon:
    """The scheduler, its jobs, and a clean stop."""

    def __init__(self, settings: Settings, trigger: Any) -> None:
        self.settings = settings
        self.trigger = trigger
        self.zone = ZoneInfo(settings.schedule.timezone)
        self.stopping = threading.Event()
        self.idle = threading.Event()
        self.idle.set()
        self.current: str | None = None
        self.scheduler: Any = None

    # -- jobs ------------------------------------------------------------------------

    def _job(self, name: str, work: Callable[[Store, datetime], None]) -> None:
        if self.stopping.is_set():
            return
        self.idle.clear()
        self.current = name
        try:
            with Store(self.settings.state) as store:
                work(store, utcnow())
        except MonitorError as error:
            for line in str(error).splitlines():
                log.error("%s: %s", name, line)
        except Exception:
            log.exception("%s: unexpected failure; the daemon carries on", name)
        finally:
            self.current = None
            self.idle.set()

    def poll(self) -> None:
        """Collect and judge what is new; no digest."""

        def work(store: Store, now: datetime) -> None:
            stats = runner.poll(store, self.settings, now)
            log.info(
                "poll: %d new documents, %d stories judged (%s)",
                stats.documents,
                stats.items,
                ", ".join(f"{n} {s}" for s, n in sorted(stats.by_status.items())) or "none",
            )

        self._job("poll", work)

    def digest(self) -> None:
        """A full cycle: collect, judge, build the digest and deliver what waits."""

        def work(store: Store, now: datetime) -> None:
            result = runner.run_once(store, self.settings, now)
            if result.digest is None:
                log.info("digest: nothing new since the last digest")
            else:
                log.info("digest %s: %d stories", result.digest_id, len(result.digest.stories))
            for error in result.delivery_errors:
                log.error("%s", error)
            job = self.scheduler.get_job("digest") if self.scheduler else None
            if job is not None:
                log.info("next digest at %s", _when(job.next_run_time, self.zone))

        self._job("digest", work)

    def retry(self) -> None:
        """Deliver waiting digests whose retry time has come."""

        def work(store: Store, now: datetime) -> None:
            for error in runner.retry_waiting(store, self.settings, now).errors:
                log.error("%s", error)

        self._job("retry", work)

    # -- life cycle ------------------------------------------------------------------

    def _on_signal(self, number: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping", signal.Signals(number).name)
        self.stopping.set()

    def serve(self) -> None:
        """Run until SIGTERM or SIGINT."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        # APScheduler logs every job run at INFO; the daemon logs one line per event itself.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._on_signal)

        now = utcnow()
        with Store(self.settings.state) as store:
            last_run = store.last_digest_run()
        missed = missed_digest(self.trigger, last_run, now)

        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            # A digest delayed behind a long poll still goes out; piled-up polls run once.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=self.zone,
        )
        interval = timedelta(minutes=self.settings.schedule.poll_interval_minutes)
        self.scheduler.add_job(self.digest, self.trigger, id="digest")
        # Poll at once on start-up, unless the catch-up digest is about to collect anyway.
        self.scheduler.add_job(
            self.poll, IntervalTrigger(seconds=interval.total_seconds()), id="poll",
            next_run_time=now + interval if missed else now,
        )  # fmt: skip
        self.scheduler.add_job(
            self.retry, IntervalTrigger(seconds=RETRY_EVERY.total_seconds()), id="retry"
        )
        if missed:
            log.info(
                "the digest due at %s was missed (last digest cycle %s); sending it now",
                _when(missed, self.zone),
                _when(last_run, self.zone),
            )
            self.scheduler.add_job(self.digest, id="catch-up", next_run_time=now)
        self.scheduler.start()

        next_digest = self.scheduler.get_job("digest").next_run_time
        log.info(
            "started: poll every %g min, digest at '%s' %s; next digest %s",
            self.settings.schedule.poll_interval_minutes,
            self.settings.schedule.digest_cron,
            self.settings.schedule.timezone,
            _when(next_digest, self.zone),
        )
        sdnotify.notify("READY=1", f"STATUS=next digest {_when(next_digest, self.zone)}")
        watchdog = None
        if (interval_s := sdnotify.watchdog_interval()) is not None:
            watchdog = sdnotify.Watchdog(interval_s, lambda: bool(self.scheduler.running))
            watchdog.start()

        self.stopping.wait()
        self._stop(watchdog)

    def _stop(self, watchdog: sdnotify.Watchdog | None) -> None:
        sdnotify.notify("STOPPING=1")
        self.scheduler.shutdown(wait=False)
        if watchdog is not None:
            watchdog.stop()
        if self.idle.wait(STOP_GRACE):
            log.info("stopped")
            return
        log.warning(
            "abandoned the running %s job; its uncommitted work is rolled back and redone "
            "at the next start",
            self.current or "",
        )
        logging.shutdown()
        sys.stderr.flush()
        # The worker thread cannot be interrupted; leave without waiting for it.
        os._exit(0)


def serve(settings: Settings) -> None:
    """Run the poll and digest jobs on the configured schedule until SIGTERM."""
    trigger = digest_trigger(settings)
    with lock.hold(settings.state, "run"):
        Daemon(settings, trigger).serve()
