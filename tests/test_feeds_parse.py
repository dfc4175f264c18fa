"""Hostile and odd feed content, served over HTTP and polled with a good feed beside it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest_feeds import (
    LAUGHS,
    NOW,
    FeedServer,
    channel,
    documents_of,
    feed_server,
    good_feed_ok,
    make_settings,
    poll,
    rss,
    store,
    titles,
)

from monitor.sources import feeds
from monitor.store import Store

__all__ = ["feed_server", "store"]  # fixtures, used by name


def _run(server: FeedServer, tmp_path: Path, store: Store, *urls: str) -> feeds.FeedRun:
    run = poll(make_settings(tmp_path, [*urls, server.url("/good.xml")]), store)
    assert good_feed_ok(run, server)
    return run


def _problem(run: feeds.FeedRun, url: str) -> str:
    found = [p for p in run.problems if p.startswith(f"{url}: ")]
    assert found, run.problems
    return found[0]


def test_malformed_xml_keeps_its_entries_with_a_warning(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    broken = rss("Broken", [("First", "https://b.example/1"), ("Second", "https://b.example/2")])
    url = feed_server.static("/malformed.xml", broken.replace(b"</channel></rss>", b"<item>"))
    run = _run(feed_server, tmp_path, store, url)
    assert titles(run, url) == ["First", "Second"]
    assert "malformed feed" in _problem(run, url) and "2 entries kept" in _problem(run, url)
    assert store.feed_states()[f"feed:{url}"].status == "active"


def test_unusable_bodies_are_per_feed_errors(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    text = feed_server.static("/text", b"just some words", content_type="text/plain")
    binary = feed_server.static("/binary", bytes(range(256)) * 4, content_type="image/png")
    empty = feed_server.static("/empty", b"")
    path_like = feed_server.static("/path", b"/etc/passwd", content_type="text/plain")
    run = _run(feed_server, tmp_path, store, text, binary, empty, path_like)
    for url in (text, binary, path_like):
        assert "not a" in _problem(run, url)
    assert _problem(run, empty).startswith(f"{empty}: empty response (failure 1; next attempt")
    assert not any("root:" in (d.body + (d.title or "")) for d in run.documents)


def test_wrong_declared_encodings_are_repaired(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    japanese = "ソフトバンク、生成AIに投資"
    sjis = rss("SJIS", [(japanese, "https://j.example/1")]).decode().encode("cp932")
    sjis_url = feed_server.static("/sjis.xml", sjis)  # declares utf-8
    latin = rss("Latin", [(japanese, "https://j.example/2")]).replace(b"utf-8", b"iso-8859-1")
    latin_url = feed_server.static(
        "/latin.xml", latin, content_type="application/rss+xml; charset=iso-8859-1"
    )
    run = _run(feed_server, tmp_path, store, sjis_url, latin_url)
    assert titles(run, sjis_url) == [japanese]
    assert titles(run, latin_url) == [japanese]
    assert "declared utf-8 but is cp932" in _problem(run, sjis_url)


def test_an_html_page_names_the_feed_it_advertises(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>News</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/news/feed.xml">'
        b"</head><body><p>Hello</p></body></html>"
    )
    url = feed_server.static("/news/", page, content_type="text/html; charset=utf-8")
    bare = feed_server.static("/plain.html", b"<html><body>no feed</body></html>")
    run = _run(feed_server, tmp_path, store, url, bare)
    assert _problem(run, url).startswith(
        f"{url}: is an HTML page, not a feed; it advertises a feed at "
        f"{feed_server.url('/news/feed.xml')} "
    )
    assert "is an HTML page, not a feed (failure" in _problem(run, bare)


def test_entity_expansion_is_refused_quickly(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    big = "B" * 100_000
    one_big_entity = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "{big}">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>'
        + "&big;" * 2000
        + "</title><link>https://l.example/2</link></item></channel></rss>"
    ).encode()
    assert len(one_big_entity) < 120_000
    laughs = feed_server.static("/laughs.xml", LAUGHS)
    quadratic = feed_server.static("/big-entity.xml", one_big_entity)
    started = time.monotonic()
    run = _run(feed_server, tmp_path, store, laughs, quadratic)
    assert time.monotonic() - started < 3
    assert "billion laughs" in _problem(run, quadratic)
    assert "entity expansion" in _problem(run, laughs)
    assert titles(run, laughs) == titles(run, quadratic) == []


def test_external_entities_are_refused_and_never_fetched(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    secret = feed_server.static("/secret", b"TOP SECRET", content_type="text/plain")
    dtd = feed_server.static("/evil.dtd", b'<!ENTITY x "from the DTD">', content_type="text/plain")

    def doc(doctype: str) -> bytes:
        return (
            f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>&xxe;</title>'
            "<item><title>&xxe;</title><link>https://x.example/1</link></item></channel></rss>"
        ).encode()

    payloads = {
        "/xxe-file": doc('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
        "/xxe-http": doc(f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret}">]>'),
        "/xxe-public": doc(f'<!DOCTYPE rss [<!ENTITY xxe PUBLIC "-//x//y" "{secret}">]>'),
        "/xxe-param": doc(f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{dtd}"> %p;]>'),
    }
    urls = [feed_server.static(path, body) for path, body in payloads.items()]
    # A DOCTYPE naming an external DTD is common (RSS 0.91) and harmless: never fetched.
    rss091 = feed_server.static(
        "/rss091.xml",
        rss("Old", [("Old style", "https://o.example/1")]).replace(
            b"?>", f'?><!DOCTYPE rss SYSTEM "{dtd}">'.encode(), 1
        ),
    )
    run = _run(feed_server, tmp_path, store, *urls, rss091)
    for url in urls:
        assert "refused: XXE" in _problem(run, url)
    assert titles(run, rss091) == ["Old style"]
    assert "/secret" not in feed_server.paths() and "/evil.dtd" not in feed_server.paths()
    assert not any("root:" in (d.title or "") + d.body for d in run.documents)


def test_the_same_link_from_two_feeds_is_one_key_with_two_sources(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    a = feed_server.static(
        "/a.xml", rss("A", [("Shared story", "https://News.Example.com/story?id=7&utm_source=a")])
    )
    b = feed_server.static(
        "/b.xml",
        rss("B", [("Shared story", "https://news.example.com:443/story?fbclid=x&id=7#top")]),
    )
    run = _run(feed_server, tmp_path, store, a, b)
    shared = [d for d in run.documents if d.title == "Shared story"]
    assert {d.source_id for d in shared} == {f"feed:{a}", f"feed:{b}"}
    assert {d.key for d in shared} == {"entry:https://news.example.com/story?id=7"}
    assert {d.url for d in shared} == {"https://news.example.com/story?id=7"}
    states = store.feed_states()
    assert states[f"feed:{a}"].items_seen + states[f"feed:{b}"].items_seen == 2


def test_tracking_parameters_leave_links_and_bodies(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    description = (
        '&lt;p&gt;Read &lt;a href="/more?utm_medium=rss&amp;amp;page=2&amp;amp;gclid=1"'
        ' onclick="steal()"&gt;more&lt;/a&gt;&lt;/p&gt;'
    )
    body = channel(
        "T",
        "<item><title>Tracked</title><link>https://t.example/a?utm_source=feed&amp;ref=x</link>"
        f"<description>{description}</description></item>",
    )
    url = feed_server.static("/tracked.xml", body)
    run = _run(feed_server, tmp_path, store, url)
    (document,) = [d for d in run.documents if d.title == "Tracked"]
    assert document.url == "https://t.example/a?ref=x"
    assert 'href="https://t.example/more?page=2"' in document.body
    assert "utm_" not in document.body and "onclick" not in document.body


def test_feed_html_is_sanitised_and_titles_are_plain_text(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    content = (
        "<p>Kept <b>bold</b></p><form action='https://evil.example'><input name=pw>"
        "<button>Log in</button></form><img src='data:image/png;base64,AAAA'>"
        "<img src='https://tracker.example/p.gif' width=1 height=1>"
        "<script>alert(1)</script><iframe src='https://evil.example'></iframe>"
        "<p style='color:red' onmouseover='x()'>Second <a href='javascript:alert(1)'>x</a></p>"
    )
    body = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>'
        "<entry><id>tag:a.example,2026:1</id>"
        '<title type="html">AT&amp;amp;T &lt;b&gt;wins&lt;/b&gt;</title>'
        '<link href="https://a.example/1"/><updated>2026-03-01T09:00:00+09:00</updated>'
        f'<content type="html"><![CDATA[{content}]]></content></entry></feed>'
    ).encode()
    url = feed_server.static("/atom.xml", body, content_type="application/atom+xml")
    run = _run(feed_server, tmp_path, store, url)
    (document,) = documents_of(run, url)
    assert document.title == "AT&T wins"
    assert document.published == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    for banned in ("<form", "<input", "<img", "data:", "tracker", "<script", "alert", "<iframe",
                   "style=", "onmouseover", "Log in"):  # fmt: skip
        assert banned not in document.body
    assert "<p>Kept <b>bold</b></p>" in document.body and "Second" in document.body


def test_json_feed_1_1_and_rss_1_0(feed_server: FeedServer, tmp_path: Path, store: Store) -> None:
    json_feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON",
        "items": [
            {
                "id": "j1",
                "url": "https://j.example/1",
                "title": "JSON entry",
                "content_html": "<p>Hello <img src=x></p>",
                "date_published": "2026-03-01T10:00:00+09:00",
            },
            {"id": 2, "content_text": "Untitled\n\nsecond paragraph"},
            "not an object",
        ],
    }
    json_url = feed_server.static(
        "/feed.json", json.dumps(json_feed).encode(), content_type="application/feed+json"
    )
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://r.example/">'
        b"<title>RDF</title><link>https://r.example/</link><description>d</description></channel>"
        b'<item rdf:about="https://r.example/1"><title>RDF entry</title>'
        b"<link>https://r.example/1</link></item></rdf:RDF>"
    )
    rdf_url = feed_server.static("/rdf.xml", rdf, content_type="application/rdf+xml")
    run = _run(feed_server, tmp_path, store, json_url, rdf_url)
    first, second = documents_of(run, json_url)
    assert (first.title, first.url, first.body) == (
        "JSON entry",
        "https://j.example/1",
        "<p>Hello </p>",
    )
    assert first.published == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert first.source_name == "JSON"
    assert second.key == f"entry:feed:{json_url}#2"
    assert second.body == "<p>Untitled</p><p>second paragraph</p>"
    assert "skipped 1 malformed JSON Feed items" in _problem(run, json_url)
    assert titles(run, rdf_url) == ["RDF entry"]


def test_dates_are_utc_clamped_or_missing(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    body = channel(
        "D",
        "<item><title>Future</title><link>https://d.example/1</link>"
        "<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
        "<item><title>Undated</title><link>https://d.example/2</link></item>"
        "<item><title>Tokyo</title><link>https://d.example/3</link>"
        "<pubDate>Mon, 02 Mar 2026 08:30:00 +0900</pubDate></item>",
    )
    url = feed_server.static("/dates.xml", body)
    run = _run(feed_server, tmp_path, store, url)
    dates = {d.title: d.published for d in documents_of(run, url)}
    assert dates == {
        "Future": NOW,
        "Undated": None,
        "Tokyo": datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    }


def test_a_new_feed_does_not_flood_the_digest_with_its_backlog(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    def entry(title: str, days_old: float) -> str:
        when = (NOW - timedelta(days=days_old)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        return (
            f"<item><title>{title}</title><link>https://n.example/{title}</link>"
            f"<pubDate>{when}</pubDate></item>"
        )

    def feed(*entries: str) -> bytes:
        return channel("N", "".join(entries))

    url = feed_server.static("/new.xml", feed(entry("fresh", 1), entry("old", 10)))
    run = _run(feed_server, tmp_path, store, url)
    assert {d.title: d.backlog for d in documents_of(run, url)} == {
        "fresh": False,
        "old": True,
    }
    # Once the feed has been read, an old entry appearing later is news.
    feed_server.static("/new.xml", feed(entry("late", 5), entry("fresh", 1), entry("old", 10)))
    later = _run(feed_server, tmp_path, store, url)
    assert {d.title: d.backlog for d in documents_of(later, url)} == {
        "late": False,
        "fresh": False,
        "old": False,
    }
    assert store.feed_states()[f"feed:{url}"].items_seen == 3


def test_entry_identity_falls_back_from_link_to_guid_to_content(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    body = channel(
        "I",
        "<item><title>One</title><link>https://i.example/</link><guid>a1</guid></item>"
        "<item><title>Two</title><link>https://i.example/</link><guid>a2</guid></item>"
        "<item><title>Three</title><guid>https://I.example/3?utm_campaign=x</guid></item>"
        "<item><title>Four</title><guid>tag:i.example,2026:4</guid></item>"
        "<item><title>Five</title><description>no link, no guid</description></item>",
    )
    url = feed_server.static("/ids.xml", body)
    run = _run(feed_server, tmp_path, store, url)
    keys = {d.title: d.key for d in documents_of(run, url)}
    assert keys["One"] == f"entry:feed:{url}#a1"  # the link is shared within the feed
    assert keys["Two"] == f"entry:feed:{url}#a2"
    assert keys["Three"] == "entry:https://i.example/3"
    assert keys["Four"] == "entry:tag:i.example,2026:4"
    assert keys["Five"].startswith("entry:sha256:")
