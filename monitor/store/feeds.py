"""Per-feed state: conditional-GET validators, failures, backoff and health.

A feed is a ``sources`` row of kind 'feed' whose id is ``feed:`` plus the URL
in the configuration (``configured_url``); ``url`` is where it is fetched
now, which differs after a permanent redirect. ``status`` is 'active',
'failing' (backing off until ``next_attempt``) or 'gone' (HTTP 410: never
fetched again). ``items_seen`` counts entries that were new when the feed
delivered them.

The feed source only reads this state; the pipeline writes a run's
``FeedUpdate`` values with ``apply_feed_updates`` inside its own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.timeutil import parse_time, to_text

STATUSES = ("active", "failing", "gone")


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed's stored state, as the last run left it."""

    source_id: str
    name: str
    url: str
    configured_url: str
    etag: str | None
    last_modified: str | None
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str | None
    failures: int
    next_attempt: datetime | None
    status: str
    status_note: str | None
    items_seen: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """A feed's new state after one fetch, to be written with ``apply_feed_updates``.

    ``etag``/``last_modified`` are the validators to send next time (kept
    from before on an error), ``url`` the URL to fetch next time, and
    ``new_items`` what to add to ``items_seen``.
    """

    source_id: str
    name: str
    configured_url: str
    url: str
    ok: bool
    status: str
    failures: int
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    next_attempt: datetime | None = None
    status_note: str | None = None
    new_items: int = 0


def _time(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


class FeedStateMixin:
    """SQL for the ``sources`` rows of kind 'feed'. Mixed into ``Store``."""

    db: Any

    _FEED_COLUMNS = (
        "id, name, url, configured_url, etag, last_modified, last_attempt, last_success,"
        " last_error, failures, next_attempt, status, status_note, items_seen, added_at"
    )

    def feed_states(self) -> dict[str, FeedState]:
        """Every feed ever polled, by source id."""
        rows = self.db.execute(f"SELECT {self._FEED_COLUMNS} FROM sources WHERE kind = 'feed'")
        states = {}
        for row in rows:
            states[row[0]] = FeedState(
                source_id=row[0], name=row[1], url=row[2] or row[3] or "",
                configured_url=row[3] or row[2] or "", etag=row[4], last_modified=row[5],
                last_attempt=_time(row[6]), last_success=_time(row[7]), last_error=row[8],
                failures=int(row[9]), next_attempt=_time(row[10]), status=row[11],
                status_note=row[12], items_seen=int(row[13]), added_at=parse_time(row[14]),
            )  # fmt: skip
        return states

    def apply_feed_updates(self, updates: tuple[FeedUpdate, ...], now: datetime) -> None:
        """Write the state of every feed fetched in a run (call inside a transaction).

        A feed seen for the first time is inserted; a known one keeps its
        ``added_at`` and ``last_success`` unless this fetch succeeded, and
        adds ``new_items`` to ``items_seen``.
        """
        stamp = to_text(now)
        self.db.executemany(
            "INSERT INTO sources (id, kind, name, url, configured_url, etag, last_modified,"
            " last_attempt, last_success, last_error, failures, next_attempt, status,"
            " status_note, items_seen, added_at)"
            " VALUES (?, 'feed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url,"
            " configured_url = excluded.configured_url, etag = excluded.etag,"
            " last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,"
            " last_success = COALESCE(excluded.last_success, sources.last_success),"
            " last_error = excluded.last_error, failures = excluded.failures,"
            " next_attempt = excluded.next_attempt, status = excluded.status,"
            " status_note = excluded.status_note,"
            " items_seen = sources.items_seen + excluded.items_seen",
            [
                (
                    u.source_id, u.name, u.url, u.configured_url, u.etag, u.last_modified,
                    stamp, stamp if u.ok else None, u.error, u.failures,
                    to_text(u.next_attempt) if u.next_attempt else None, u.status,
                    u.status_note, u.new_items, stamp,
                )
                for u in updates
            ],
        )  # fmt: skip
