"""What a reader of the digest sees: Japanese wrapped by display width, plain words, plurals."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import wcwidth

from monitor.config import DigestSettings
from monitor.digest import build, render_html, render_text
from monitor.model import Evidence, Item, Novelty, RankedItem, Relevance

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
SETTINGS = DigestSettings(directory=Path("digests"), extract_chars=2000)

JA_PARAGRAPHS = [
    "ソフトバンクグループは二十日、生成AIの新会社「SB Intuitions」を通じて日本語に特化した"
    "大規模言語モデルを開発すると発表した。Tokyo-based Sakana AIと協力し、"
    "国内の企業向けに提供する。",
    "宮川潤一社長は記者会見で、Sakana AIの技術を取り入れた新しいサービスを来年春に始めると述べた。"
    "政府の支援も受け、計算基盤への投資を今後三年間で拡大する計画だという。",
]


def ja_story(text: str, title: str = "ソフトバンク、生成AIで新会社") -> RankedItem:
    item = Item(
        "1", "doc", 0, "feed:x", "日経", "https://example.jp/a", title, text, "ja", NOW, NOW
    )
    relevance = Relevance(
        0.9, True, (Evidence("softbank", "ソフトバンク", 3, True, 1.0),), "rule softbank"
    )
    return RankedItem(item, relevance, Novelty("new", 1.0, reason="nothing similar"), 0.8)


def test_japanese_paragraphs_wrap_by_display_width_and_keep_latin_names_whole() -> None:
    text = "\n\n".join(JA_PARAGRAPHS * 3)
    rendered = render_text(build([ja_story(text)], {}, SETTINGS, NOW, {}), SETTINGS)
    lines = rendered.splitlines()
    assert len([line for line in lines if "。" in line or "、" in line]) > 10
    for line in lines:
        if "http" not in line:
            assert wcwidth.wcswidth(line) <= 76, line
    for line in lines:
        # A Latin name is never split at its space or inside a word.
        assert not re.search(r"Sakana\s*$", line) and not line.lstrip().startswith("AIと"), line
        assert not re.search(r"Intuition$|Tokyo-$", line), line
    joined = "".join(line.strip() for line in lines)
    for paragraph in JA_PARAGRAPHS:
        assert paragraph.replace(" ", "") in joined.replace(" ", "")


def test_no_stray_space_after_a_japanese_full_stop_where_paragraphs_join() -> None:
    digest = build([ja_story("\n\n".join(JA_PARAGRAPHS))], {}, SETTINGS, NOW, {})
    html, text = render_html(digest, SETTINGS), render_text(digest, SETTINGS)
    assert "計画だという。" in html
    assert "提供する。宮川潤一社長" in html
    assert "提供する。 " not in html and "。 宮川" not in text


class LangOf(HTMLParser):
    """The lang attribute in force on each piece of text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.text_lang: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        inherited = next((x for x in reversed(self.stack) if x), None)
        if tag not in ("meta", "br", "img", "link"):
            self.stack.append(lang or inherited)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in ("meta", "br", "img", "link"):
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text_lang[data.strip()] = self.stack[-1] if self.stack else None


def test_japanese_titles_and_extracts_are_marked_lang_ja_in_html() -> None:
    from monitor.model import Report

    story = ja_story("\n\n".join(JA_PARAGRAPHS))
    english = replace(
        story,
        item=replace(
            story.item, id="2", title="SoftBank sets up an AI unit", text="It did.", lang="en"
        ),
    )
    title = "ソフトバンク新会社、国産AI開発へ"
    also = {"1": [Report("9", title, "共同通信", None, "same story")]}
    html = render_html(build([story, english], also, SETTINGS, NOW, {}), SETTINGS)
    parser = LangOf()
    parser.feed(html)
    assert parser.text_lang["ソフトバンク、生成AIで新会社"] == "ja"
    assert parser.text_lang["ソフトバンク新会社、国産AI開発へ"] == "ja"
    (extract,) = [t for t in parser.text_lang if t.startswith("ソフトバンクグループは")]
    assert parser.text_lang[extract] == "ja"
    assert parser.text_lang["SoftBank sets up an AI unit"] == "en"
