"""One feed's parse and the preparation of its entries: the work a worker process does per feed.

Apart from ``monitor.sources.feeds`` (the poll) so that a worker process, which
imports the module of every function it runs, loads only the parser and the
per-document stages, not the HTTP client the poll needs (aiohttp, with yarl,
multidict and asyncio: 0.3 s of CPU or more per worker process on every cold
cycle).
"""

from __future__ import annotations

from dataclasses import replace

from monitor.model import Prepared
from monitor.prepare import prepare, worker_profile
from monitor.relevance import Profile
from monitor.sources.feedparse import ParsedFeed, parse_feed


def parse_and_prepare(
    body: bytes,
    url: str,
    content_type: str | None,
    source_id: str,
    weight: float,
    profile: Profile | None = None,
) -> tuple[ParsedFeed, tuple[Prepared, ...]]:
    """Parse one feed and prepare every entry (in a worker unless ``profile`` is given)."""
    parsed = parse_feed(body, url=url, content_type=content_type, source_id=source_id)
    # Fingerprints come later, in chunks across feeds (``Workers.fingerprint``).
    in_worker = profile is None
    profile = profile or worker_profile()
    prepared = [
        prepare(profile, entry.body, "html", entry.title, entry.hints, weight)
        for entry in parsed.entries
    ]
    if in_worker:
        # Prepared, an entry's HTML is read by no one: not pickled back (half the bytes).
        parsed = replace(parsed, entries=tuple(replace(e, body="") for e in parsed.entries))
    return parsed, tuple(prepared)
