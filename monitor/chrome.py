"""Page chrome around an article: outlet suffixes in titles, template lines, the header block. Pure.

What a reader, and the same-story fingerprints, should see of an entry is the
article: its headline and its text. Feeds wrap both in chrome:

* titles carry the outlet: "Japan's exports jump - Reuters", "... | Reuters",
  "... - Bloomberg.com", and aggregators stack two, "見出し（ロイター） - Yahoo!ニュース";
* bodies repeat the site's template in every entry ("Set CNA as your preferred
  source on Google", "Read a summary of this article on FAST.") and open with a
  header block: section label, share buttons, timestamp, photo caption;
* headline-only entries (Google News) hold the headline again plus the outlet.

Nothing here knows a particular site. Outlet names come from the feed itself
(``feed_hints``): its channel title, each entry's ``<source>`` and author, the
link's host, and any trailing title segment that recurs across the feed's
entries; a feed whose titles mostly end in "separator + short segment" is an
aggregator, and every such last segment in it is an outlet. Template lines are
text blocks that recur verbatim across a feed's entries.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.boilerplate import ends_sentence, is_credit, marker, units
from monitor.model import PageHints

# " - Reuters", " | Reuters", " – Reuters", " — Reuters", " ｜ ロイター": spaces on both sides,
# so a dash inside a headline ("前倒し－外国製品", "Uniper- Bloomberg") is never a separator.
_SUFFIX = re.compile(r"\s+[-–—|｜]\s+(?P<seg>[^-–—|｜]{1,48}?)\s*$")
_PAREN_SUFFIX = re.compile(r"\s*[（(](?P<seg>[^（）()]{1,24})[）)]\s*$")
# The same credit where it opens the rest of a text line, before the aggregator's name.
_CREDIT_HEAD = re.compile(r"^[（(](?P<seg>[^（）()]{1,24})[）)]\s*(?:[-–—|｜]\s+)?")
_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]{2,63}(?:\.[a-z0-9-]{2,63}){1,3}$", re.I)
_HOST_NOISE = re.compile(r"^(?:www|m|amp|news|jp|en|mobile)\.|\.(?:com|co|net|org|jp|uk|info)\b")
_KEY_NOISE = re.compile(r"[\s.!'’&-]+")
_CREDIT_JOIN = re.compile(r"[＝=・/、,]")
MAX_OUTLET_UNITS = 5
AGGREGATOR_SHARE = 0.6  # a feed whose titles mostly end in an outlet segment
TEMPLATE_MIN_ENTRIES = 3
SHORT_TEMPLATE_ENTRIES = 2
SHORT_NODE_CHARS = 60
TEMPLATE_SHARE = 0.2
TEMPLATE_LINE_CHARS = 300  # longer lines are not searched for template blocks
_TEXT_NODE = re.compile(r">([^<>]{2,300})<")
# A photo caption ends in an agency credit ("... REUTERS/Kim Hong-Ji/File Photo"), or carries a
# credit label; the end pattern only ever runs on a line's last characters (it is anchored).
_CAPTION_END = re.compile(
    r"\b(?:REUTERS|AFP|AP|Bloomberg|Getty Images|Kyodo)\s*/\s*[\w .'-]{2,60}"
    r"(?:/[\w ]{2,30})*\s*\)?$",
    re.I,
)
_CAPTION_MARK = re.compile(r"\bMandatory Credit\b|^FILE PHOTO\b|[(（](?:File )?photo\s*[:：]", re.I)
CAPTION_TAIL_CHARS = 120


def _is_caption(line: str) -> bool:
    tail = line[-CAPTION_TAIL_CHARS:]
    # _CAPTION_END needs a "/" (the credit's): most lines have none, and the search is slow.
    return bool(("/" in tail and _CAPTION_END.search(tail)) or _CAPTION_MARK.search(line))


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"^(?:\w+,? )?\d{{1,2}}[ /.-](?:{_MONTH}|\d{{1,2}})[ /.,-]*\d{{2,4}}\b"
    rf"|^{_MONTH} \d{{1,2}},? \d{{4}}\b"
    r"|^\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}|^(?:updated|published)\b",
    re.I,
)
# "Name - August 21, 2026", "Name | August 21, 2026 | 8:01 am": a byline with a date.
_DATED = re.compile(rf"\b(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH},? \d{{4}})\b", re.I)
DATED_MAX_UNITS = 16
_COPYRIGHT = re.compile(r"^(?:\(c\)|©|copyright\b)", re.I)
HEAD_MAX_LINES = 30
TITLE_REPEAT_LINES = 5
HEAD_SHORT_UNITS = 6


def key(name: str) -> str:
    """An outlet name reduced for matching: NFKC, case-folded, host noise and spaces dropped."""
    name = unicodedata.normalize("NFKC", name).casefold().strip()
    name = _HOST_NOISE.sub("", _HOST_NOISE.sub("", name))
    return _KEY_NOISE.sub("", name)


def _is_outlet_shape(segment: str) -> bool:
    """Short enough to be a name, and not a clause ending a sentence."""
    return (
        0 < units(segment) <= MAX_OUTLET_UNITS
        and not ends_sentence(segment)
        and any(ch.isalnum() for ch in segment)
    )


def _host_names(link: str | None) -> set[str]:
    match = re.match(r"https?://([^/:]+)", link or "")
    if not match:
        return set()
    host = match[1].lower()
    labels = [label for label in host.split(".") if label not in {"www", "m", "amp", "news"}]
    return {key(host)} | ({key(labels[0])} if labels else set())


def outlet_keys(names: Iterable[str | None]) -> frozenset[str]:
    """Match keys for outlet names, and for the parts of compound ones ("X — Y", "X | Y")."""
    keys = set()
    for name in names:
        if not name or not name.strip():
            continue
        keys.add(key(name))
        for part in re.split(r"\s+[-–—|｜:]\s+", name):
            if _is_outlet_shape(part):
                keys.add(key(part))
    keys.discard("")
    return frozenset(keys)


def _is_outlet(segment: str, outlets: frozenset[str]) -> bool:
    k = key(segment)
    if not k:
        return False
    if k in outlets or _DOMAIN.match(segment.strip()):
        return True
    # "Bloomberg.com" against "Bloomberg", "Reuters" against "Thomson Reuters".
    return _is_outlet_shape(segment) and any(
        len(o) >= 4 and (k.startswith(o) or o.startswith(k) or k.endswith(o)) and len(k) >= 4
        for o in outlets
    )


def _credit(segment: str, outlets: frozenset[str]) -> bool:
    """A bracketed credit ("ロイター", "ロイター＝共同", "Bloomberg"): every part an outlet."""
    parts = [p for p in _CREDIT_JOIN.split(segment) if p.strip()]
    return bool(parts) and all(_is_outlet(p, outlets) for p in parts)


def strip_title(title: str, outlets: frozenset[str]) -> tuple[str, list[str]]:
    """``title`` without trailing outlet suffixes, and the suffixes removed (outermost first).

    A bracketed credit right before a removed suffix goes too: aggregators title
    a syndicated report "Headline（Outlet） - Aggregator". The headline itself is
    never emptied.
    """
    removed: list[str] = []
    text = title.strip()
    while (m := _SUFFIX.search(text)) and m.start() > 0:
        if not _is_outlet(m["seg"], outlets):
            break
        removed.append(m["seg"].strip())
        text = text[: m.start()].rstrip()
    if (p := _PAREN_SUFFIX.search(text)) and p.start() > 0:
        segment = p["seg"].strip()
        if _credit(segment, outlets) or (
            removed and _is_outlet_shape(segment) and units(segment) <= 3
        ):
            removed.append(p.group().strip())
            text = text[: p.start()].rstrip()
    return (text, removed) if text else (title.strip(), [])


def _trailing_segments(titles: Sequence[str]) -> list[str | None]:
    out: list[str | None] = []
    for title in titles:
        m = _SUFFIX.search(title or "")
        out.append(m["seg"].strip() if m and m.start() > 0 and _is_outlet_shape(m["seg"]) else None)
    return out


def _template_nodes(bodies: Sequence[str]) -> frozenset[str]:
    """Text blocks that recur verbatim in several different articles of one feed.

    Entries are told apart by their longest text block, so two copies of one
    article (a feed listing it again under an edited headline) never make its
    own sentences "template". A short block (a label, a button) needs two
    articles, a longer one three, and a fifth of the feed's entries with text.
    """
    seen: dict[str, set[str]] = {}  # longest block -> the blocks of that article
    for body in bodies:
        nodes = {fold(html.unescape(n)) for n in _TEXT_NODE.findall(body)}
        nodes.discard("")
        if nodes:
            seen.setdefault(max(nodes, key=len), set()).update(nodes)
    counts = Counter(node for nodes in seen.values() for node in nodes)
    share = TEMPLATE_SHARE * len(seen)
    return frozenset(
        node
        for node, count in counts.items()
        if count
        >= max(
            share, SHORT_TEMPLATE_ENTRIES if len(node) <= SHORT_NODE_CHARS else TEMPLATE_MIN_ENTRIES
        )
    )


def _is_template(folded: str, templates: frozenset[str]) -> bool:
    """Whether a folded line is a template block, or nothing but template blocks: a line
    joins the text of its links ("EE Times Japanの最新記事を毎日お届け。" + "メールマガジン登録"),
    which the blocks were told apart by."""
    if folded in templates:
        return True
    if len(folded) > TEMPLATE_LINE_CHARS:
        return False
    rest = folded
    for block in sorted((b for b in templates if b in rest), key=len, reverse=True):
        rest = rest.replace(block, " ")
    return rest != folded and not any(c.isalnum() for c in rest)


def fold(line: str) -> str:
    """A line reduced for comparison: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", line).split()).casefold()


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """What ``feed_hints`` needs of one entry."""

    title: str | None
    link: str | None
    body: str  # sanitised HTML
    names: tuple[str, ...] = ()  # its <source>, author, publisher


