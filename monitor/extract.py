"""Extraction: turn one raw document into clean stories. Pure: no network, disk or clock.

    body --(html_to_text | markdown)--> lines --title--> boilerplate.clean
         --> segment.split --> Extracted stories (+ notes for `monitor explain`)

Boilerplate rules live in ``boilerplate.py`` and multi-story splitting in
``segment.py``; this module holds the public API and the orchestration.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

from monitor import boilerplate, chrome, segment
from monitor.boilerplate import fold, is_credit, marker, quote, units, wordset
from monitor.model import ContentType, Extracted, Extraction, PageHints
from monitor.segment import derive_title

__all__ = ["derive_title", "detect_language", "extract", "html_to_text", "normalize"]

_JA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")
JA_SHARE = 0.3
_SPACES = re.compile(r"[^\S\n\u3000]+")
_SENTENCE_STOP = re.compile(r"[.!?:;。！？…][\"'”’)\]」』）]*$")
_NEWLINE = re.compile(r"\r\n?|[\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINE = re.compile(r"\n\s*\n")
_INNER_STOP = re.compile(r"[.!?。！？][\"'”’]?\s+\S")  # a sentence ends inside the line

# --- HTML --------------------------------------------------------------------------------------

_SKIP = wordset("script style template noscript title svg iframe object figure")
_DROP = frozenset({"nav", "aside", "form", "button", "select", "textarea"})
_CHROME = frozenset({"header", "footer"})  # page chrome, unless inside the content
_CONTENT = frozenset({"article", "main"})
_CELL = frozenset({"td", "th", "img"})
_BLOCK = wordset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main ol p pre section table tbody thead tfoot tr ul"
)
# Every "<" is either a complete tag we rewrite without attributes, or text: the stdlib
# parser then never meets an unfinished construct, where it can go quadratic.
_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})(?:[^<>\"']|\"[^\"<]{0,2000}\"|'[^'<]{0,2000}')*+>"
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_NEEDS_CLOSE = (("<!--", "-->"), ("<!", ">"), ("<?", ">"))


def _sanitize_markup(html: str) -> str:
    out: list[str] = []
    closes: dict[str, int] = {}
    pos = 0
    while (lt := html.find("<", pos)) >= 0:
        out.append(html[pos:lt])
        if m := _TAG.match(html, lt):
            out.append(f"<{m[1]}{m[2]}>")
            pos = m.end()
            continue
        for opener, closer in _NEEDS_CLOSE:
            if html.startswith(opener, lt):
                # Cache the next closer: re-searching from every opener would be quadratic.
                if closes.get(closer, -2) != -1 and closes.get(closer, -2) < lt + len(opener):
                    closes[closer] = html.find(closer, lt + len(opener))
                end = closes[closer]
                pos = len(html) if end < 0 else end + len(closer)
                break
        else:
            out.append("&lt;")
            pos = lt + 1
    out.append(html[pos:])
    return "".join(out)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = {"skip": 0, "drop": 0, "content": 0, "pre": 0}
        self.pieces: list[tuple[bool, str]] = []

    def _track(self, tag: str, step: int) -> None:
        kind = (
            "skip" if tag in _SKIP else "drop" if tag in _DROP else
            "content" if tag in _CONTENT else "pre" if tag == "pre" else None
        )  # fmt: skip
        if tag in _CHROME and not self.depth["content"]:
            kind = "drop"
        if kind:
            self.depth[kind] = max(0, self.depth[kind] + step)

    def _emit(self, text: str) -> None:
        self.pieces.append((self.depth["content"] > 0, text))

    def _separate(self, tag: str) -> None:
        # Inline tags (b, a, span) join their text to the words around them.
        if tag in _BLOCK:
            self._emit("\x00")
        elif tag in _CELL:
            self._emit(" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._track(tag, +1)
        if tag == "br":
            self._emit("\x01")
        else:
            self._separate(tag)

    def handle_endtag(self, tag: str) -> None:
        self._separate(tag)
        self._track(tag, -1)

    def handle_data(self, data: str) -> None:
        if self.depth["skip"] or self.depth["drop"]:
            return
        data = _CONTROL.sub("", data)
        # Only ASCII whitespace collapses in HTML; an ideographic space is text.
        self._emit(data.replace("\n", "\x01") if self.depth["pre"] else _HTML_SPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text from untrusted HTML: paragraphs kept, markup and scripts gone.

    Block elements become paragraphs ("\\n\\n"), ``<br>`` a newline; script, style,
    template and noscript go with their content, as do figures (images and their
    captions), nav, aside, form, and header and footer outside the content. When
    the page has ``<article>`` or ``<main>`` text, only that is kept. Entities are
    unescaped and whitespace folded. Never raises; linear in the input size.
    """
    return _html_to_text(html, fast=True)


# Tags whose content the collector drops or treats apart; a document without any is "plain".
_SPECIAL = _SKIP | _DROP | _CHROME | _CONTENT | {"pre", "script", "style"}
_SANITIZED_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})>")


