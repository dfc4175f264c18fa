"""What a corpus file says about itself: its date, its publisher, its address, its title.

Two places are read, as publishers and note-taking tools write them:

* a YAML-style front matter block at the top of a .md or .txt file::

      ---
      title: SoftBank sets up an AI unit
      date: 2023-06-01T09:00:00+09:00
      source: Nikkei Asia
      url: https://asia.nikkei.com/...
      ---

  (``published``, ``site`` and ``link`` are accepted too; only ``key: value`` lines);
* an HTML page's ``<meta property="article:published_time">``, ``og:site_name``,
  ``og:title`` and ``<link rel="canonical">`` (``og:url`` when there is no canonical link).

A date without a time is midnight UTC; one without an offset is UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

_FRONT = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.{0,4000}?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)
_KEYS = {
    "date": "date",
    "published": "date",
    "published_at": "date",
    "source": "source",
    "site": "source",
    "publisher": "source",
    "url": "url",
    "link": "url",
    "canonical": "url",
    "title": "title",
}
_HTML_META = {
    "article:published_time": "date",
    "og:site_name": "source",
    "og:title": "title",
    "og:url": "og_url",
}
# Enough of a page to hold its <head>.
HEAD_CHARS = 64 * 1024


@dataclass(frozen=True, slots=True)
class FileMeta:
    """What a file said about itself; ``body`` is the file without its front matter."""

    body: str
    published: datetime | None = None
    source: str | None = None
    url: str | None = None
    title: str | None = None
    # Where the date came from, for `monitor explain`: "front matter `date`", ...
    dated_by: str | None = None


def parse_date(text: str) -> datetime | None:
    """An ISO 8601 date or time, or an RFC 2822 one, as aware UTC; None when unreadable."""
    text = text.strip().strip("\"'")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _clean(value: str) -> str | None:
    value = " ".join(value.strip().strip("\"'").split())
    return value or None


def front_matter(body: str) -> FileMeta:
    """The front matter of a text or Markdown file, and the body without it."""
    match = _FRONT.match(body)
    if not match:
        return FileMeta(body)
    found: dict[str, str] = {}
    for line in match[1].splitlines():
        key, colon, value = line.partition(":")
        field = _KEYS.get(key.strip().lower())
        if colon and field and field not in found and (clean := _clean(value)):
            found[field] = clean
    if not found:
        return FileMeta(body)  # a "---" rule, not front matter
    published = parse_date(found["date"]) if "date" in found else None
    return FileMeta(
        body[match.end() :],
        published,
        found.get("source"),
        found.get("url"),
        found.get("title"),
        "the front matter's date" if published else None,
    )


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            name = (values.get("property") or values.get("name") or "").lower()
            field = _HTML_META.get(name)
            if field and field not in self.found and (content := _clean(values.get("content", ""))):
                self.found[field] = content
        elif (
            tag == "link"
            and "canonical" in values.get("rel", "").lower().split()
            and "url" not in self.found
            and (href := _clean(values.get("href", "")))
        ):
            self.found["url"] = href


def html_meta(body: str) -> FileMeta:
    """What an HTML page's <meta> and canonical <link> say; the body is unchanged."""
    head = body[:HEAD_CHARS]
    end = head.lower().find("</head>")
    parser = _Head()
    try:
        parser.feed(head if end < 0 else head[:end])
    except (ValueError, AssertionError):  # hopelessly broken markup: no metadata
        return FileMeta(body)
    found = parser.found
    published = parse_date(found["date"]) if "date" in found else None
    url = found.get("url") or found.get("og_url")
    return FileMeta(
        body,
        published,
        found.get("source"),
        url,
        found.get("title"),
        "the page's article:published_time" if published else None,
    )