def feed_hints(channel_title: str | None, entries: Sequence[FeedEntry]) -> list[PageHints]:
    """The chrome hints for each entry of one feed (see the module docstring)."""
    titles = [e.title or "" for e in entries]
    segments = _trailing_segments(titles)
    recurring = Counter(key(s) for s in segments if s)
    feed_keys = set(outlet_keys([channel_title]))
    feed_keys.update(k for k, n in recurring.items() if n >= 2)
    aggregator = len(entries) >= 5 and sum(
        s is not None for s in segments
    ) >= AGGREGATOR_SHARE * len(entries)
    templates = _template_nodes([e.body for e in entries]) - {fold(t) for t in titles}
    hints = []
    for entry, segment in zip(entries, segments, strict=True):
        own = set(outlet_keys(entry.names)) | _host_names(entry.link)
        if aggregator and segment:
            own.add(key(segment))
        hints.append(PageHints(frozenset(feed_keys | own), templates))
    return hints


def _is_head_chrome(line: str, before_lead: bool) -> bool:
    """A header-block line: timestamp, dated byline, caption, copyright; before the lead
    also any short non-sentence (section label, share button, "Text Size: A- A+").

    Boilerplate markers and photo credits are left to ``boilerplate.clean``: it reads
    a marker as the start of a footer and a credit as the end of a caption.
    """
    if marker(line) or is_credit(line):
        return False
    return bool(
        _is_caption(line)
        or _DATE_LINE.match(line)
        or _COPYRIGHT.match(line)
        or (before_lead and not ends_sentence(line) and units(line) <= HEAD_SHORT_UNITS)
        or (not ends_sentence(line) and units(line) <= DATED_MAX_UNITS and _DATED.search(line))
    )


