"""OPML 1.0/2.0 feed lists: read (nested outlines flattened into tags), write, add, remove.

Each ``<outline>`` with an ``xmlUrl`` is a feed; its ``title`` or ``text``
is the name, and an optional ``weight`` attribute (monitor's own, which
other readers ignore) scales its relevance. The folders a feed sits in (outer
outlines without ``xmlUrl``) and its ``category`` attribute become its tags;
writing puts a feed in the folder of its first tag and lists the others in
``category``, so a read of the written file gives the same tags back.

An outline that cannot be used (a ``javascript:`` or ``ftp:`` URL, a bad
weight) is one problem line; the others are still read. Only a file that is
not OPML at all is refused as a whole. Reading goes through the same entity
guard as feeds, since an OPML file to import may come from anywhere.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

from monitor.errors import ConfigError, FeedError
from monitor.fsutil import write_atomically
from monitor.settings import FeedSettings
from monitor.sources.feedguard import check_entities
from monitor.urls import is_web_url

MAX_OPML_BYTES = 5 * 1024 * 1024
OPML_TITLE = "Feeds followed by monitor"


def _label(outline: ET.Element) -> str:
    return " ".join((outline.get("title") or outline.get("text") or "").split())


def _categories(outline: ET.Element) -> list[str]:
    """OPML 2.0 ``category``: comma-separated, each a slash-delimited path ("/Tech/AI")."""
    tags = []
    for entry in (outline.get("category") or "").split(","):
        tags.extend(part.strip() for part in entry.split("/") if part.strip())
    return tags


def _feed(outline: ET.Element, url: str, folders: list[str], origin: str) -> FeedSettings | str:
    """The feed an outline lists, or the problem line saying why it cannot be used."""
    if not is_web_url(url):
        return f"{origin}: outline {url[:80]!r}: not an http(s) URL, skipped"
    weight = 1.0
    if outline.get("weight"):
        try:
            weight = float(outline.get("weight", ""))
        except ValueError:
            weight = math.nan
        if not 0.0 <= weight <= 10.0:
            return f"{origin}: outline {url}: weight must be a number from 0 to 10, skipped"
    tags = tuple(dict.fromkeys([*folders, *_categories(outline)]))
    return FeedSettings(url=url, name=_label(outline) or None, weight=weight, tags=tags)


def parse_opml(data: bytes, origin: str) -> tuple[list[FeedSettings], list[str]]:
    """The feeds an OPML document lists, in document order, and one line per unusable outline.

    ConfigError if the document as a whole cannot be read.
    """
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

    def walk(parent: ET.Element, folders: list[str]) -> None:
        for outline in parent.findall("outline"):
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if url:
                found = _feed(outline, url, folders, origin)
                if isinstance(found, str):
                    problems.append(found)
                else:
                    feeds.append(found)
            label = _label(outline)
            # A folder's own name and categories apply to every feed inside it.
            inner = folders + ([label] if label and not url else []) + _categories(outline)
            walk(outline, inner if not url else folders)

    body = root.find("body")
    walk(body if body is not None else root, [])
    return feeds, problems


def read_opml(path: Path) -> tuple[list[FeedSettings], list[str]]:
    """The feeds an OPML file lists and its unusable outlines; ConfigError if unreadable."""
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
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.name or feed.url, "xmlUrl": feed.url}
        if feed.name:
            attributes["title"] = feed.name
        if feed.weight != 1.0:
            attributes["weight"] = f"{feed.weight:g}"
        parent = body
        if feed.tags:
            first, *others = feed.tags
            if first not in folders:
                folders[first] = ET.SubElement(body, "outline", {"text": first, "title": first})
            parent = folders[first]
            if others:
                # "," and "/" separate categories and their paths: in a tag they become spaces.
                clean = (t.replace("/", " ").replace(",", " ") for t in others)
                attributes["category"] = ",".join("/" + tag for tag in clean)
        ET.SubElement(parent, "outline", attributes)
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
