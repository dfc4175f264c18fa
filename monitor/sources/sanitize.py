"""Allow-list sanitising of feed HTML (nh3), and plain-text titles. Pure.

Feed HTML is untrusted. What survives ``clean_html`` is structure and text:
paragraphs, lists, quotes, tables, emphasis and http(s)/mailto links, with
relative links resolved and tracking parameters removed. Images go entirely
(tracking pixels, ``data:`` URLs), as do forms, scripts, styles, frames and
every attribute not listed here.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any

import nh3

from monitor.urls import canonical_web, resolve

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
        "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
        "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "u", "ul",
    }
)  # fmt: skip
# Tags removed together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "object", "embed", "svg",
        "math", "form", "button", "select", "textarea", "canvas", "audio", "video",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_TITLE_CHARS = 500
# A feed's title names the source of each of its stories: as short as a digest headline.
MAX_FEED_TITLE_CHARS = 300
_TAG_LIKE = re.compile(r"</?[A-Za-z][^<>]*>")
_HREF = re.compile(r'(<a\b[^>]*?)\s+href="([^"]*)"')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _build_cleaner() -> Callable[[str], str]:
    options: dict[str, Any] = {
        "tags": set(ALLOWED_TAGS),
        "clean_content_tags": set(DROPPED_WITH_CONTENT),
        "attributes": {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        "url_schemes": set(URL_SCHEMES),
        "link_rel": "noopener noreferrer nofollow",
        "strip_comments": True,
    }
    if hasattr(nh3, "Cleaner"):  # nh3 >= 0.3: built once, several times faster
        return nh3.Cleaner(**options).clean
    return functools.partial(nh3.clean, **options)


_clean = _build_cleaner()


def _fix_link(match: re.Match[str], base: str) -> str:
    url = resolve(base, html.unescape(match.group(2)))
    if url.lower().startswith("mailto:"):
        return match.group(0)
    web = canonical_web(url)
    if web is None:
        return match.group(1)  # a relative link with no usable base: drop the href
    return f'{match.group(1)} href="{html.escape(web)}"'


def clean_html(fragment: str, base: str) -> str:
    """``fragment`` reduced to the allow-listed tags and attributes; links made absolute.

    Links are resolved against ``base`` and stripped of tracking parameters
    after sanitising: in the sanitiser's output every ``<a`` opens a real
    tag and every attribute value is double-quoted.
    """
    if not fragment:
        return ""
    cleaned = _clean(_CONTROL.sub("", fragment))
    if "<a " in cleaned:
        cleaned = _HREF.sub(lambda match: _fix_link(match, base), cleaned)
    return cleaned.strip()


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, one paragraph per blank-line-separated block."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return "".join(f"<p>{html.escape(block)}</p>" for block in blocks if block)


def clean_title(title: str | None, *, is_html: bool, limit: int = MAX_TITLE_CHARS) -> str | None:
    """A title as one line of plain text (tags stripped, entities unescaped once), clipped."""
    if not title:
        return None
    text = title
    if is_html or _TAG_LIKE.search(text):
        text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
    text = html.unescape(_CONTROL.sub("", text))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None
