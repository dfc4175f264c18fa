"""Workers sharing one database: who is alive, and which feeds each holds a lease on.

A worker (one `monitor run` process) claims due feeds in batches: a claim
writes its id and a lease expiry on the feeds' ``feed_leases`` rows; a release
(in the transaction that stores what the feeds gave) clears the lease and sets
``polled_at``. A feed is due when no live lease holds it and it was last
polled at least one poll interval ago, so no feed is fetched twice in one
interval, and a dead worker's feeds are claimed again once its lease expires.
On PostgreSQL the claim reads with ``FOR UPDATE SKIP LOCKED``: two workers
claiming at once take different feeds without waiting for each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.timeutil import parse_time, to_text


@dataclass(frozen=True, slots=True)
class WorkerRow:
    """One worker as `monitor workers` shows it."""

    id: str
    host: str
    pid: int
    started_at: datetime
    last_seen: datetime
    doing: str | None
    leases: int


class WorkerMixin:
    """SQL for the ``workers`` and ``feed_leases`` tables. Mixed into ``Store``."""

    db: Any
    backend: Any

    def heartbeat(self, worker: str, host: str, pid: int, now: datetime, doing: str | None) -> None:
        """Say that ``worker`` is alive and what it is doing (call inside a transaction)."""
        self.db.execute(
            "INSERT INTO workers (id, host, pid, started_at, last_seen, doing)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen,"
            " doing = excluded.doing",
            (worker, host, pid, to_text(now), to_text(now), doing),
        )

    def forget_worker(self, worker: str) -> None:
        """A worker that stops cleanly: its row and its leases go (call inside a transaction)."""
        self.db.execute(
            "UPDATE feed_leases SET worker = NULL, leased_until = NULL WHERE worker = ?", (worker,)
        )
        self.db.execute("DELETE FROM workers WHERE id = ?", (worker,))

    def claim_feeds(
        self,
        worker: str,
        source_ids: Sequence[str],
        now: datetime,
        *,
        lease: timedelta,
        interval: timedelta,
        limit: int,
    ) -> list[str]:
        """Lease up to ``limit`` due feeds among ``source_ids`` to ``worker`` (in a transaction)."""
        if not source_ids:
            return []
        marks = ",".join("?" * len(source_ids))
        # Only the missing rows are inserted: an INSERT meeting a row that another
        # worker's open claim has locked would wait for that claim to end.
        known = {
            row[0]
            for row in self.db.execute(
                f"SELECT source_id FROM feed_leases WHERE source_id IN ({marks})", tuple(source_ids)
            )
        }
        self.db.executemany(
            "INSERT INTO feed_leases (source_id) VALUES (?) ON CONFLICT (source_id) DO NOTHING",
            [(source_id,) for source_id in source_ids if source_id not in known],
        )
        rows = self.db.execute(
            f"SELECT source_id FROM feed_leases WHERE source_id IN ({marks})"
            # Its own leases too: a worker whose pass failed (the database restarted)
            # takes its feeds straight back instead of waiting for the lease to expire.
            " AND (leased_until IS NULL OR leased_until < ? OR worker = ?)"
            " AND (polled_at IS NULL OR polled_at <= ?)"
            # Never-polled feeds first, then the longest waiting (NULL sorts differently
            # in the two databases, hence the explicit first key).
            " ORDER BY polled_at IS NOT NULL, polled_at, source_id"
            f" LIMIT ?{self.backend.SKIP_LOCKED}",
            (*source_ids, to_text(now), worker, to_text(now - interval), limit),
        ).fetchall()
        claimed = [row[0] for row in rows]
        self.db.executemany(
            "UPDATE feed_leases SET worker = ?, leased_until = ? WHERE source_id = ?",
            [(worker, to_text(now + lease), source_id) for source_id in claimed],
        )
        return claimed

    def release_feeds(self, worker: str, source_ids: Sequence[str], now: datetime) -> int:
        """Mark leased feeds polled at ``now`` and free them; how many were still ours."""
        released = 0
        for source_id in source_ids:
            cursor = self.db.execute(
                "UPDATE feed_leases SET worker = NULL, leased_until = NULL, polled_at = ?"
                " WHERE source_id = ? AND worker = ?",
                (to_text(now), source_id, worker),
            )
            released += cursor.rowcount
        return released

    def leased_elsewhere(self, worker: str, now: datetime) -> int:
        """How many feeds other workers are polling now (their leases not yet expired)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM feed_leases WHERE worker IS NOT NULL AND worker <> ?"
            " AND leased_until >= ?",
            (worker, to_text(now)),
        ).fetchone()
        return int(row[0])

    def workers(self, now: datetime) -> list[WorkerRow]:
        """Every worker that said it was alive, with the live leases it holds, latest first."""
        rows = self.db.execute(
            "SELECT w.id, w.host, w.pid, w.started_at, w.last_seen, w.doing,"
            " (SELECT COUNT(*) FROM feed_leases l WHERE l.worker = w.id AND l.leased_until >= ?)"
            " FROM workers w ORDER BY w.last_seen DESC, w.id",
            (to_text(now),),
        ).fetchall()
        return [
            WorkerRow(r[0], r[1], int(r[2]), parse_time(r[3]), parse_time(r[4]), r[5], int(r[6]))
            for r in rows
        ]

    def feed_polls(self) -> dict[str, datetime]:
        """When each leased feed was last polled by a worker."""
        rows = self.db.execute(
            "SELECT source_id, polled_at FROM feed_leases WHERE polled_at IS NOT NULL"
        )
        return {row[0]: parse_time(row[1]) for row in rows}