def _is_lead(line: str) -> bool:
    return ends_sentence(line) and units(line) >= 8 and not _is_caption(line)


@dataclass(frozen=True, slots=True)
class Stripped:
    """Lines with the chrome removed, and what was removed (for `monitor explain`)."""

    lines: list[str]
    notes: list[str]


def strip_lines(lines: Sequence[str], titles: Sequence[str], hints: PageHints | None) -> Stripped:
    """Remove template lines, the header block, and outlet-only remainders of the title.

    The header block is everything before the first lead-like sentence that is a
    short non-sentence, a timestamp, a photo caption or a copyright line; with
    no lead-like sentence at all (a headline-only entry) nothing is cut there.
    """
    outlets = hints.outlets if hints else frozenset()
    templates = hints.template_lines if hints else frozenset()
    folded_titles = [fold(t) for t in titles if t]
    kept: list[str] = []
    template_dropped = 0
    for line in lines:
        folded = fold(line) if templates or len(kept) < TITLE_REPEAT_LINES else ""
        if templates and _is_template(folded, templates):
            template_dropped += 1
            continue
        # A repeat of the title sits at the top; further down a line is never checked.
        if len(kept) < TITLE_REPEAT_LINES and folded_titles:
            line = _title_repeat(line, folded, folded_titles, titles, outlets)
        kept.append(line)
    notes = []
    if template_dropped:
        notes.append(f"dropped {template_dropped} template lines repeated across the feed")
    # The header block ends at the second lead-like sentence: a standfirst often comes
    # before the caption, timestamp and share buttons, the article's first paragraph after.
    # A boilerplate marker after the lead ("Get your own daily briefing") begins the
    # footer, which ``boilerplate`` cuts as a whole: the header block ends before it.
    leads: list[int] = []
    # With one line there is no header block to cut (it would end at line 0): skip the tests.
    for i, line in enumerate(kept[:HEAD_MAX_LINES] if len(kept) > 1 else ()):
        if _is_lead(line):
            leads.append(i)
            if len(leads) == 2:
                break
    end = leads[-1] if leads else 0
    if leads:
        end = next((i for i in range(leads[0], end) if marker(kept[i])), end)
    if end:
        dropped = [_is_head_chrome(line, i < leads[0]) for i, line in enumerate(kept[:end])]
        head = [line for line, drop in zip(kept[:end], dropped, strict=True) if drop]
        if head:
            kept = [
                line for line, drop in zip(kept[:end], dropped, strict=True) if not drop
            ] + kept[end:]
            quoted = head[0] if len(head[0]) <= 40 else head[0][:39] + "…"
            notes.append(f"dropped {len(head)} header lines before the lead, e.g. '{quoted}'")
    return Stripped(kept, notes)


