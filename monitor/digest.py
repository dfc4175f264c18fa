"""The digest: ranked stories turned into HTML, plain text and JSON.

Building (``build``) is pure: ranked lead items and their folded reports in,
a ``Digest`` out. Rendering uses the Jinja2 templates in ``templates/`` with
autoescaping on for every HTML template, and inlines the CSS so that Gmail and
Outlook, which drop or mangle ``<style>`` blocks, show the layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from monitor import __version__
from monitor.extract import detect_language
from monitor.model import Digest, RankedItem, Report, Story
from monitor.settings import DigestSettings
from monitor.textwidth import join_words, wrap
from monitor.words import listing, plural

HTML_TEMPLATE = "digest.html.j2"
TEXT_TEMPLATE = "digest.txt.j2"
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"”’)]?\s")


def templates_dir() -> Path:
    """templates/ inside the installed package, else at the root of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / HTML_TEMPLATE).is_file():
            return candidate
    raise FileNotFoundError("monitor's templates are missing from the installation")


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        # select_autoescape()'s defaults miss ".html.j2": name every HTML suffix.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2"),
            disabled_extensions=("txt", "txt.j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # Wraps by display width (a kanji takes two columns) and breaks Japanese between characters.
    env.filters["wrap_columns"] = wrap
    return env


def make_extract(text: str, limit: int) -> str:
    """The start of a story, cut at a sentence end (or a word) within ``limit`` characters."""
    flat = join_words(text)
    if len(flat) <= limit:
        return flat
    window = flat[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit * 0.5:
        return window[: ends[-1]].strip()
    cut = window.rfind(" ", 0, limit)
    if cut < limit * 0.6:  # no space nearby: Japanese, or one long token
        cut = limit
    return window[:cut].rstrip(" ,;:、") + "…"


# The "Why:" line names this many of the terms that made a story relevant.
WHY_TERMS = 3


def explain(ranked: RankedItem) -> str:
    """Why a story is in the digest, in words: what it is about and how it relates to earlier ones.

    "About SoftBank (3 mentions) and Sakana AI (2); no earlier report like it".
    The figures behind it (scores, similarities) are for `monitor explain`.
    """
    merged: dict[str, list] = {}
    # "LLM" and "LLMs", "SoftBank" and "Softbank" are one thing to a reader.
    for e in sorted(
        ranked.relevance.evidence, key=lambda e: (-e.weight * min(e.count, 5), -e.count)
    ):
        key = e.term.casefold().removesuffix("s")
        if key in merged:
            merged[key][1] += e.count
        else:
            merged[key] = [e.term, e.count]
    top = sorted(list(merged.values())[:WHY_TERMS], key=lambda term: -term[1])
    mentions = [
        f"{term} ({plural(count, 'mention') if i == 0 else count})"
        for i, (term, count) in enumerate(top)
    ]
    about = f"About {listing(mentions)}" if mentions else "On the topic"
    nov, sim = ranked.novelty, ranked.novelty.similarity
    if nov.kind == "follow-up":
        novelty = "a follow-up: an earlier story, with new facts"
    elif nov.kind == "duplicate":
        novelty = "another report of an earlier story"
    elif sim is not None and sim.verdict == "related":
        novelty = "related to an earlier report, but not the same story"
    else:
        novelty = "no earlier report like it"
    return f"{about}; {novelty}"


def build(
    ranked: Sequence[RankedItem],
    folded: dict[str, Sequence[Report]],
    settings: DigestSettings,
    now: datetime,
    skipped: dict[str, int],
) -> Digest:
    """The digest of the best ``max_stories`` stories; the rest are counted as over the limit."""
    chosen = ranked[: settings.max_stories]
    stories = tuple(
        Story(
            lead=r,
            extract=make_extract(r.item.text, settings.extract_chars),
            why=explain(r),
            also=tuple(folded.get(r.item.id, ())),
        )
        for r in chosen
    )
    counts = dict(skipped)
    if len(ranked) > len(chosen):
        counts["over_limit"] = len(ranked) - len(chosen)
    return Digest(generated_at=now, stories=stories, skipped=counts)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links reach a digest: a javascript: or data: URL is dropped."""
    if (
        url
        and url.lower().startswith(("http://", "https://"))
        and not any(c in url for c in "\r\n")
    ):
        return url
    return None


# A hostile or broken feed can send a title of any length; a digest shows this much.
TITLE_CHARS = 300
# A story syndicated to a hundred sites lists this many of them, then counts the rest.
ALSO_SHOWN = 8


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def local_day(moment: datetime, timezone: str) -> str:
    """The calendar day of ``moment`` in the digest's time zone, as YYYY-MM-DD."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d")


# Leading characters of a story's id printed under it (`monitor explain` takes a prefix).
ID_SHOWN = 8

# Skipped counts that are stories the next digest carries (they did not fit in this one).
HELD_BACK = ("over_limit", "held_for_next_digest")


def _context(digest: Digest, settings: DigestSettings) -> dict[str, Any]:
    zone = ZoneInfo(settings.timezone)
    local = digest.generated_at.astimezone(zone)
    held = sum(digest.skipped.get(key, 0) for key in HELD_BACK)
    return {
        "title": settings.title,
        "day": local.strftime("%Y-%m-%d"),
        "day_long": local.strftime("%A %d %B %Y"),
        "generated_local": _local(digest.generated_at, zone),
        "version": __version__,
        # The reader hears only of stories that are coming later; the operator's
        # counts (irrelevant, unreadable, ...) are in the log and in `preview`.
        "held_back": plural(held, "more story") if held else "",
        "stories": [
            {
                "title": clip(s.lead.item.title, TITLE_CHARS),
                "title_lang": detect_language(s.lead.item.title),
                # Enough of the item id for `monitor explain` to find it.
                "ref": s.lead.item.id[:ID_SHOWN],
                "url": safe_url(s.lead.item.url),
                "source": s.lead.item.source_name,
                "lang": s.lead.item.lang,
                "published_local": _local(s.lead.item.published, zone),
                "kind": s.lead.novelty.kind,
                "extract": s.extract,
                "why": s.why,
                "also": [
                    {
                        "title": clip(r.title, TITLE_CHARS),
                        "lang": detect_language(r.title),
                        "source": r.source_name,
                        "url": safe_url(r.url),
                        "verdict": r.verdict,
                    }
                    for r in s.also[:ALSO_SHOWN]
                ],
                "also_more": max(0, len(s.also) - ALSO_SHOWN),
            }
            for s in digest.stories
        ],
    }


def render_html(digest: Digest, settings: DigestSettings) -> str:
    """The HTML digest with its CSS inlined (no remote stylesheets are ever fetched)."""
    import css_inline

    html = _environment().get_template(HTML_TEMPLATE).render(_context(digest, settings))
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    return str(inliner.inline(html))


def render_text(digest: Digest, settings: DigestSettings) -> str:
    """The plain-text digest: the same stories and links as the HTML one."""
    return str(_environment().get_template(TEXT_TEMPLATE).render(_context(digest, settings)))


def to_json(digest: Digest) -> dict[str, Any]:
    """The digest as `preview --format json` prints it."""
    return {
        "generated_at": digest.generated_at.isoformat(),
        "stories": [
            {
                "id": s.lead.item.id,
                "title": clip(s.lead.item.title, TITLE_CHARS),
                "source": s.lead.item.source_name,
                "url": s.lead.item.url,
                "published": s.lead.item.published.isoformat(),
                "relevance": s.lead.relevance.score,
                "novelty": s.lead.novelty.score,
                "score": s.lead.score,
                "kind": s.lead.novelty.kind,
                "why": s.why,
                "also": [
                    {"id": r.item_id, "title": r.title, "source": r.source_name, "url": r.url}
                    for r in s.also
                ],
            }
            for s in digest.stories
        ],
        "skipped": digest.skipped,
    }
