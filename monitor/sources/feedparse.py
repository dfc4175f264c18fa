"""The one adapter around feedparser: fetched bytes in, safe plain values out.

``parse_feed`` runs in a worker process for speed, so it takes and returns
only picklable values. It never hands feedparser a string (feedparser opens a
string that looks like a path or a ``file://`` URL), guards entities first
(see ``feedguard``), reads JSON Feed 1.1 itself, and sanitises every piece of
feed HTML with an allow-list (nh3) because feedparser's own sanitiser keeps
forms, ``data:`` images and tracking pixels.

An entry's identity (``ParsedEntry.key``) is, in order:

1. its canonical link, so the same article from two feeds is one item, unless
   several entries of this feed share that link (a feed that links every entry
   to its home page);
2. its guid: a URL guid canonicalised, a ``tag:``/``urn:`` guid as is, any
   other guid qualified by the feed, since opaque guids are unique only
   within their feed;
3. a hash of its title and content.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from monitor import chrome
from monitor.errors import FeedError
from monitor.model import PageHints, pickled_by_fields
from monitor.sources.entityguard import without_entity_sets
from monitor.sources.fastrss import read_rss
from monitor.sources.feedguard import check_entities, choose_encoding, find_alternates, html_page
from monitor.sources.rawentry import RawEntry, struct_to_utc
from monitor.sources.sanitize import MAX_FEED_TITLE_CHARS, clean_html, clean_title, text_to_html
from monitor.urls import canonical_web, resolve

MAX_KEY_CHARS = 1000
_GLOBAL_GUID = re.compile(r"^(?:tag|urn):\S+$", re.IGNORECASE)
JSON_FEED_VERSION = "https://jsonfeed.org/version/"
JSON_TYPES = ("application/feed+json", "application/json")
_Read = tuple[str | None, list[RawEntry], str | None]  # feed title, entries, warning


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry, cleaned: plain-text title, sanitised HTML body, UTC date as given."""

    key: str
    url: str | None
    title: str | None
    body: str
    published: datetime | None
    hints: PageHints | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its title and entries, and a warning for a recoverable fault."""

    title: str | None
    entries: tuple[ParsedEntry, ...]
    warning: str | None = None


def _one_line(error: object) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def _feedparser_entries(parsed: Any) -> list[RawEntry]:
    raw = []
    for entry in parsed.entries:
        contents = [c for c in entry.get("content", []) if c.get("value")]
        detail = contents[0] if contents else entry.get("summary_detail") or {}
        value = detail.get("value") or entry.get("summary") or ""
        title_detail = entry.get("title_detail") or {}
        source = entry.get("source") or {}
        names = tuple(
            name
            for name in (source.get("title"), entry.get("author"), entry.get("publisher"))
            if isinstance(name, str) and name.strip()
        )
        when = (
            entry.get("published_parsed")
            or entry.get("updated_parsed")
            or entry.get("created_parsed")
        )
        raw.append(
            RawEntry(
                link=entry.get("link"),
                guid=entry.get("id") or None,
                title=entry.get("title"),
                title_is_html="html" in (title_detail.get("type") or ""),
                content=value,
                content_is_html="plain" not in (detail.get("type") or "text/html"),
                published=struct_to_utc(when) if when else None,
                names=names,
            )
        )
    return raw


def _parse_xml(body: bytes, url: str, content_type: str | None) -> _Read:
    # No content-location: feedparser would resolve every element against it
    # (a third of its time); links are resolved here, and in ``clean_html``.
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    charset = _charset(content_type)
    forced, note = choose_encoding(body, charset)
    if not forced and not note and (plain := read_rss(body, content_type)) is not None:
        return plain[0], plain[1], None  # plain RSS 2.0: what feedparser would give, faster
    if forced:
        headers["content-type"] = f"application/xml; charset={forced}"
    # A file-like object: feedparser would open a bytes or str argument as a path.
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries = _feedparser_entries(parsed)
    feed_title = parsed.feed.get("title")
    warning = note
    if parsed.get("bozo"):
        error = parsed.get("bozo_exception")
        usable = entries or (parsed.get("version") and feed_title is not None)
        if not usable:
            raise FeedError(f"not a usable feed: {_one_line(error)}")
        if not isinstance(error, feedparser.CharacterEncodingOverride) or not note:
            warning = f"malformed feed ({_one_line(error)})"
    elif not parsed.get("version") and not entries:
        raise FeedError("not a feed (no RSS, Atom or JSON Feed root element)")
    return feed_title, entries, warning


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in JSON_TYPES or body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _json_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _parse_json_feed(body: bytes) -> _Read:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1), read by hand."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedError("JSON Feed is not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise FeedError(f"not valid JSON: {_one_line(exc)}") from None
    if not isinstance(document, dict):
        raise FeedError("JSON but not a JSON Feed (no top-level object)")
    version = document.get("version")
    items = document.get("items")
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSION):
        raise FeedError("JSON but not a JSON Feed (no jsonfeed.org version)")
    if not isinstance(items, list):
        raise FeedError("JSON Feed without an items list")
    raw = []
    skipped = 0
    for item in items:
        if not isinstance(item, dict):
            skipped += 1
            continue
        content_html = _text(item.get("content_html"))
        content = content_html or _text(item.get("content_text")) or _text(item.get("summary"))
        raw.append(
            RawEntry(
                link=_text(item.get("url")) or _text(item.get("external_url")),
                guid=_text(item.get("id")),
                title=_text(item.get("title")),
                title_is_html=False,
                content=content or "",
                content_is_html=bool(content_html),
                published=_json_date(item.get("date_published"))
                or _json_date(item.get("date_modified")),
            )
        )
    warning = f"skipped {skipped} malformed JSON Feed items" if skipped else None
    return _text(document.get("title")), raw, warning


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _identities(raw: list[RawEntry], base: str, source_id: str) -> list[tuple[str, str | None]]:
    """(key, canonical url) for each entry; see the module docstring for the order."""
    links: list[str | None] = []
    for entry in raw:
        links.append(canonical_web(resolve(base, entry.link)) if entry.link else None)
    shared = Counter(link for link in links if link)
    keys: list[tuple[str, str | None]] = []
    for entry, link in zip(raw, links, strict=True):
        guid = (entry.guid or "").strip()
        identity: str
        if link and (shared[link] == 1 or not guid):
            identity = link
        elif guid and (web_guid := canonical_web(guid)):
            identity = web_guid
        elif guid and _GLOBAL_GUID.match(guid):
            identity = guid
        elif guid:
            identity = f"{source_id}#{guid}"
        else:
            text = f"{entry.title or ''}\n{entry.content}".encode("utf-8", "replace")
            identity = "sha256:" + hashlib.sha256(text).hexdigest()[:32]
        if len(identity) > MAX_KEY_CHARS:
            identity = "sha256:" + hashlib.sha256(identity.encode()).hexdigest()[:32]
        keys.append(("entry:" + identity, link))
    return keys


def parse_feed(body: bytes, *, url: str, content_type: str | None, source_id: str) -> ParsedFeed:
    """Parse one fetched feed body into cleaned entries; raise FeedError if it is unusable.

    A page of HTML raises FeedError naming the feed it advertises, if any.
    """
    if not body.strip():
        raise FeedError("empty response")
    if _looks_like_json(body, content_type):
        title, raw, warning = _parse_json_feed(body)
    elif html_page(body, content_type):
        alternates = find_alternates(body, url)
        hint = f"; it advertises a feed at {alternates[0]}" if alternates else ""
        raise FeedError(f"is an HTML page, not a feed{hint}")
    else:
        check_entities(body, _charset(content_type))
        body = without_entity_sets(body)
        title, raw, warning = _parse_xml(body, url, content_type)
    entries = []
    seen: set[str] = set()
    raw_by_key: dict[str, RawEntry] = {}
    for entry, (key, link) in zip(raw, _identities(raw, url, source_id), strict=True):
        if key in seen or not (link or entry.title or entry.content.strip()):
            continue  # a repeat, or an empty shell (e.g. an unclosed trailing <item>)
        seen.add(key)
        raw_by_key[key] = entry
        base = link or url
        content = entry.content if entry.content_is_html else text_to_html(entry.content)
        entries.append(
            ParsedEntry(
                key=key,
                url=link,
                title=clean_title(entry.title, is_html=entry.title_is_html),
                body=clean_html(content, base),
                published=entry.published,
            )
        )
    feed_title = clean_title(title, is_html=False, limit=MAX_FEED_TITLE_CHARS) if title else None
    names = {k: e.names for k, e in raw_by_key.items()}
    hints = chrome.feed_hints(
        feed_title,
        [chrome.FeedEntry(e.title, e.url, e.body, names.get(e.key, ())) for e in entries],
    )
    entries = [replace(e, hints=h) for e, h in zip(entries, hints, strict=True)]
    return ParsedFeed(title=feed_title, entries=tuple(entries), warning=warning)
