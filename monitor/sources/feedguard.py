"""Checks on a fetched body before any parser sees it. Pure: bytes in, verdicts out.

- ``check_entities`` (from ``entityguard``) refuses XML that declares external
  or parameter entities (XXE) and internal entities whose references would
  expand past a budget (billion laughs, or one large entity referenced many
  times), reading the whole prolog in every encoding the bytes may be read in.
- ``choose_encoding`` corrects a wrong declared character set when the bytes
  say otherwise (valid UTF-8 declared as Latin-1, Shift_JIS declared as UTF-8).
- ``html_page`` and ``find_alternates`` recognise a web page served where a
  feed was expected and find the feeds it advertises (``<link rel=alternate>``).
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from monitor.sources.entityguard import (
    MAX_ENTITY_DECLARATIONS,
    MAX_ENTITY_EXPANSION,
    ascii_view,
    check_entities,
    scan_prolog,
)
from monitor.urls import is_web_url, resolve

__all__ = [
    "MAX_ENTITY_DECLARATIONS",
    "MAX_ENTITY_EXPANSION",
    "check_entities",
    "choose_encoding",
    "find_alternates",
    "html_page",
]

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
    "application/json",
    "application/xml",
    "text/xml",
)
FALLBACK_ENCODINGS = ("cp932", "euc_jp")  # what mislabelled Japanese feeds really are

_XML_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_ROOT_NAME = re.compile(rb"[^\s/>]+")
HTML_ROOTS = (b"html", b"head", b"body")
FEED_ROOTS = (b"rss", b"feed", b"rdf:rdf", b"channel")


def _declared(body: bytes, http_charset: str | None) -> str | None:
    if http_charset:
        return http_charset.strip().strip("\"'").lower()
    match = _XML_DECL_ENCODING.match(body.lstrip()[:200])
    return match.group(1).decode("ascii").lower() if match else None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def choose_encoding(body: bytes, http_charset: str | None) -> tuple[str | None, str | None]:
    """The character set to impose on a feed, and a note saying why, or (None, None).

    Bytes with a BOM or in UTF-16/32 are left to the parser. Valid non-ASCII
    UTF-8 is UTF-8 whatever the label says; bytes that are not what
    their label says are tried as Shift_JIS (cp932) and EUC-JP.
    """
    if ascii_view(body) is not body or body.startswith(codecs.BOM_UTF8):
        return None, None
    declared = _declared(body, http_charset)
    declared_codec = _codec(declared) if declared else None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Non-ASCII text that happens to be valid UTF-8 in another encoding is
        # vanishingly rare: the bytes outvote the label.
        if declared and declared_codec != "utf-8" and not body.isascii():
            return "utf-8", f"declared {declared} but is UTF-8"
        return None, None
    if declared_codec and declared_codec != "utf-8":
        try:
            body.decode(declared_codec)
            return None, None
        except UnicodeDecodeError:
            pass
    for candidate in FALLBACK_ENCODINGS:
        try:
            body.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate, f"declared {declared or 'no encoding'} but is {candidate}"
    return None, None


def html_page(body: bytes, content_type: str | None) -> bool:
    """Whether a body is a web page rather than a feed.

    The root element decides (past the XML declaration, comments and any
    DOCTYPE: an RSS document may start with an XHTML ``<!DOCTYPE html>``); a
    DOCTYPE html without a known root, then the Content-Type, break a tie,
    since many servers label their RSS ``text/html``.
    """
    head = ascii_view(body[:8192])
    end, doctype = scan_prolog(head)
    root = _ROOT_NAME.match(head, end + 1)
    first = root.group(0).lower() if root and end < len(head) else b""
    if first in HTML_ROOTS:
        return True
    if first in FEED_ROOTS or body.lstrip()[:1] in (b"{", b"["):
        return False
    if doctype == b"html":
        return True
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in ("text/html", "application/xhtml+xml")


class _AlternateFinder(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.found: list[str] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.done = True
        if tag == "base":
            href = dict(attrs).get("href")
            if href and is_web_url(resolve(self.base, href)):
                self.base = resolve(self.base, href)
        if tag != "link" or self.done:
            return
        values = {name: (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        href = values.get("href", "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            url = resolve(self.base, href)
            if is_web_url(url) and url not in self.found:
                self.found.append(url)


def find_alternates(body: bytes, base_url: str) -> list[str]:
    """Feed URLs a web page advertises with ``<link rel="alternate" type=...>``, in page order."""
    finder = _AlternateFinder(base_url)
    try:
        finder.feed(body[: 512 * 1024].decode("utf-8", "replace"))
        finder.close()
    except Exception:  # a broken page simply advertises nothing more
        pass
    return finder.found
