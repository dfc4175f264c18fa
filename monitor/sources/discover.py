"""Feed discovery for `monitor feeds add`: given a page or a feed URL, find the feed.

A URL that serves a feed is taken as is (or where a 301/308 moved it); a web
page is searched for ``<link rel="alternate" type="application/rss+xml" ...>``
and the first advertised feed that parses is taken instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from monitor.errors import FeedError
from monitor.settings import FetchSettings
from monitor.sources.feedguard import find_alternates, html_page
from monitor.sources.feedparse import parse_feed
from monitor.sources.fetch import Fetcher, FetchResult

MAX_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class Discovered:
    """A feed found at or through a URL: where it is, its title and how many entries."""

    url: str
    title: str | None
    entries: int
    via_page: str | None = None  # the web page that advertised it, if any


def _checked(fetched: FetchResult, asked: str) -> FetchResult:
    if fetched.outcome != "ok":
        raise FeedError(f"{asked}: {fetched.error or 'cannot fetch'}")
    return fetched


async def _discover(url: str, settings: FetchSettings) -> Discovered:
    async with Fetcher(settings) as fetcher:
        fetched = _checked(await fetcher.fetch(url), url)
        page = None
        if html_page(fetched.body, fetched.content_type):
            candidates = find_alternates(fetched.body, fetched.url)[:MAX_CANDIDATES]
            if not candidates:
                raise FeedError(f"{url}: is a web page that advertises no feed")
            page, problems = url, []
            for candidate in candidates:
                # A public page cannot point us into the intranet.
                result = await fetcher.fetch(candidate, public_only=fetched.from_public_host)
                if result.outcome == "ok":
                    fetched, url = result, candidate
                    break
                problems.append(f"{candidate}: {result.error}")
            else:
                raise FeedError(f"{page}: advertised feeds failed: {'; '.join(problems)}")
        try:
            parsed = parse_feed(
                fetched.body, url=fetched.url, content_type=fetched.content_type, source_id=url
            )
        except FeedError as exc:
            raise FeedError(f"{url}: {exc}") from None
        return Discovered(fetched.permanent_url or url, parsed.title, len(parsed.entries), page)


def discover(url: str, settings: FetchSettings) -> Discovered:
    """Find the feed at or advertised by ``url``; FeedError saying why there is none."""
    return asyncio.run(_discover(url, settings))
