"""What every feed format's reader gives for one entry, before identity and cleaning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as a feed format gives it, before identity and cleaning."""

    link: str | None
    guid: str | None
    title: str | None
    title_is_html: bool
    content: str
    content_is_html: bool
    published: datetime | None
    # Who the entry names as its outlet: its <source>, author or publisher.
    names: tuple[str, ...] = ()


def struct_to_utc(value: Any) -> datetime | None:
    """A feedparser ``*_parsed`` time tuple (UTC) as an aware datetime; None if it is no date."""
    try:
        year, month, day, hour, minute, second = value[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
