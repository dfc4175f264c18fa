"""The judging leader: one worker at a time runs the novelty pass over what every worker prepared.

Workers prepare what they fetch (extraction, relevance, fingerprints) and
store it pending (``pipeline.keep_prepared``). One of them leads the judging:
it holds a session advisory lock (``LEAD_KEY``) on a connection of its own,
which the server drops when the leader dies or the server restarts; any
worker's next job then takes it (``Leadership.lead``), the former leader too
once it has reconnected, if the lock is still free.

The leader keeps its window (the novelty and headline indexes of the judged
items) from pass to pass and adds what each pass judged; it rebuilds it from
the stored fingerprints only when judging changed hands. That is what the
term in the store (table ``judging``) tells: a leader starts a term when it
rebuilds, anyone else judging moves it on, and a leader whose term is no
longer the store's rebuilds. The check and the rebuild happen inside the
pass's exclusive transaction, after the previous pass has committed, so the
window always holds everything judged before; and a pass whose transaction
did not commit leaves no window behind (the next pass rebuilds).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from monitor import gcpolicy
from monitor.errors import StoreError
from monitor.judging import RunStats, Window, judge_pending
from monitor.settings import PostgresTarget, Settings
from monitor.store import Store

log = logging.getLogger("monitor.leader")


class Leadership:
    """This worker's claim to lead the judging, its term and its kept window."""

    def __init__(self, settings: Settings, worker: str) -> None:
        from monitor.store import postgres

        assert isinstance(settings.state, PostgresTarget)
        self.settings, self.worker = settings, worker
        self.lock = postgres.SessionLock(settings.state, "judging leader", postgres.LEAD_KEY)
        self.term: int | None = None  # the term this worker started last
        self.window: Window | None = None  # valid for ``term`` only
        self.encoder: Any = None  # the worker's sentence encoder, for preparing
        # Passes run in the poll and digest jobs and in the every-minute retry job (so that
        # what other workers prepared waits a minute at most): one at a time.
        self._busy = threading.Lock()
        self._lock_use = threading.Lock()  # the lock's connection, used by one thread at a time
        #: how many times the window was built, and the seconds the last build took
        self.builds, self.build_seconds = 0, 0.0

    def lead(self) -> bool:
        """Whether this worker leads now: it keeps the lock, or takes it if it is free."""
        with self._lock_use:
            return self._lead()

    def _lead(self) -> bool:
        had = self.lock.db is not None
        try:
            leads = self.lock.take()
        except StoreError as error:
            log.warning("cannot reach the database to lead the judging: %s", error)
            leads = False
        if leads and not had:
            log.info("leading the judging (worker %s)", self.worker)
        elif had and not leads:
            log.warning("no longer leading the judging (its connection was lost)")
        return leads

    def judge(
        self, store: Store, now: datetime, stats: RunStats, progress: bool = False
    ) -> int | None:
        """One novelty pass over every pending item, if this worker leads: how many it
        judged (None: another worker leads)."""
        with self._busy, gcpolicy.bulk_pass():
            return self._judge(store, now, stats, progress)

    def _judge(self, store: Store, now: datetime, stats: RunStats, progress: bool) -> int | None:
        if not self.lead():
            return None
        window, self.window = self.window, None  # valid again only once the pass commits
        with store.transaction():
            with self._lock_use:
                still = self.lock.held()
            if not still:  # lost while waiting for the previous pass
                log.warning("lost the judging lead before the pass")
                return None
            if window is None or store.judging_term() != self.term:
                started = time.perf_counter()
                self.term = store.start_judging_term(self.worker, now)
                window = Window.load(store, self.settings, now)
                self.builds += 1
                self.build_seconds = time.perf_counter() - started
                log.info(
                    "judging term %d: window of %d stored fingerprints built in %.1f s",
                    self.term, len(window), self.build_seconds,
                )  # fmt: skip
            else:
                window.index.evict(now)
            judged = judge_pending(store, self.settings, now, stats, window, progress)
        self.window = window
        return judged

    def encoder_for_preparing(self) -> Any:
        """The process's sentence encoder (loaded on first use), for fingerprinting."""
        if self.encoder is None:
            from monitor import novelty

            self.encoder = novelty.Encoder(cache_dir=self.settings.cache_dir)
        return self.encoder

    def close(self) -> None:
        """Give up the lead (another worker takes it at its next job)."""
        with self._lock_use:
            self.lock.close()
        self.window = None
