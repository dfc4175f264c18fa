"""The lxml reader of plain RSS 2.0 gives exactly what feedparser gives, or leaves the feed to it.

Compared entry by entry (link, guid, title and whether it is HTML, content, date,
outlet names) with feedparser's reading of the same bytes: on generated feeds full
of the awkward cases (markup and entities in titles, C1 controls, UTF-8 read as
Latin-1, CDATA, relative and ``&amp;`` links, permalink guids before and after the
link, odd dates, empty elements), on the wire-dev snapshots and on the feed farm's
feeds when ``../shared`` is present. Feeds it does not model must come back None.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.sources import feedparse
from monitor.sources.entityguard import without_entity_sets
from monitor.sources.fastrss import read_rss
from monitor.sources.feedparse import parse_feed

_SHARED = next(
    (
        shared
        for shared in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))
        if shared.is_dir()
    ),
    Path("../shared"),
)
WIRE_DEV = _SHARED / "datasets" / "wire-dev" / "feeds"
FEEDFARM = _SHARED / "tools" / "feedfarm.py"
NS = (
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wire="urn:example:wire" xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:media="http://search.yahoo.com/mrss/"'
)


def _by_feedparser(body: bytes, content_type: str | None, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patch:
        patch.setattr(feedparse, "read_rss", lambda *_: None)
        title, entries, _ = feedparse._parse_xml(body, "http://example.com/feed", content_type)
    return title, entries


def _assert_same(body: bytes, content_type: str | None, monkeypatch: pytest.MonkeyPatch) -> bool:
    """True when the fast reader answered (and agreed); False when it left the feed."""
    body = without_entity_sets(body)
    fast = read_rss(body, content_type)
    if fast is None:
        return False
    assert fast == _by_feedparser(body, content_type, monkeypatch)
    return True


def _feed(items: list[str], channel_extra: str = "", title: str = "A &amp; B") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" {NS}><channel>'
        f"<title>{title}</title><link>http://example.com/</link>{channel_extra}"
        f"{''.join(items)}</channel></rss>"
    ).encode()


# Pieces of XML source text (so "&amp;" is an ampersand, "&amp;amp;" an escaped one in HTML).
TEXT = st.lists(
    st.sampled_from(
        [
            "a",
            "Z",
            " ",
            "09",
            "\t",
            "\n",
            "&amp;",
            "&lt;",
            "&gt;",
            ";",
            "#",
            "/",
            '"',
            "'",
            "&lt;b&gt;",
            "&lt;/b&gt;",
            "&lt;/script&gt;",
            "&amp;amp;",
            "&amp;nbsp;",
            "&amp;bogus;",
            "&#38;",
            "&#x80;",
            "\u0085",
            "\u00c3\u00a9",
            "\u00e9",
            "\u00a0",
            "\u3000",
            "ソフトバンク",
            "\u2028",
        ]
    ),
    max_size=12,
).map("".join)
DATES = st.sampled_from(
    [
        "Tue, 14 Nov 2023 22:13:20 GMT",
        "Tue, 14 Nov 2023 22:13:20 +0900",
        "2023-11-14T22:13:20Z",
        "14 Nov 2023",
        "not a date",
        "",
        "  Wed, 02 Oct 2002 08:00:00 EST  ",
        "Sun, 31 Feb 2023 10:00:00 GMT",
    ]
)
LINKS = st.sampled_from(
    [
        "http://example.com/a?x=1&amp;y=2",
        "/relative/path",
        "http:///too/many",
        "",
        " https://example.com/b ",
        "https://example.com/c&amp;amp;d",
        "tag:example.com,2024:1",
    ]
)


@st.composite
def items(draw: st.DrawFn) -> str:
    parts = []
    for element in draw(
        st.permutations(
            [
                "title",
                "link",
                "guid",
                "pubDate",
                "description",
                "content",
                "creator",
                "wire",
                "category",
                "source",
                "dcdate",
                "media",
            ]
        )
    ):
        if not draw(st.booleans()):
            continue
        text = draw(TEXT)
        if element == "title":
            parts.append(f"<title>{text}</title>")
        elif element == "link":
            parts.append(f"<link>{draw(LINKS)}</link>")
        elif element == "guid":
            permalink = draw(st.sampled_from(["", ' isPermaLink="false"', ' isPermaLink="true"']))
            parts.append(f"<guid{permalink}>{draw(LINKS)}</guid>")
        elif element == "pubDate":
            parts.append(f"<pubDate>{draw(DATES)}</pubDate>")
        elif element == "description":
            cdata = draw(st.booleans())
            parts.append(
                f"<description><![CDATA[<p>{text}</p>]]></description>"
                if cdata
                else f"<description>{text}</description>"
            )
        elif element == "content":
            parts.append(f"<content:encoded>{text}</content:encoded>")
        elif element == "creator":
            parts.append(f"<dc:creator>{text}</dc:creator>")
        elif element == "wire":
            parts.append(f'<wire:source kind="x">{text}</wire:source>')
        elif element == "source":
            url = draw(st.sampled_from(["", ' url="http://example.com/rss"']))
            parts.append(f"<source{url}>{text}</source>")
        elif element == "dcdate":
            parts.append(f"<dc:date>{draw(DATES)}</dc:date>")
        elif element == "media":
            parts.append('<media:content url="http://example.com/a.jpg" medium="image"/>'
                         '<media:thumbnail url="http://example.com/t.jpg"/>')  # fmt: skip
        else:
            parts.append(f"<category>{text}</category>")
    return f"<item>{''.join(parts)}</item>"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(items(), max_size=5),
    title=TEXT,
    content_type=st.sampled_from(
        [None, "application/rss+xml", "text/xml; charset=UTF-8", "application/xml; charset=utf8"]
    ),
)
def test_generated_feeds_read_as_feedparser_reads_them(
    entries: list[str], title: str, content_type: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = _feed(entries, '<atom:link href="http://example.com/feed" rel="self"/>', title)
    assert _assert_same(body, content_type, monkeypatch)


@pytest.mark.parametrize(
    ("why", "body", "content_type"),
    [
        (
            "a DOCTYPE",
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]>'
            + _feed(["<item><title>&a;</title></item>"]).split(b"?>", 1)[1],
            None,
        ),
        (
            "text/xml without charset is us-ascii",
            _feed(["<item><title>é</title></item>"]),
            "text/xml",
        ),
        ("not an XML media type", _feed([]), "text/html"),
        ("declared Latin-1", _feed([]).replace(b"utf-8", b"iso-8859-1"), None),
        ("atom:link in an item", _feed(['<item><atom:link href="x"/></item>']), None),
        (
            "an author with an address",
            _feed(["<item><dc:creator>a@b.jp (A)</dc:creator></item>"]),
            None,
        ),
        ("two titles", _feed(["<item><title>a</title><title>b</title></item>"]), None),
        ("markup in a title", _feed(["<item><title>a<b>c</b></title></item>"]), None),
        (
            "a typed description",
            _feed(['<item><description type="text">a</description></item>']),
            None,
        ),
        ("xml:base", _feed(['<item xml:base="http://x/"><link>a</link></item>']), None),
        (
            "itunes:summary",
            _feed(
                [
                    '<item xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
                    "<itunes:summary>s</itunes:summary></item>"
                ]
            ),
            None,
        ),
        ("Atom", b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', None),
        ("RSS 0.91", _feed([]).replace(b'version="2.0"', b'version="0.91"'), None),
        ("not well-formed", _feed(["<item><title>a</item>"]), None),
        (
            "a media:title inside media:content",
            _feed(
                ['<item><media:content url="x"><media:title>t</media:title></media:content></item>']
            ),
            None,
        ),
        (
            "a source with other attributes",
            _feed(['<item><source href="x">S</source></item>']),
            None,
        ),
        ("dc:title on the channel", _feed([], "<dc:title>other</dc:title>"), None),
        (
            "a title inside an image's odd child",
            _feed([], "<image><foo>x</foo><title>img</title></image>"),
            None,
        ),
    ],
)
def test_feeds_it_does_not_model_are_left_to_feedparser(
    why: str, body: bytes, content_type: str | None
) -> None:
    assert read_rss(without_entity_sets(body), content_type) is None, why


def test_a_feed_left_to_feedparser_still_parses() -> None:
    body = _feed(
        [
            "<item><title>a</title><link>http://example.com/1</link>"
            '<atom:link href="http://example.com/2" rel="alternate"/></item>'
        ]
    )
    parsed = parse_feed(body, url="http://example.com/feed", content_type=None, source_id="s")
    assert [e.title for e in parsed.entries] == ["a"]


@pytest.mark.skipif(not WIRE_DEV.is_dir(), reason="../shared/datasets/wire-dev not present")
def test_wire_dev_snapshots_read_as_feedparser_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(WIRE_DEV.glob("*/*.xml"))
    fast = sum(
        _assert_same(path.read_bytes(), "application/rss+xml", monkeypatch) for path in files
    )
    assert fast == len(files)  # every snapshot is plain RSS 2.0: all read the fast way


@pytest.mark.skipif(not FEEDFARM.exists(), reason="../shared/tools/feedfarm.py not present")
def test_feed_farm_feeds_read_as_feedparser_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(
        [
            sys.executable,
            str(FEEDFARM),
            "build",
            "--feeds",
            "20",
            "--items",
            "50",
            "--dir",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    files = sorted(tmp_path.glob("*.xml"))
    assert files
    assert all(_assert_same(path.read_bytes(), "application/xml", monkeypatch) for path in files)
