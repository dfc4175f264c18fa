"""Time helpers: aware UTC inside, ISO 8601 text in the store."""

from __future__ import annotations

from datetime import UTC, datetime


def minute_text(moment: datetime) -> str:
    """A moment to the minute for people reading logs and listings: ``2026-11-23 07:00 UTC``."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def utcnow() -> datetime:
    """The current time, timezone-aware UTC. Only edges (cli, scheduler) call this."""
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """A fixed-width, sortable UTC timestamp for the store."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: times inside monitor are timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Read a timestamp written by ``to_text`` (or any ISO 8601 form) as aware UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