def _plain_pieces(markup: str) -> list[str] | None:
    """What ``_TextCollector`` collects from sanitised markup without special tags, or None.

    After ``_sanitize_markup`` every "<" opens a bare tag, so the stdlib parser would
    only unescape the text between tags and see each tag: done here without it.
    """
    pieces: list[str] = []
    pos = 0
    for m in _SANITIZED_TAG.finditer(markup):
        tag = m[2].lower()
        if tag in _SPECIAL:
            return None
        if m.start() > pos:
            pieces.append(_data(markup[pos : m.start()]))
        if tag == "br" and not m[1]:
            pieces.append("\x01")
        elif tag in _BLOCK:
            pieces.append("\x00")
        elif tag in _CELL:
            pieces.append(" ")
        pos = m.end()
    if pos < len(markup):
        pieces.append(_data(markup[pos:]))
    return pieces


def _data(raw: str) -> str:
    """``_TextCollector.handle_data`` of one text chunk, outside ``<pre>``."""
    text = unescape(raw)
    # Control characters and ASCII whitespace but " " are unprintable: most text has none.
    return text if text.isprintable() else _HTML_SPACE.sub(" ", _CONTROL.sub("", text))


def _html_to_text(html: str, *, fast: bool) -> str:
    """:func:`html_to_text`; ``fast`` skips the stdlib parser on markup without special tags."""
    markup = _sanitize_markup(html)
    if fast and (plain := _plain_pieces(markup)) is not None:
        raw = "".join(plain)
        return _tidy(raw.replace("\x01", "\n").replace("\x00", "\n\n"))
    parser = _TextCollector()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # untrusted input: keep whatever was parsed before the error
        pass
    in_content = any(flag and text.strip() for flag, text in parser.pieces)
    raw = "".join(text for flag, text in parser.pieces if flag or not in_content)
    return _tidy(raw.replace("\x01", "\n").replace("\x00", "\n\n"))


def _fold_spaces(line: str) -> str:
    """One line with its space runs folded to one space and its ends stripped."""
    # str.split() and the regex's \s agree on what is whitespace; split is far faster, but
    # it would also split at an ideographic space, which is text inside a line.
    return _SPACES.sub(" ", line).strip() if "\u3000" in line else " ".join(line.split())


def _tidy(text: str) -> str:
    """Fold spaces inside lines, strip lines, and keep at most one blank line between them."""
    paragraphs = []
    # Carriage returns, other line breaks and control characters are all unprintable.
    if not text.replace("\n", "").isprintable():
        text = _CONTROL.sub("", _NEWLINE.sub("\n", text))
    for block in _BLANK_LINE.split(text):
        lines = [_fold_spaces(line) for line in block.split("\n")]
        if joined := "\n".join(line for line in lines if line):
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


