"""Line-level boilerplate removal for news text, in the spirit of jusText. Pure.

Each line is classified by pattern (newsletter, app-store, share, community,
related-links, comment and audio prompts; photo credits), by length and by
whether it reads as a sentence. Then:

* the footer is cut at the earliest line after which the text holds a
  boilerplate marker and little prose, so teasers and bios among the footer
  blocks go with it;
* remaining marker lines, photo credits with their captions, a repeat of the
  title near the top, and stray fragments ("Japan has") are dropped;
* inline source citations such as "(benzinga.com)" are removed.

A photo credit leaves a *cue*: the place where a glued-on story may begin.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CJK = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_TERMINAL = re.compile(r"[.!?。！？…][\"'”’)\]」』）]*$")


def wordset(words: str) -> frozenset[str]:
    """A frozenset from a space-separated word list (keeps long lists readable)."""
    return frozenset(words.split())


FUNCTION_WORDS = wordset(
    "a an the of to in on at by for from with and or but as that which who has have had "
    "is are was were be been will would can could should may might its their his her our "
    "your this these those than into about over after before says said"
)

# Boilerplate markers by category, matched case-insensitively on lines of at most
# _MARKER_MAX_CHARS characters. Most are anchored calls to action, which real news
# sentences rarely open with.
_MARKERS = {
    "newsletter": (
        r"^(subscribe|sign up|signup|register)\b",
        r"newsletter subscriptions? (is|are) subject",
        r"\bour (daily |weekly )?newsletters?\b",
        r"\bin your inbox\b",
        r"^join our editors\b",
        r"^enter your e-?mail",
        r"^by (subscribing|signing up)\b",
        r"^get (your|our|the) (own )?(daily|free|weekly|morning|evening)\b",
        r"ニュースレター|メルマガ|メールマガジン|会員登録",
    ),
    "app": (
        r"^download (our|the)\b.*\bapp\b",
        r"\bapp store\b|\bgoogle play\b",
        r"^(shared from|get the app|open in app)\b",
        r"アプリ(を|で)?(ダウンロード|入手)",
    ),
    "audio": (r"^(listen to (this|the) (story|article|episode)\b|(audio|listen)$)",),
    "comments": (
        r"^((leave|post|add|write) a (comment|reply)\b|\d+ comments?$|comments?$)",
        r"^(view|show|load) comments\b",
        r"^コメント(する|を書く|を投稿)?$",
    ),
    "share": (
        r"^(share (this|on|via|the)\b|share$|(follow|like) us\b)",
        r"\bfollow us on\b",
        r"^(click (here )?to (share|print|email)\b|(tweet|email|print|copy link)$)",
        r"^(この記事を)?(シェア|共有)(する)?$",
    ),
    "community": (
        r"\b(telegram|whatsapp|slack|discord) (group|channel|server|community)\b",
        r"^join (our|the) (community|discord|telegram|slack|whatsapp)\b",
        r"\bways to join\b",
    ),
    "related": (
        r"^(our )?(recent|related|recommended|popular|trending|latest|more|top|upcoming) "
        r"(stories|articles|posts|news|reads|reading|videos|events)\b",
        r"^(related|read more|read next|see also|also read|more from|continue reading)\b",
        r"^(you may also like|recommended for you)\b",
        r"^(関連記事|関連ニュース|あわせて読みたい|おすすめ記事|人気記事|次の記事|前の記事)",
    ),
    "author": (r"^about the authors?\b", r"^(著者|筆者)(について|プロフィール)"),
    "advert": (r"^(advertisement|sponsored|sponsored content|ad|広告)$",),
    "byline": (
        r"^by( [\w.'’-]+){1,4}( (and|&)( [\w.'’-]+){1,4})?$",
        r"^(last )?(updated|published|posted)( on| at)?:? ?(\d|(jan|feb|mar|apr|may|jun|jul|aug|"
        r"sep|oct|nov|dec)[a-z]*\.? \d)",
        r"^\d{1,2} min(ute)?s? read$",
    ),
}


def _combined(anchored: bool) -> re.Pattern[str]:
    # Anchored patterns are tried at the start only (.match), the rest everywhere.
    groups = (
        f"(?P<{name}>{'|'.join(p.removeprefix('^') for p in patterns)})"
        for name, all_patterns in _MARKERS.items()
        if (patterns := [p for p in all_patterns if p.startswith("^") == anchored])
    )
    return re.compile("|".join(groups))


_MARKER_START, _MARKER_ANYWHERE = _combined(True), _combined(False)
_MARKER_MAX_CHARS = 200
# Interstitials ("Advertisement", "Listen to this story") and bylines recur inside a
# body or sit at its top; they are dropped where they stand but do not signal that
# the footer has begun.
_FOOTER_KINDS = frozenset(
    {"newsletter", "app", "comments", "share", "community", "related", "author"}
)

_AGENCY = re.compile(
    r"getty|images?\b|photos?\b|reuters|\bap\b|afp|bloomberg|shutterstock|istock|unsplash|"
    r"\bepa\b|associated press|nurphoto|anadolu|kyodo|jiji|xinhua|alamy|sipa|zuma|\bpool\b",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^[(（]?\s*((photo(graph)?|image|picture|illustration|video)s?( credits?| courtesy)?"
    r"\s*(by\b|:|：)|(credits?|courtesy)\s*:|(写真|画像|撮影|出典)\s*[:：])",
    re.IGNORECASE,
)
_SLASH_CREDIT = re.compile(r"^[^.]{1,80}/\s?(getty images|reuters|afp|ap|bloomberg)$", re.I)
_INLINE_CREDIT = re.compile(
    r"\s*[(（](photo(graph)?|image|picture)s?( credits?)?\s*(by\b|:)[^()（）]{0,200}[)）]",
    re.IGNORECASE,
)
# "(benzinga.com)", "(meti.go.jp 1)": a bare domain in brackets cites a source.
_CITATION = re.compile(r"\s*\((?:[a-z0-9-]{1,63}\.){1,6}[a-z]{2,24}(?: \d{1,2})?\)", re.I)
_CAPTION_MAX_CHARS = 350


def units(line: str) -> int:
    """Rough word count that also works without spaces: two CJK characters make a word."""
    if line.isascii():
        return len(line.split())
    cjk = len(_CJK.findall(line))
    return len(_CJK.sub(" ", line).split()) + (cjk + 1) // 2


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends with a full stop, question or exclamation mark (and quotes)."""
    return bool(_TERMINAL.search(line[-8:]))


