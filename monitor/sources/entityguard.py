"""The entity guard: XML entity declarations refused or bounded before any parser sees the bytes.

Expat (feedparser's strict parser, and the OPML reader) expands internal
entities and feedparser's loose parser expands the "safe" ones it finds, so a
feed declaring ``<!ENTITY lol9 "&lol8;&lol8;...">`` (billion laughs) or one
100 KB entity referenced thousands of times would build gigabytes; external
entities (XXE) would read files or URLs if a parser ever fetched them.

The guard reads the whole prolog the way a parser does: whitespace, byte
order marks, the XML declaration, comments, processing instructions and the
DOCTYPE with its internal subset (quoted literals, comments and PIs inside it
skipped as such), in every view the bytes may be read in (the sniffed
encoding, the declared one, and UTF-16/32 when there are NUL bytes). So a
DOCTYPE behind ``<!-- <a> -->`` is seen; the prolog ends only at the first
start tag outside all of those. Every ``<!ENTITY`` in the prolog counts,
even inside a comment (feedparser's own regular expressions would find it).

Refused: external general entities, parameter entities (except an external
one naming a standard entity set, such as XHTML's ``-//W3C//ENTITIES Latin 1
for XHTML//EN``: no parser here fetches it, and feedparser strips the DTD),
references to undeclared parameter entities, entity references in attribute
defaults, more than ``MAX_ENTITY_DECLARATIONS`` declarations, and references
(anywhere after the declarations) that would expand past ``MAX_ENTITY_EXPANSION``.
"""

from __future__ import annotations

import codecs
import re

from monitor.errors import FeedError

MAX_ENTITY_EXPANSION = 1_000_000  # characters produced by all entity references together
MAX_ENTITY_DECLARATIONS = 100
WIDE_ENCODINGS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")

_ENTITY_OPEN = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DECLARATION = re.compile(
    rb"<!ENTITY\s+(?P<pe>%\s*)?(?P<name>[^\s%\"'<>]+)\s+"
    rb"(?P<rest>(?:\"[^\"]*\"|'[^']*'|[^\"'>])*)>",
    re.IGNORECASE,
)
_REFERENCE = re.compile(rb"&([A-Za-z_:][\w.:\-]*);")
_PE_REFERENCE = re.compile(rb"%([A-Za-z_:][\w.:\-]*);")
_ATTLIST = re.compile(rb"<!ATTLIST(?:\"[^\"]*\"|'[^']*'|[^\"'>])*>", re.IGNORECASE)
_PUBLIC_ID = re.compile(rb"PUBLIC\s*([\"'])(.*?)\1", re.IGNORECASE | re.DOTALL)
_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_DOCTYPE_NAME = re.compile(rb"\s*([^\s\[>]*)")
_QUOTES = (ord('"'), ord("'"))