# --- Markdown ----------------------------------------------------------------------------------

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.{0,4000}?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_RULES = (
    (re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,2000}\)"), ""),
    (re.compile(r"\[([^\]\n]{0,500})\](?:\([^)\n]{0,2000}\)|\[[^\]\n]{0,100}\])"), r"\1"),
    (re.compile(r"^ {0,3}\[[^\]\n]{1,100}\]:.*$", re.M), ""),
    (re.compile(r"^ {0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.M), ""),
    (re.compile(r"^ {0,3}(?:[-*_=][ \t]*){3,}$|^ {0,3}(?:```|~~~).*$", re.M), ""),
    (re.compile(r"(?<![\w*_])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?![\w*_])|`"), ""),
    (re.compile(r"[ \t]*#+[ \t]*$", re.M), ""),
)


def _markdown_plain(text: str) -> str:
    for rx, repl in _MD_RULES:
        text = rx.sub(repl, text)
    return text


def _markdown_to_text(body: str) -> tuple[str, str | None]:
    """Plain text and the title (front matter, else a leading ``# Heading``)."""
    title = None
    if front := _FRONT.match(body):
        body = body[front.end() :]
        for line in front[1].splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "title" and value.strip():
                title = value.strip().strip("\"'")
    first = next((line for line in body.splitlines() if line.strip()), "")
    if title is None and re.match(r"^ {0,3}#[ \t]+\S", first):
        title = first
        body = body.replace(first, "", 1)
    return _markdown_plain(body), _markdown_plain(title).strip() if title else None


# --- Titles, language, normalisation -----------------------------------------------------------


def detect_language(text: str) -> str:
    """ "ja" when kana and kanji make up a fair share of the letters, else "en"."""
    if not _JA.search(text):
        return "en"
    ja = len(_JA.findall(text))
    latin = len(_LATIN.findall(text))
    return "ja" if ja / (ja + latin) >= JA_SHARE else "en"


def normalize(text: str) -> str:
    """NFKC normalisation and whitespace folding, for shingling and comparison."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _is_headline(line: str) -> bool:
    return (
        units(line) <= 25
        and len(line) <= 150
        and not line.rstrip("\"'”’").endswith((".", "。", ":"))
        and not _INNER_STOP.search(line)
        and not marker(line)
        and not is_credit(line)
        and any(ch.isalnum() for ch in line)
    )


# --- Orchestration -----------------------------------------------------------------------------


def _lines(text: str, tidy: bool = True) -> list[str]:
    """Non-empty lines, one paragraph each, with hard-wrapped paragraphs rejoined.

    ``tidy=False`` for text that :func:`html_to_text` already tidied (``_tidy`` is
    idempotent: its output has folded spaces, stripped lines and single blank lines).
    """
    text = _tidy(text) if tidy else text
    blocks = [[line for line in b.split("\n") if line] for b in text.split("\n\n")]
    lengths = sorted(len(line) for block in blocks for line in block)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0
    wrapped = 40 <= width <= 100 and sum(len(b) > 2 for b in blocks) * 3 >= len(blocks)
    lines: list[str] = []
    for block in blocks:
        for i, line in enumerate(block):
            previous = block[i - 1] if i else ""
            # A line that reaches the wrap width of hard-wrapped text, or that stops
            # mid-sentence before a lowercase word (a <br>), goes on below.
            if (wrapped and len(previous) >= width - 25) or (
                previous and not _SENTENCE_STOP.search(previous) and line[:1].islower()
            ):
                lines[-1] = f"{lines[-1]} {line}"
            else:
                lines.append(line)
    return lines


def _split_note(boundaries: list[tuple[int, float, bool]], cues: dict[int, str]) -> str:
    where = ", ".join(
        f"{'photo credit' if cue else 'topic shift'} before {quote(cues.get(i, ''))}"
        f" (cohesion {score:.2f})"
        for i, score, cue in boundaries
    )
    return f"split into {len(boundaries) + 1} stories at {where}"


# The note on a document whose first story had no headline (one was made from its lead).
NO_HEADLINE = "no headline: title derived from the lead"


def extract(
    body: str,
    content_type: ContentType,
    title_hint: str | None = None,
    hints: PageHints | None = None,
) -> Extraction:
    """Cut one document into clean stories, and say what was dropped or split.

    ``content_type`` is "text", "markdown" or "html". A ``title_hint`` (a feed
    entry's title) wins over the document's own headline; otherwise a headline
    first line is the title, or one is derived from the lead. Outlet suffixes
    leave the title and page chrome the text before either is taken
    (``monitor.chrome``; ``hints`` are what the feed tells about its chrome). A
    document with no usable text gives no stories.
    """
    return _extract(body, content_type, title_hint, hints, fast=True)


def _extract(
    body: str,
    content_type: ContentType,
    title_hint: str | None,
    hints: PageHints | None,
    *,
    fast: bool,
) -> Extraction:
    """:func:`extract`; ``fast=False`` takes the general path everywhere (the tests compare)."""
    notes: list[str] = []
    title = (title_hint or "").strip() or None
    if title:
        title, note = chrome.clean_title(title, hints)
        if note:
            notes.append(note)
    if content_type == "html":
        body = _html_to_text(body, fast=fast)
    elif content_type == "markdown":
        body, own_title = _markdown_to_text(body)
        if own_title and not title:
            title = own_title
            notes.append(f"title {quote(title)} from the markdown heading or front matter")
    # Fast path: text from html_to_text is tidy already (most feed entries are HTML).
    lines = _lines(body, tidy=not (fast and content_type == "html"))
    headline = None
    if not title and lines and _is_headline(lines[0]):
        # Without a title hint the first line is the headline: never header chrome.
        headline = chrome.clean_title(lines.pop(0), hints)[0]
    stripped = chrome.strip_lines(lines, [title] if title else [], hints)
    lines = stripped.lines
    notes.extend(stripped.notes)
    if headline is None and lines and _is_headline(lines[0]):
        headline = chrome.clean_title(lines.pop(0), hints)[0]
    titles = [t for t in (title, headline) if t]
    title = title or headline
    cleaned = boilerplate.clean(lines, titles)
    notes.extend(cleaned.notes)
    paragraphs = cleaned.paragraphs
    if not paragraphs:
        # A title-only entry: its headline, or the line repeating the title, is the text.
        folded = {fold(t) for t in titles}
        alone = headline or next((line for line in lines if fold(line) in folded), None)
        if not alone:
            return Extraction((), (*notes, "no usable text left"))
        paragraphs = (alone,)
    boundaries = segment.split(paragraphs, [index for index, _ in cleaned.cues])
    if boundaries:
        cues = {i: paragraphs[i] for i, _, _ in boundaries} | dict(cleaned.cues)
        notes.append(_split_note(boundaries, cues))
    edges = [0, *(index for index, _, _ in boundaries), len(paragraphs)]
    stories = []
    for part, (start, end) in enumerate(itertools.pairwise(edges)):
        text = "\n\n".join(paragraphs[start:end])
        story_title, derived = (title, False) if part == 0 and title else (derive_title(text), True)
        if derived and part == 0:
            notes.append(f"{NO_HEADLINE}, {quote(story_title, 60)}")
        stories.append(Extracted(story_title, text, detect_language(text), part, derived))
    return Extraction(tuple(stories), tuple(notes))
