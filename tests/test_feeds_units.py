"""Pure pieces of the feed source: canonical links, the entity guard, decoders, backoff.

Property-based (hypothesis) where inputs are hostile.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import re
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import urls as urls_module
from monitor.errors import FeedError
from monitor.sources.bodylimit import BodyTooLarge, decoder_for
from monitor.sources.feedguard import (
    MAX_ENTITY_EXPANSION,
    check_entities,
    choose_encoding,
    find_alternates,
    html_page,
)
from monitor.sources.fetch import backoff_delay, retry_delay
from monitor.sources.progress import Progress
from monitor.sources.sanitize import clean_title
from monitor.urls import canonical, is_tracking, resolve

# -- canonical links ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_url", "expected"),
    [
        ("HTTPS://Example.COM/a/B?x=1#frag", "https://example.com/a/B?x=1"),
        ("http://example.com:80", "http://example.com/"),
        ("https://example.com:8443/p", "https://example.com:8443/p"),
        ("https://e.com/p?utm_source=rss&id=3&fbclid=abc&gclid=z", "https://e.com/p?id=3"),
        ("https://e.com/p?UTM_Medium=x", "https://e.com/p"),
        ("  https://e.com/a b\n", "https://e.com/a%20b"),
        ("https://e.com/p?q=a%2Fb&mc_eid=1", "https://e.com/p?q=a/b"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("not a url", "not%20a%20url"),
    ],
)
def test_canonical_examples(given_url: str, expected: str) -> None:
    assert canonical(given_url) == expected


HOSTS = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}(\.[A-Za-z]{2,5}){1,2}", fullmatch=True)
PARTS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
PARAMS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["utm_source", "fbclid", "gclid", "id", "q", "page"]), PARTS),
        PARTS,
    ),
    max_size=5,
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "hTTps"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(PARTS, max_size=3)))
    query = "&".join(f"{k}={v}" for k, v in draw(PARAMS))
    fragment = draw(st.one_of(st.just(""), PARTS.map(lambda f: "#" + f)))
    return f"{scheme}://{draw(HOSTS)}{port}/{path}" + (f"?{query}" if query else "") + fragment


@given(urls())
@settings(max_examples=300, deadline=None)
def test_canonical_is_idempotent_and_clean(url: str) -> None:
    once = canonical(url)
    assert canonical(once) == once
    scheme, _, rest = once.partition("://")
    assert scheme in ("http", "https")
    host = rest.split("/", 1)[0]
    assert host == host.lower()
    assert "#" not in once
    query = once.partition("?")[2]
    for pair in query.split("&") if query else []:
        assert not is_tracking(pair.split("=", 1)[0])


@given(st.text(max_size=80))
def test_canonical_never_raises(text: str) -> None:
    assert isinstance(canonical(text), str)


# -- entity guard ------------------------------------------------------------------


def _document(declarations: str, body_refs: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{declarations}]>'
        f'<rss version="2.0"><channel><title>{body_refs}</title></channel></rss>'
    ).encode()


def _expanded_length(values: dict[str, str], text: str, depth: int = 0) -> int:
    """A naive expander (with a cap) to check the guard against."""
    total = 0
    for piece in re.split(r"(&[A-Za-z_][\w.-]*;)", text):
        name = piece[1:-1] if piece.startswith("&") and piece.endswith(";") else None
        if name in values and depth < 20:
            total += _expanded_length(values, values[name], depth + 1)
        else:
            total += len(piece)
        if total > 10 * MAX_ENTITY_EXPANSION:
            return total
    return total


NAMES = st.sampled_from(["a", "b", "c", "d"])


@given(
    st.dictionaries(
        NAMES,
        st.lists(
            st.one_of(NAMES.map(lambda n: f"&{n};"), st.text("xyz", max_size=50)), max_size=12
        ),
        min_size=1,
    ),
    st.lists(NAMES, min_size=1, max_size=30),
    st.integers(min_value=1, max_value=3000),
)
@settings(max_examples=200, deadline=None)
def test_entity_guard_bounds_expansion(
    entities: dict[str, list[str]], references: list[str], repeat: int
) -> None:
    values = {name: "".join(parts) for name, parts in entities.items()}
    declarations = "".join(f'<!ENTITY {name} "{value}">' for name, value in values.items())
    refs = "".join(f"&{name};" for name in references) * repeat
    try:
        check_entities(_document(declarations, refs))
    except FeedError:
        return
    body_expansion = _expanded_length(values, refs) - len(refs)
    assert body_expansion <= MAX_ENTITY_EXPANSION + len(refs)


@given(st.binary(max_size=400))
def test_entity_guard_only_raises_feed_errors(data: bytes) -> None:
    with contextlib.suppress(FeedError):
        check_entities(b"<!DOCTYPE x [" + data)


@pytest.mark.parametrize(
    "declaration",
    [
        '<!ENTITY x SYSTEM "file:///etc/passwd">',
        '<!ENTITY x PUBLIC "-//A//B" "http://e.example/x">',
        '<!ENTITY % p SYSTEM "http://e.example/p.dtd"> %p;',
        '<!ENTITY x "&x;">',
    ],
)
def test_entity_guard_refuses(declaration: str) -> None:
    with pytest.raises(FeedError):
        check_entities(_document(declaration, "&x;"))


def test_entity_guard_sees_through_utf16() -> None:
    document = _document('<!ENTITY x SYSTEM "file:///etc/passwd">', "&x;").decode()
    with pytest.raises(FeedError, match="XXE"):
        check_entities(document.replace('"1.0"?>', '"1.0" encoding="utf-16"?>').encode("utf-16"))


def test_entity_guard_allows_small_entities_and_external_dtds() -> None:
    check_entities(_document('<!ENTITY co "Example Co.">', "&co; &co; &amp;"))
    check_entities(b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://e.example/rss.dtd"><rss/>')


# -- encodings, pages, titles ------------------------------------------------------------


def test_choose_encoding() -> None:
    japanese = "<?xml version='1.0' encoding='utf-8'?><t>日本</t>"
    assert choose_encoding(japanese.encode("cp932"), None)[0] == "cp932"
    assert choose_encoding(japanese.encode("euc_jp"), "utf-8")[0] in ("cp932", "euc_jp")
    assert choose_encoding(japanese.encode(), "iso-8859-1") == (
        "utf-8",
        "declared iso-8859-1 but is UTF-8",
    )
    assert choose_encoding(japanese.encode(), None) == (None, None)
    assert choose_encoding("<t>café</t>".encode("latin-1"), "iso-8859-1") == (None, None)


def test_html_page_and_alternates() -> None:
    assert html_page(b"<!doctype html><html>", None)
    assert html_page(b"<p>hi</p>", "text/html")
    assert not html_page(b"<rss version='2.0'>", "text/html")  # a mislabelled feed
    assert not html_page(b'<?xml version="1.0"?><feed>', "text/html")
    page = (
        b'<html><head><base href="https://e.example/blog/">'
        b'<link rel="stylesheet" href="x.css">'
        b'<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:x">'
        b'</head><body><link rel="alternate" type="application/rss+xml" href="/late"></body>'
    )
    assert find_alternates(page, "https://e.example/") == ["https://e.example/blog/atom.xml"]


def test_titles() -> None:
    assert clean_title("AT&amp;T  \n profits", is_html=False) == "AT&T profits"
    assert clean_title("<b>Bold</b> &lt;news&gt;", is_html=True) == "Bold <news>"
    assert clean_title("a < b", is_html=False) == "a < b"
    assert clean_title("   ", is_html=False) is None
    assert len(clean_title("x" * 2000, is_html=False) or "") == 500


# -- decoders ----------------------------------------------------------------------


@given(st.binary(max_size=5000), st.integers(min_value=1, max_value=6000))
@settings(max_examples=100, deadline=None)
def test_gzip_decoder_returns_the_body_or_stops_at_the_limit(body: bytes, limit: int) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    packed = packer.compress(body) + packer.flush()
    decoder = decoder_for("gzip", limit)
    try:
        for start in range(0, len(packed), 97):
            decoder.feed(packed[start : start + 97])
        assert decoder.finish() == body
    except BodyTooLarge:
        assert len(body) > limit


def test_raw_deflate_and_unknown_codings() -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    decoder = decoder_for("deflate", 1000)
    decoder.feed(packer.compress(b"raw deflate") + packer.flush())
    assert decoder.finish() == b"raw deflate"
    with pytest.raises(ValueError, match="unsupported"):
        decoder_for("compress", 10)
    with pytest.raises(ValueError, match="corrupt"):
        decoder_for("gzip", 10).feed(b"not gzip at all")


# -- backoff -----------------------------------------------------------------------


@given(st.text(max_size=20), st.floats(min_value=60, max_value=30 * 86400))
def test_backoff_grows_then_stays_under_the_cap(key: str, cap: float) -> None:
    delays = [backoff_delay(n, cap, key) for n in range(1, 40)]
    assert all(0 < d <= cap for d in delays)
    for before, after in itertools.pairwise(delays):
        if after < 0.75 * cap:
            assert after > before


def test_retry_after() -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    assert retry_delay("120", now) == 120
    assert retry_delay("Mon, 02 Mar 2026 01:00:00 GMT", now) == 3600
    assert retry_delay("Sun, 01 Mar 2026 00:00:00 GMT", now) == 0
    assert retry_delay("soon", now) is None
    assert retry_delay(None, now + timedelta(days=1)) is None


# -- progress ----------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_and_logs_otherwise(caplog: pytest.LogCaptureFixture) -> None:
    terminal = _Terminal()
    live = Progress(3, live=True, stream=terminal)
    for failed in (False, True, False):
        live.step(failed=failed)
    live.finish()
    assert terminal.getvalue().endswith("feeds: 3/3 polled, 1 failed\n")
    quiet = _Terminal()
    Progress(3, live=False, stream=quiet).step()
    assert quiet.getvalue() == ""

    caplog.set_level(logging.INFO, logger="monitor.feeds")
    journal = io.StringIO()
    logged = Progress(20, live=True, stream=journal)
    for _ in range(20):
        logged.step()
    logged.finish()
    assert journal.getvalue() == ""
    lines = [r.getMessage() for r in caplog.records if r.name == "monitor.feeds"]
    assert lines[0] == "feeds: 2/20 polled" and lines[-1] == "feeds: 20/20 polled"
    assert len(lines) == 10


@given(
    st.one_of(
        urls(), st.text(max_size=60), st.from_regex(r"https?://[a-z0-9.\-]{1,12}[/?#].{0,30}")
    )
)
@settings(max_examples=500, deadline=None)
def test_canonical_fast_path_agrees_with_urlsplit(url: str) -> None:
    assert urls_module._canonical(url) == urls_module._canonical_parsed(url)


@given(
    st.sampled_from(["https://e.com/a/b", "http://E.com:8080/x?q#f", "https://u@e.com"]),
    st.from_regex(r"/[a-z0-9./?#=&%_-]{0,20}", fullmatch=True),
)
def test_resolve_fast_path_agrees_with_urljoin(base: str, href: str) -> None:
    assert resolve(base, href) == urljoin(base, href)
