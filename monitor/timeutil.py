"""Time helpers: aware UTC inside, ISO 8601 text in the store, and the clock.

The clock is the wall clock unless the command line said ``--as-of``: then it
starts at that moment and runs on at the wall clock's pace (for replays of old
feed snapshots and for tests that must not depend on the hour they run at).
Only the edges (cli, scheduler) read it, through ``utcnow``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

# How far the clock is set from the wall clock; changed only by ``set_as_of``.
_offset = timedelta(0)


def minute_text(moment: datetime) -> str:
    """A moment to the minute for people reading logs and listings: ``2026-11-23 07:00 UTC``."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC. Only edges (cli, scheduler) call this."""
    return datetime.now(UTC) + _offset


def set_as_of(moment: datetime | None) -> None:
    """Set the clock to ``moment`` from now on (None: back to the wall clock)."""
    global _offset
    _offset = timedelta(0) if moment is None else moment - datetime.now(UTC)


def parse_as_of(text: str) -> datetime:
    """Read an ``--as-of`` value: ISO 8601, with an offset or ``Z``; without one it is UTC."""
    try:
        return parse_time(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 time (for example 2026-08-20T02:41Z)"
        ) from None


class ShiftedDatetime(datetime):
    """``datetime`` whose ``now()`` reads monitor's clock; handed to APScheduler's modules."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = utcnow()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


@lru_cache(maxsize=1024)  # a judge pass writes the same few moments for thousands of rows
def to_text(moment: datetime) -> str:
    """A fixed-width, sortable UTC timestamp for the store."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times inside monitor are timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str | datetime) -> datetime:
    """Read a stored timestamp as aware UTC: ``to_text``'s form (or any ISO 8601 form)
    from SQLite, or the datetime a PostgreSQL ``timestamptz`` column gives."""
    if isinstance(text, datetime):
        moment = text
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