def ascii_view(body: bytes) -> bytes:
    """The body in an ASCII-compatible encoding, sniffed as XML 1.0 Appendix F does."""
    for bom, codec in (
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace").encode("utf-8")
    sniffed = {
        b"\x00\x00\x00<": "utf-32-be",
        b"<\x00\x00\x00": "utf-32-le",
        b"\x00<\x00?": "utf-16-be",
        b"<\x00?\x00": "utf-16-le",
        b"\x4c\x6f\xa7\x94": "cp037",
    }.get(body[:4])
    if sniffed:
        return body.decode(sniffed, "replace").encode("utf-8")
    return body


def _views(body: bytes, charset: str | None) -> list[bytes]:
    """Every reading of the bytes a parser might make, each as UTF-8."""
    first = ascii_view(body)
    views = [first]
    names = [charset] if charset else []
    declared = _ENCODING.match(first[:400])
    if declared:
        names.append(declared.group(1).decode("ascii"))
    if b"\x00" in body[:4096]:  # never in XML text: a wide encoding without a BOM
        names.extend(WIDE_ENCODINGS)
    seen = {"utf-8", "ascii"}
    for name in names:
        try:
            info = codecs.lookup(name.strip().strip("\"'"))
            if info.name in seen or not getattr(info, "_is_text_encoding", True):
                continue
            seen.add(info.name)
            views.append(body.decode(info.name, "replace").encode("utf-8"))
        except (LookupError, TypeError, ValueError):
            continue
    return views


def _skip_quoted(data: bytes, i: int) -> int:
    end = data.find(data[i : i + 1], i + 1)
    return len(data) if end < 0 else end + 1


def _skip_past(data: bytes, i: int, marker: bytes) -> int:
    end = data.find(marker, i)
    return len(data) if end < 0 else end + len(marker)


def _skip_subset(data: bytes, i: int) -> int:
    """From inside ``[``: past the matching ``]`` of an internal subset."""
    while i < len(data):
        if data.startswith(b"<!--", i):
            i = _skip_past(data, i + 4, b"-->")
        elif data.startswith(b"<?", i):
            i = _skip_past(data, i + 2, b"?>")
        elif data[i] in _QUOTES:
            i = _skip_quoted(data, i)
        elif data[i] == ord("]"):
            return i + 1
        else:
            i += 1
    return i


def _skip_declaration(data: bytes, i: int) -> int:
    """From inside ``<!``: past its closing ``>``, literals and an internal subset skipped."""
    while i < len(data):
        if data[i] in _QUOTES:
            i = _skip_quoted(data, i)
        elif data[i] == ord("["):
            i = _skip_subset(data, i + 1)
        elif data[i] == ord(">"):
            return i + 1
        else:
            i += 1
    return i


def _is_name_start(byte: int) -> bool:
    return chr(byte).isalpha() or byte in b"_:" or byte >= 0x80


def scan_prolog(data: bytes) -> tuple[int, bytes | None]:
    """Where the prolog ends (the first start tag outside markup) and the DOCTYPE's name."""
    end, name, _ = _scan(data)
    return end, name


def _scan(data: bytes) -> tuple[int, bytes | None, tuple[int, int] | None]:
    """The prolog's end, the DOCTYPE's name and where the (first) DOCTYPE is.

    Text that is not markup (a BOM, stray characters) is stepped over, not
    taken as the end: a parser that tolerates it must not find a DOCTYPE
    the guard missed.
    """
    i, doctype, span = 0, None, None
    while i < len(data):
        if data.startswith(b"<?", i):
            i = _skip_past(data, i + 2, b"?>")
        elif data.startswith(b"<!--", i):
            i = _skip_past(data, i + 4, b"-->")
        elif data[i : i + 9].upper() == b"<!DOCTYPE":
            start = i
            i = _skip_declaration(data, i + 9)
            if doctype is None:
                name = _DOCTYPE_NAME.match(data, start + 9)
                doctype = name.group(1).lower() if name else b""
                span = (start, i)
        elif data.startswith(b"<!", i):
            i = _skip_declaration(data, i + 2)
        elif data[i] == ord("<") and i + 1 < len(data) and _is_name_start(data[i + 1]):
            return i, doctype, span
        else:
            following = data.find(b"<", i + 1)
            i = len(data) if following < 0 else following
    return len(data), doctype, span


def without_entity_sets(body: bytes) -> bytes:
    """The body without a DOCTYPE that pulls in entity sets (checked already) or is XHTML's.

    Expat would skip the unfetched set or DTD and drop ``&eacute;`` silently;
    without the DOCTYPE it stops at the undefined entity and feedparser's
    lenient parser, which knows the HTML entities, reads the feed whole.
    Bytes in an encoding that is not ASCII-compatible are left as they are.
    """
    if ascii_view(body) is not body:
        return body
    _, name, span = _scan(body)
    if span is None or not (name == b"html" or _PE_REFERENCE.search(body, span[0], span[1])):
        return body
    return body[: span[0]] + body[span[1] :]


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


def _standard_entity_set(rest: bytes) -> bool:
    """An external parameter entity naming an SGML/XML entity set by its public identifier."""
    public = _PUBLIC_ID.match(rest)
    return bool(public) and b"//ENTITIES " in public.group(2).upper()  # type: ignore[union-attr]


def _declarations(head: bytes) -> tuple[dict[bytes, bytes], set[bytes]]:
    """The internal general entities and the allowed parameter entities the prolog declares."""
    opened = len(_ENTITY_OPEN.findall(head))
    if opened > MAX_ENTITY_DECLARATIONS:
        raise FeedError(f"declares {opened} entities (at most {MAX_ENTITY_DECLARATIONS})")
    declarations = _DECLARATION.findall(head)
    if len(declarations) != opened:
        raise FeedError("has a malformed entity declaration")
    values: dict[bytes, bytes] = {}
    parameters: set[bytes] = set()
    for pe, name, rest in declarations:
        rest = rest.strip()
        shown = name.decode(errors="replace")
        if pe:
            if not _standard_entity_set(rest):
                raise FeedError("declares a parameter entity (refused: XXE)")
            parameters.add(name)
            continue
        if rest[:6].upper() in (b"SYSTEM", b"PUBLIC"):
            raise FeedError(f"declares an external entity &{shown}; (refused: XXE)")
        if rest[:1] not in (b'"', b"'"):
            raise FeedError("has a malformed entity declaration")
        values.setdefault(name, rest[1:].split(rest[:1], 1)[0])
    return values, parameters


def _check_view(data: bytes) -> None:
    end, _ = scan_prolog(data)
    head = data[:end]
    if b"<!" not in head or not (_ENTITY_OPEN.search(head) or b"%" in head):
        return
    values, parameters = _declarations(head)
    for match in _PE_REFERENCE.finditer(_DECLARATION.sub(b"", head)):
        if match.group(1) not in parameters:
            raise FeedError("refers to an undeclared parameter entity (refused: XXE)")
    if not values:
        return
    for attlist in _ATTLIST.findall(head):
        if any(ref in values for ref in _REFERENCE.findall(attlist)):
            raise FeedError("uses an entity in an attribute default (refused: billion laughs)")
    entities = _Entities(values)
    total = 0
    # References anywhere but in the declarations themselves (comments included:
    # a lenient parser may not see a comment where the guard does).
    for part in (_DECLARATION.sub(b"", head), data[end:]):
        for match in _REFERENCE.finditer(part):
            name = match.group(1)
            if name in values:
                total += entities.length(name)
                if total > MAX_ENTITY_EXPANSION:
                    raise FeedError(
                        f"entity references expand past {MAX_ENTITY_EXPANSION:,} characters "
                        "(refused: billion laughs)"
                    )


def check_entities(body: bytes, charset: str | None = None) -> None:
    """Refuse entity declarations that would fetch something or expand without bound.

    ``charset`` is the one the HTTP headers declare, if any (a parser may
    decode the bytes with it). A ``<!DOCTYPE ... SYSTEM "...">`` naming an
    external DTD is allowed, since no parser here ever fetches it. Raises FeedError.
    """
    for view in _views(body, charset):
        _check_view(view)