def _title_repeat(
    line: str,
    folded: str,
    folded_titles: list[str],
    titles: Sequence[str],
    outlets: frozenset[str],
) -> str:
    """A line that is the title plus an outlet ("Headline  Reuters") becomes the title."""
    for folded_title, title in zip(folded_titles, [t for t in titles if t], strict=True):
        # A breadcrumb trail ending in the headline: "Home World Headline".
        if folded.endswith(folded_title) and units(folded[: -len(folded_title)]) <= 4:
            return title.strip()
        if folded != folded_title and folded.startswith(folded_title):
            rest = folded[len(folded_title) :].strip(" -–—|")
            if rest and _outlet_tail(rest, outlets):
                return title.strip()
    return line


def _outlet_tail(rest: str, outlets: frozenset[str]) -> bool:
    """Whether what follows the title on a line is outlet names only: "Reuters", or the
    aggregator's stack "(ロイター) Yahoo!ニュース" (Google News' text of a syndicated report).

    The bracketed credit is taken as ``strip_title`` takes it from a title: when it is
    a known outlet, or a short name before a known outlet.
    """
    if not (m := _CREDIT_HEAD.match(rest)):
        return _is_outlet(rest, outlets) or (_is_outlet_shape(rest) and units(rest) <= 3)
    credit, tail = m["seg"].strip(), rest[m.end() :].strip()
    if tail and not _is_outlet(tail, outlets):
        return False
    return _credit(credit, outlets) or bool(
        tail and _is_outlet_shape(credit) and units(credit) <= 3
    )


def clean_title(title: str, hints: PageHints | None) -> tuple[str, str | None]:
    """The headline without outlet suffixes, and a note saying what went, if anything."""
    stripped, removed = strip_title(title, hints.outlets if hints else frozenset())
    if not removed:
        return title, None
    return stripped, "removed outlet suffix " + ", ".join(
        f"'{r}'" for r in removed
    ) + " from the title"
