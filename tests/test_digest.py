"""The digest: readable HTML and text, escaped, Japanese intact, within mail size limits."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from monitor.digest import build, make_extract, render_html, render_text, to_json
from monitor.model import Evidence, Item, Novelty, RankedItem, Relevance, Report
from monitor.settings import DigestSettings

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
SETTINGS = DigestSettings(directory=Path("digests"))


def ranked(
    item_id: str, title: str, text: str, url: str | None = "https://example.com/a"
) -> RankedItem:
    item = Item(item_id, "doc", 0, "feed:x", "Example News", url, title, text, "en", NOW, NOW)
    relevance = Relevance(
        0.9, True, (Evidence("softbank", "SoftBank", 3, True, 1.0),), "rule softbank"
    )
    return RankedItem(item, relevance, Novelty("new", 1.0, reason="nothing similar"), 0.8)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name == "href"]


def test_hostile_titles_are_escaped_in_html() -> None:
    hostile = ranked(
        "1", '<script>alert("x")</script><img src=x onerror=alert(1)>', "Body <b>bold</b>."
    )
    digest = build([hostile], {}, SETTINGS, NOW, {})
    html = render_html(digest, SETTINGS)
    parser = Collector()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "&lt;script&gt;" in html


def test_only_http_links_reach_the_digest() -> None:
    story = ranked("1", "SoftBank", "Text.", url="javascript:alert(1)")
    also = {"1": [Report("2", "Other", "Evil", "data:text/html,<script>x</script>", "copy")]}
    digest = build([story], also, SETTINGS, NOW, {})
    html, text = render_html(digest, SETTINGS), render_text(digest, SETTINGS)
    for rendered in (html, text):
        assert "javascript:" not in rendered and "data:text" not in rendered


def test_japanese_text_survives_both_formats() -> None:
    story = ranked(
        "1",
        "ソフトバンク、生成AIで新会社",
        "ソフトバンクは生成AIの新会社を設立した。日本企業向けに提供する。",
    )
    digest = build([story], {}, SETTINGS, NOW, {})
    assert "ソフトバンク、生成AIで新会社" in render_html(digest, SETTINGS)
    assert "ソフトバンクは生成AIの新会社を設立した。" in render_text(digest, SETTINGS)


def test_text_and_html_carry_the_same_stories_and_links() -> None:
    also = {
        "1": [Report("2", "Copy of it", "Other Outlet", "https://other.example/b", "same story")]
    }
    digest = build(
        [ranked("1", "SoftBank story", "Text."), ranked("3", "Second", "More.", None)],
        also,
        SETTINGS,
        NOW,
        {"irrelevant": 4},
    )
    html, text = render_html(digest, SETTINGS), render_text(digest, SETTINGS)
    parser = Collector()
    parser.feed(html)
    for link in ("https://example.com/a", "https://other.example/b"):
        assert link in parser.links and link in text
    for title in ("SoftBank story", "Second", "Copy of it"):
        assert title in html and title in text
    assert "4 irrelevant" not in text  # an operator's count: logs and preview, not the mail
    assert "style=" in html and "<style" not in html  # CSS inlined for Gmail/Outlook


def test_a_full_digest_stays_under_gmail_clipping() -> None:
    stories = [
        ranked(str(i), f"SoftBank story number {i} " * 3, "Long text. " * 200) for i in range(25)
    ]
    html = render_html(build(stories, {}, SETTINGS, NOW, {}), SETTINGS)
    assert len(html.encode("utf-8")) < 90 * 1024


def test_extract_cuts_at_a_sentence_or_word() -> None:
    text = "First sentence is here. Second sentence is longer and goes on. Third one."
    assert make_extract(text, 40) == "First sentence is here."
    assert make_extract("word " * 50, 30).endswith("…")
    assert len(make_extract("日本語" * 100, 50)) <= 51


def test_json_shape() -> None:
    digest = build([ranked("1", "T", "Text.")], {}, SETTINGS, NOW, {"irrelevant": 1})
    data = to_json(digest)
    assert set(data) == {"generated_at", "stories", "skipped"}
    assert set(data["stories"][0]) == {
        "id",
        "title",
        "source",
        "url",
        "published",
        "relevance",
        "novelty",
        "score",
        "kind",
        "why",
        "also",
    }