def is_sentence(line: str) -> bool:
    """A line that ends like a sentence and is more than a label."""
    return ends_sentence(line) and units(line) >= 3


def marker(line: str) -> str | None:
    """The boilerplate category of a short line, or None."""
    if len(line) > _MARKER_MAX_CHARS:
        return None
    line = line.lower()
    m = _MARKER_START.match(line) or _MARKER_ANYWHERE.search(line)
    return m.lastgroup if m else None


def credit_style(line: str) -> str | None:
    """The kind of photo credit ``line`` is, or None.

    "byline": an agency credit alone ("Name | Agency | Getty Images", "Name/Reuters"),
    which wire copy puts under its caption line; "labelled": "Photo: ...",
    "Image credit: ...", "写真：...", which stands alone or carries its own caption.
    """
    if len(line) > 160 or (ends_sentence(line) and "|" in line):
        return None
    if _CREDIT_LINE.match(line):
        return "labelled"
    if _SLASH_CREDIT.match(line):
        return "byline"
    parts = [p.strip() for p in line.split("|")]
    if 2 <= len(parts) <= 5 and all(0 < len(p.split()) <= 6 for p in parts):
        return "byline" if _AGENCY.search(line) else None
    return None


def is_credit(line: str) -> bool:
    """A photo credit line: "Name | Agency | Getty Images", "Photo: ...", "写真：..."."""
    return credit_style(line) is not None


def _is_fragment(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 6
        and words[-1].lower().strip(",;:") in FUNCTION_WORDS
        and not is_sentence(line)
    )


def _is_prose(line: str) -> bool:
    return is_sentence(line) and units(line) >= 8


def fold(line: str) -> str:
    """A line reduced for comparison: case and whitespace folded."""
    return " ".join(line.split()).casefold()


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The kept paragraphs, the cues (index of the paragraph a credit precedes), notes."""

    paragraphs: tuple[str, ...]
    cues: tuple[tuple[int, str], ...]
    notes: tuple[str, ...]


def quote(text: str, limit: int = 40) -> str:
    """A short quotation of ``text`` for a note."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}'"


_BIO_VERBS = r"(is an?|was an?|writes|covers|reports|dives|joined|specializes|focuses|loves)\b"


