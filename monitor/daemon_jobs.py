"""What each of the daemon's jobs does: poll, digest and retry, each with its own Store.

``monitor.scheduler`` decides when a job runs and in which thread, and keeps them
from overlapping; the jobs here do the work and say in one log line (and in
systemd's status) what came of it. On PostgreSQL the process is one of several
workers: a job then goes through the judging leader (``monitor.workers``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from monitor import runner, sdnotify
from monitor.errors import StoreError
from monitor.schedule import missed_digest
from monitor.settings import Settings
from monitor.timeutil import utcnow
from monitor.words import plural

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

    from monitor.leader import Leadership
    from monitor.workers import Worker

# The daemon's logger: these lines are the daemon's, wherever the code sits.
log = logging.getLogger("monitor.scheduler")


def one_line(error: BaseException) -> str:
    """An error's message on one log line (its type's name when it has none)."""
    return "; ".join(str(error).splitlines()) or type(error).__name__


class Jobs:
    """The poll, digest and retry jobs of one daemon (``peer`` and ``leader`` on PostgreSQL)."""

    def __init__(
        self,
        settings: Settings,
        trigger: BaseTrigger,
        peer: Worker | None = None,
        leader: Leadership | None = None,
    ) -> None:
        self.settings = settings
        self.trigger = trigger
        self.peer = peer
        self.leader = leader
        # Delivery errors already logged: the retry job runs every minute and a
        # digest held after a permanent failure would otherwise be logged each time.
        self._reported: set[str] = set()

    def poll(self) -> None:
        """Collect and judge once; a judging leader that finds a slot unserved digests too."""
        from monitor.store import Store

        missed = False
        with Store(self.settings.state) as store:
            if self.peer is not None and self.leader is not None:
                from monitor.workers import judged_line, poll_and_judge

                stats, judged = poll_and_judge(store, self.settings, self.peer, self.leader, utcnow)
                line = f"poll: {stats.summary()}"
                if judged is not None:
                    line += f"; judging leader: {judged_line(judged)}"
                    # A leader that took over after the last one died serves a slot it missed.
                    last = store.last_digest_run()
                    due = missed_digest(self.trigger, last, utcnow()) if last else None
                    missed = due is not None
            else:
                stats = runner.poll(store, self.settings, utcnow(), progress=False)
                line = f"poll: {stats.summary()}"
        if stats.all_sources_failed:
            # At error level, so that journald and a log watcher see it: the next
            # digest can only say "nothing new" while this lasts.
            line = f"poll: every source failed (see the warnings above); {line[6:]}"
            log.error("%s", line)
        else:
            log.info("%s", line)
        sdnotify.notify(f"STATUS={line}")
        if missed:
            log.info("digest: a slot went unserved; the judging leader serves it now")
            self.digest()

    def _slot_served(self, now: datetime) -> Callable[[datetime | None], bool]:
        """Whether another worker already ran the digest for the slot due by ``now``."""
        return lambda last: last is not None and missed_digest(self.trigger, last, now) is None

    def digest(self) -> None:
        """Collect, judge, write and deliver one digest (among workers: the leader only)."""
        from monitor.store import Store

        with Store(self.settings.state) as store:
            if self.peer is not None and self.leader is not None:
                from monitor.workers import judged_line, poll_and_judge

                _, judged = poll_and_judge(store, self.settings, self.peer, self.leader, utcnow)
                if judged is None:
                    log.info("digest: left to the judging leader (another worker)")
                    return
                log.info("digest: judging leader: %s", judged_line(judged))
                now = utcnow()
                self.peer.beat(store, now, "digest")
                result = runner.run_once(
                    store, self.settings, now, collected=True, slot_served=self._slot_served(now)
                )
                self.peer.beat(store, utcnow(), None)
            else:
                result = runner.run_once(store, self.settings, utcnow(), progress=False)
        if result.slot_served:
            line = "digest: this slot was already served by another worker"
        elif result.digest is None:
            line = f"digest: nothing new since the last digest ({result.stats.summary()})"
        else:
            where = "delivered" if result.digest_id in result.delivered else "waiting in the outbox"
            count = plural(len(result.digest.stories), "story")
            line = f"digest {result.digest_id}: {count}, {where}"
        log.info("%s", line)
        for error in result.delivery_errors:
            log.error("%s", error)
        self._reported = set(result.delivery_errors)
        sdnotify.notify(f"STATUS={line}")

    def retry(self) -> None:
        """Deliver the digests waiting in the outbox; the workers' heartbeat too."""
        from monitor.store import Store

        with Store(self.settings.state) as store:
            if self.peer is not None:
                self.peer.beat(store, utcnow(), None)  # the retry job is the heartbeat
            if self.leader is not None:
                from monitor.workers import judge_between_polls

                judge_between_polls(store, self.leader, utcnow)
            flushed = runner.retry_waiting(store, self.settings, utcnow())
        for error in flushed.errors:
            if error not in self._reported:
                log.error("%s", error)
        self._reported = set(flushed.errors)


def leave(settings: Settings, peer: Worker) -> None:
    """A worker that stops cleanly hands back its leases at once (a dead one's expire)."""
    from monitor.store import Store

    try:
        with Store(settings.state) as store, store.transaction(exclusive=False):
            store.forget_worker(peer.id)
    except StoreError as error:
        log.warning("could not hand back this worker's leases: %s", one_line(error))
