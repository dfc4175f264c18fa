"""Checks on a fetched body before any parser sees it. Pure: bytes in, verdicts out.

- ``check_entities`` refuses XML that declares external or parameter entities
  (XXE) and internal entities whose references would expand past a budget
  (billion laughs, or one large entity referenced many times: feedparser's
  loose parser would otherwise build gigabyte-long strings).
- ``choose_encoding`` corrects a wrong declared character set when the bytes
  say otherwise (valid UTF-8 declared as Latin-1, Shift_JIS declared as UTF-8).
- ``html_page`` and ``find_alternates`` recognise a web page served where a
  feed was expected and find the feeds it advertises (``<link rel=alternate>``).
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from monitor.errors import FeedError
from monitor.urls import is_web_url, resolve

MAX_ENTITY_EXPANSION = 1_000_000  # characters produced by all entity references together
MAX_ENTITY_DECLARATIONS = 100
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

_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY_OPEN = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DECLARATION = re.compile(
    rb"<!ENTITY\s+(?P<pe>%\s*)?(?P<name>[^\s%\"'<>]+)\s+"
    rb"(?P<rest>(?:\"[^\"]*\"|'[^']*'|[^\"'>])*)>",
    re.IGNORECASE,
)
_REFERENCE = re.compile(rb"&([A-Za-z_:][\w.:\-]*);")
_XML_DECL_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_FIRST_TAG = re.compile(
    rb"^(?:\s|\xef\xbb\xbf|<!--.*?-->|<\?xml[^>]*>)*<(!doctype\s+html|[A-Za-z][\w:.\-]*)",
    re.IGNORECASE | re.DOTALL,
)
HTML_ROOTS = (b"html", b"head", b"body")
FEED_ROOTS = (b"rss", b"feed", b"rdf:rdf", b"channel")


def _ascii_view(body: bytes) -> bytes:
    """The body in an ASCII-compatible encoding, sniffed as XML 1.0 Appendix F does."""
    for bom, codec in (
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace").encode("utf-8")
    head = body[:4]
    sniffed = {
        b"\x00\x00\x00<": "utf-32-be",
        b"<\x00\x00\x00": "utf-32-le",
        b"\x00<\x00?": "utf-16-be",
        b"<\x00?\x00": "utf-16-le",
        b"\x4c\x6f\xa7\x94": "cp037",
    }.get(head)
    if sniffed:
        return body.decode(sniffed, "replace").encode("utf-8")
    return body


class _Entities:
    """Internal entity declarations and how long each expands, memoised."""

    def __init__(self, values: dict[bytes, bytes]):
        self.values = values
        self.lengths: dict[bytes, int] = {}

    def length(self, name: bytes, trail: tuple[bytes, ...] = ()) -> int:
        if name in self.lengths:
            return self.lengths[name]
        if name in trail:
            raise FeedError(f"entity &{name.decode(errors='replace')}; refers to itself")
        value = self.values[name]
        total = len(value)
        for match in _REFERENCE.finditer(value):
            ref = match.group(1)
            if ref in self.values:
                total += self.length(ref, (*trail, name)) - len(match.group(0))
            if total > MAX_ENTITY_EXPANSION:
                raise FeedError(f"entity expansion over {MAX_ENTITY_EXPANSION:,} characters")
        self.lengths[name] = total
        return total


def check_entities(body: bytes) -> None:
    """Refuse entity declarations that would fetch something or expand without bound.

    Only the prolog (before the first element) is read for declarations, as
    feedparser does; an external DTD named by ``<!DOCTYPE ... SYSTEM>`` is
    allowed since no parser here ever fetches it. Raises FeedError.
    """
    data = _ascii_view(body)
    first = _FIRST_ELEMENT.search(data)
    head = data[: first.start()] if first else data
    opened = len(_ENTITY_OPEN.findall(head))
    if not opened:
        return
    if opened > MAX_ENTITY_DECLARATIONS:
        raise FeedError(f"declares {opened} entities (at most {MAX_ENTITY_DECLARATIONS})")
    values: dict[bytes, bytes] = {}
    declarations = _DECLARATION.findall(head)
    if len(declarations) != opened:
        raise FeedError("has a malformed entity declaration")
    for pe, name, rest in declarations:
        rest = rest.strip()
        if pe:
            raise FeedError("declares a parameter entity (refused: XXE)")
        if rest[:6].upper() in (b"SYSTEM", b"PUBLIC"):
            raise FeedError(
                f"declares an external entity &{name.decode(errors='replace')}; (refused: XXE)"
            )
        if rest[:1] not in (b'"', b"'"):
            raise FeedError("has a malformed entity declaration")
        values.setdefault(name, rest[1:].split(rest[:1], 1)[0])
    entities = _Entities(values)
    total = 0
    body_part = data[len(head) :]
    for match in _REFERENCE.finditer(body_part):
        name = match.group(1)
        if name in values:
            total += entities.length(name)
            if total > MAX_ENTITY_EXPANSION:
                raise FeedError(
                    f"entity references expand past {MAX_ENTITY_EXPANSION:,} characters "
                    "(refused: billion laughs)"
                )


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
    if _ascii_view(body) is not body or body.startswith(codecs.BOM_UTF8):
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

    The first tag decides; the Content-Type only breaks a tie, since many
    servers label their RSS ``text/html``.
    """
    match = _FIRST_TAG.match(body[:4096])
    first = match.group(1).lower() if match else b""
    if first.startswith(b"!doctype") or first in HTML_ROOTS:
        return True
    if first in FEED_ROOTS or body.lstrip()[:1] in (b"{", b"["):
        return False
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
