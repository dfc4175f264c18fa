"""OPML 1.0/2.0 feed lists: read (nested outlines flattened), write, add to and remove from.

Each ``<outline>`` with an ``xmlUrl`` is a feed; its ``title`` or ``text``
is the name, and an optional ``weight`` attribute (monitor's own, which
other readers ignore) scales its relevance. Reading goes through the same
entity guard as feeds, since an OPML file to import may come from anywhere.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

from monitor.config import FeedSettings
from monitor.errors import ConfigError, FeedError
from monitor.fsutil import write_atomically
from monitor.sources.feedguard import check_entities
from monitor.urls import is_web_url

MAX_OPML_BYTES = 5 * 1024 * 1024
OPML_TITLE = "Feeds followed by monitor"


def parse_opml(data: bytes, origin: str) -> list[FeedSettings]:
    """The feeds an OPML document lists, in document order; ConfigError if unreadable."""
    try:
        check_entities(data)
        root = ET.fromstring(data)
    except FeedError as exc:
        raise ConfigError(f"{origin}: refused OPML file: {exc}") from None
    except ET.ParseError as exc:
        raise ConfigError(f"{origin}: not valid OPML (XML error: {exc})") from None
    if root.tag.lower() != "opml":
        raise ConfigError(f"{origin}: not an OPML file (root element <{root.tag}>)")
    feeds: list[FeedSettings] = []
    problems: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        if not is_web_url(url):
            problems.append(f"{origin}: outline {url[:80]!r}: not an http(s) URL")
            continue
        name = (outline.get("title") or outline.get("text") or "").strip() or None
        weight = 1.0
        if outline.get("weight"):
            try:
                weight = float(outline.get("weight", ""))
            except ValueError:
                weight = math.nan
            if not 0.0 <= weight <= 10.0:
                problems.append(f"{origin}: outline {url}: weight must be a number from 0 to 10")
                continue
        feeds.append(FeedSettings(url=url, name=name, weight=weight))
    if problems:
        raise ConfigError("\n".join(problems))
    return feeds


def read_opml(path: Path) -> list[FeedSettings]:
    """The feeds an OPML file lists; ConfigError naming the file if it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_OPML_BYTES:
            raise ConfigError(f"{path}: OPML file over {MAX_OPML_BYTES:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: OPML file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read OPML file: {exc.strerror}") from None
    return parse_opml(data, str(path))


def render_opml(feeds: list[FeedSettings], title: str) -> str:
    """An OPML 2.0 document listing ``feeds``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.name or feed.url, "xmlUrl": feed.url}
        if feed.name:
            attributes["title"] = feed.name
        if feed.weight != 1.0:
            attributes["weight"] = f"{feed.weight:g}"
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def replace_text(path: Path, text: str) -> None:
    """Atomically replace a file's text, keeping its mode (see ``fsutil.write_atomically``)."""
    write_atomically(path, text.encode("utf-8"))


def save_opml(path: Path, feeds: list[FeedSettings]) -> None:
    """Write ``feeds`` as the OPML file at ``path`` (created if missing)."""
    try:
        replace_text(path, render_opml(feeds, OPML_TITLE))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write OPML file: {exc.strerror}") from None