def _kinds(lines: Sequence[str]) -> list[str | None]:
    kinds = [marker(line) for line in lines]
    # An author box near the end: a name line, then a bio opening with that name.
    for i in range(max(0, min(len(lines) // 2, len(lines) - 6)), len(lines) - 1):
        name = lines[i].split()
        if (
            kinds[i] is None
            and 2 <= len(name) <= 4
            and all(w[:1].isupper() and w.isalpha() for w in name)
            and re.match(
                rf"{re.escape(name[0])}( {re.escape(name[-1])})? {_BIO_VERBS}", lines[i + 1]
            )
        ):
            kinds[i] = kinds[i + 1] = "author"
    return kinds


def find_footer(lines: Sequence[str], kinds: list[str | None]) -> int:
    """Index of the first footer line, or ``len(lines)`` when there is no footer.

    The footer starts at the earliest footer-marker line after which the prose
    left (sentence-like lines of eight words or more) is under a fifth of the
    prose before it, in no more lines than half the number of distinct marker
    categories that follow (a promo blurb among newsletter and app blocks goes;
    a last paragraph between an advert and a share button stays).
    """
    n = len(lines)
    if not any(kind in _FOOTER_KINDS for kind in kinds):
        return n  # only a footer-marker line can start the footer: spare the prose tests
    prose = [len(line) if _is_prose(line) and not kinds[i] else 0 for i, line in enumerate(lines)]
    tail_chars = tail_lines = 0
    categories: set[str] = set()
    suffix = [(0, 0, 0)] * n
    for i in range(n - 1, -1, -1):
        tail_chars += prose[i]
        tail_lines += prose[i] > 0
        if kinds[i] in _FOOTER_KINDS:
            categories.add(kinds[i] or "")
        suffix[i] = (tail_chars, tail_lines, len(categories))
    head = 0
    for i in range(n):
        chars, plines, kinds_after = suffix[i]
        if kinds[i] in _FOOTER_KINDS and chars <= 0.2 * head and plines <= kinds_after // 2:
            return i
        head += prose[i]
    return n


_LABELS = {
    "newsletter": "newsletter prompt",
    "app": "app-store line",
    "audio": "audio prompt",
    "comments": "comment prompt",
    "share": "share/follow prompt",
    "community": "community block line",
    "related": "related-links heading",
    "author": "author bio line",
    "advert": "advert label",
    "byline": "byline or dateline",
}


def _note(label: str, lines: list[str]) -> str:
    if len(lines) == 1:
        return f"dropped {label} {quote(lines[0])}"
    return f"dropped {len(lines)} {label}s, e.g. {quote(lines[0])}"


def clean(lines: Sequence[str], titles: Sequence[str] = ()) -> Cleaned:
    """Drop boilerplate from ``lines`` (one paragraph each, headline already taken off).

    ``titles`` are the document's headline and any title hint: a repeat of one of
    them near the top is dropped too.
    """
    # Both patterns need a bracket; a plain "in" test is much cheaper than the search.
    citations = [c.strip() for line in lines if "(" in line for c in _CITATION.findall(line)]
    lines = [_CITATION.sub("", line) if "(" in line else line for line in lines]
    kinds = _kinds(lines)
    end = find_footer(lines, kinds)
    notes = []
    if end < len(lines):
        count = len(lines) - end
        notes.append(
            f"dropped {count} boilerplate line{'s' * (count > 1)} from {quote(lines[end])}"
            " to the end (footer)"
        )
    folded_titles = {fold(t) for t in titles if t}
    kept: list[str] = []
    cues: list[tuple[int, str]] = []
    dropped: dict[str, list[str]] = {}
    for i, line in enumerate(lines[:end]):
        kind = kinds[i]
        label = _LABELS[kind] if kind else None
        if label is None and i < 5 and fold(line) in folded_titles:
            label = "repeated title"
        elif label is None and (style := credit_style(line)):
            label = "photo credit"
            caption = ""
            # The line just above a byline credit is its caption, unless it is long
            # prose or already the first line of the story this credit's photo opens.
            if (
                style == "byline"
                and kept
                and len(kept[-1]) <= _CAPTION_MAX_CHARS
                and not (cues and cues[-1][0] == len(kept))
            ):
                caption = kept.pop()
                dropped.setdefault("photo caption", []).append(caption)
            cues.append((len(kept), caption or line))
        elif label is None and _is_fragment(line):
            label = "stray fragment"
        elif label is None and not any(ch.isalnum() for ch in line):
            label = "line without words"
        if label is None:
            bracketed = "(" in line or "（" in line
            if bracketed and (
                credits := [m.group().strip() for m in _INLINE_CREDIT.finditer(line)]
            ):
                dropped.setdefault("inline photo credit", []).extend(credits)
                line = _INLINE_CREDIT.sub("", line)
            if line.strip():
                kept.append(line.strip())
        else:
            dropped.setdefault(label, []).append(line)
    notes.extend(_note(label, items) for label, items in dropped.items())
    if citations:
        notes.append(f"removed {len(citations)} inline source citations like {quote(citations[0])}")
    return Cleaned(tuple(kept), tuple(cues), tuple(notes))
