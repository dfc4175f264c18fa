"""Headline-only copies: aggregator entries that carry a report's headline and nothing else. Pure.

An entry whose text is its headline (Google News and other aggregators) leaves the
sentence encoder a headline to compare with another report's headline and lead,
so it scores low against the very report it copies ("related", 0.65). When its
headline, normalised, equals the headline of a report seen within a day, it *is*
that report: the two fold as a copy, whichever arrives first. Two full reports
with one headline are left to the novelty model, and short headlines ("Markets
wrap") never match.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

MIN_KEY_CHARS = 20
WINDOW = timedelta(hours=24)
_NON_WORD = re.compile(r"[\W_]+")


def key(title: str) -> str:
    """A headline reduced for matching: NFKC, case-folded, only letters and digits."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", title).casefold())


def headline_only(title: str, text: str) -> bool:
    """Whether an item's text is nothing but its headline."""
    return key(text) == key(title)


class HeadlineIndex:
    """Items by headline key, to find the report a headline-only entry copies."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[tuple[str, datetime, bool]]] = {}

    def add(self, item_id: str, title: str, text: str, published: datetime) -> None:
        """Remember an item (``text`` may be cut short: only equality with the title matters)."""
        k = key(title)
        if len(k) >= MIN_KEY_CHARS:
            self._by_key.setdefault(k, []).append((item_id, published, headline_only(title, text)))

    def match(self, title: str, text: str, published: datetime) -> str | None:
        """The latest item with this headline within ``WINDOW``, when one of the two is
        headline-only; else None."""
        k = key(title)
        if len(k) < MIN_KEY_CHARS:
            return None
        only = headline_only(title, text)
        for item_id, when, other_only in reversed(self._by_key.get(k, [])):
            if (only or other_only) and abs(when - published) <= WINDOW:
                return item_id
        return None
