"""Canonical links: one spelling per article, whichever feed or share button it came through.

``canonical()`` is pure and idempotent: it lower-cases the scheme and host,
drops the default port, the fragment and tracking parameters (``utm_*``,
``fbclid``, ``gclid`` and their kin), and keeps everything else, in order.
Two links that differ only in those ways name the same article.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that say who shared a link, never which page it is.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl",
        "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "rb_clickid",
        "s_cid", "ncid", "cmpid", "sr_share", "ref_src", "spm", "guccounter",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}
WEB_SCHEMES = frozenset(DEFAULT_PORTS)
_EDGE = "".join(map(chr, range(0x21))) + "\x7f"
_INNER_BREAK = re.compile(r"[\t\n\r]")
_INNER_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_ABSOLUTE = re.compile(r"^https?://[^/?#\s]", re.IGNORECASE)
_WEB_ORIGIN = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)
# "/path?query#fragment" that urljoin would only append to the origin: no
# dot segments, no ";" parameters, no empty query or fragment (urljoin drops those).
_ROOT_RELATIVE = re.compile(r"(?!.*/\.)(?!.*;)(?!.*\?(?:#|$))(?!.*#$)/(?!/)[^\t\n\r]*")
# Lower-case scheme and host, no port, user or stray characters: already
# canonical but for the query and fragment, so no need for urlsplit.
_PLAIN = re.compile(
    r"(https?)://([a-z0-9](?:[a-z0-9.\-]*[a-z0-9])?)"
    r"(/[^?#\x00-\x20\x7f]*)?(?:\?([^#\x00-\x20\x7f]*))?(?:#[^\x00-\x20\x7f]*)?"
)
# A query that may hold a tracking parameter (or hide one behind %-escapes).
_MAYBE_TRACKING = re.compile(
    "%|(?:^|[&;])(?:" + "|".join(TRACKING_PREFIXES + tuple(sorted(TRACKING_PARAMS))) + ")",
    re.IGNORECASE,
)


def is_tracking(name: str) -> bool:
    """Whether a query parameter only tracks the reader."""
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host: the only kind monitor fetches."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)
    except ValueError:
        return False


def host_of(url: str) -> str:
    """The lower-cased host name of a URL, or '' when it has none."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against ``base`` (whitespace around it ignored)."""
    href = href.strip()
    if _ABSOLUTE.match(href):
        return href  # the common case, without urljoin's cost
    if _ROOT_RELATIVE.fullmatch(href):
        origin = _WEB_ORIGIN.match(base)
        if origin:  # root-relative without dot segments: what urljoin would give
            return origin.group(0) + href
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _netloc(parts: SplitResult, scheme: str) -> str:
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = f"{userinfo}@{host}" if userinfo else host
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return netloc


def _clean_query(query: str) -> str:
    if not query or not _MAYBE_TRACKING.search(query):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking(name)]
    if len(kept) == len(pairs):
        return query  # untouched: keep the publisher's own encoding
    return urlencode(kept, quote_via=quote, safe="/:@!$'()*,;")


def _canonical(url: str) -> tuple[str, bool]:
    """(canonical text, whether it is a web URL); a fast path for the usual spelling."""
    plain = _PLAIN.fullmatch(url)
    if plain:
        scheme, host, path, query = plain.groups()
        query = _clean_query(query or "")
        return f"{scheme}://{host}{path or '/'}" + (f"?{query}" if query else ""), True
    return _canonical_parsed(url)


def _canonical_parsed(url: str) -> tuple[str, bool]:
    # As browsers do: trim control characters and spaces at the ends, drop
    # line breaks and tabs inside, and escape the spaces and controls that remain.
    text = _INNER_BREAK.sub("", url.strip(_EDGE))
    text = _INNER_CONTROL.sub(lambda m: f"%{ord(m.group()):02X}", text)
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        if scheme not in WEB_SCHEMES or not parts.hostname:
            return text, False
        netloc = _netloc(parts, scheme)
    except ValueError:
        return text, False
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, _clean_query(parts.query), "")), True


def canonical(url: str) -> str:
    """The canonical spelling of a link, for identity and display.

    Scheme and host are lower-cased, a default port and the fragment dropped,
    tracking parameters removed and an empty path becomes ``/``. A string that
    is not an absolute http(s) URL comes back stripped but otherwise as is.
    """
    return _canonical(url)[0]


def canonical_web(url: str) -> str | None:
    """``canonical(url)`` for an absolute http(s) URL with a host, else None."""
    text, web = _canonical(url)
    return text if web else None
