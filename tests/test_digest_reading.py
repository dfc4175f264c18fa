"""What a reader of the digest sees: Japanese wrapped by display width, plain words, plurals."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import wcwidth

from monitor.digest import build, render_html, render_text
from monitor.model import Evidence, Item, Novelty, RankedItem, Relevance
from monitor.settings import DigestSettings

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


def softbank_story(item_id: str = "1", **novelty: object) -> RankedItem:
    item = Item(
        item_id, "doc", 0, "feed:x", "Example", None, "SoftBank invests", "Text.", "en", NOW, NOW
    )
    evidence = (
        Evidence("softbank", "SoftBank", 3, True, 1.0),
        Evidence("japan_ai", "Sakana AI", 2, False, 1.0),
    )
    relevance = Relevance(0.97, True, evidence, "rule softbank")
    return RankedItem(item, relevance, Novelty("new", 1.0, **novelty), 0.91)  # type: ignore[arg-type]


def test_the_why_line_is_in_words_and_the_figures_stay_out() -> None:
    from monitor.model import Similarity

    digest = build([softbank_story()], {}, SETTINGS, NOW, {})
    why = digest.stories[0].why
    assert why == "About SoftBank (3 mentions) and Sakana AI (2); no earlier report like it"
    related = softbank_story(similarity=Similarity(0.08, 0.64, 0.2, "related"))
    why = build([related], {}, SETTINGS, NOW, {}).stories[0].why
    assert why.endswith("related to an earlier report, but not the same story")
    assert not re.search(r"\d\.\d", why)
    assert "Why: About SoftBank (3 mentions)" in render_text(digest, SETTINGS)


def test_also_reported_by_is_a_list_in_html() -> None:
    from monitor.model import Report

    also = {
        "1": [
            Report(str(i), f"Report {i}", f"Outlet {i}", f"https://o{i}.example/", "same story")
            for i in range(3)
        ]
    }
    html = render_html(build([softbank_story()], also, SETTINGS, NOW, {}), SETTINGS)
    items = re.findall(r"<li\b[^>]*>(.*?)</li>", html, re.S)
    assert len(items) == 3
    for i, item in enumerate(items):
        assert f"Outlet {i}" in item and f"Report {i}" in item


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_colour_meets_wcag_aa_contrast_on_the_page() -> None:
    digest = build([softbank_story()], {}, SETTINGS, NOW, {"over_limit": 2})
    html = render_html(digest, SETTINGS)
    styles = re.findall(r'style="([^"]*)"', html)
    colours = {m for s in styles for m in re.findall(r"(?<!-)color:\s*(#[0-9a-fA-F]{6})", s)}
    assert len(colours) >= 4
    for colour in colours:
        ratio = (1.0 + 0.05) / (_luminance(colour) + 0.05)  # on the white page
        assert ratio >= 4.5, (colour, round(ratio, 2))
    foot = re.search(r'<td class="foot[^"]*" style="([^"]*)"', html)
    assert foot and "#9ca3af" not in foot.group(1)


def test_the_reader_hears_of_held_stories_in_words_and_not_of_operator_counts() -> None:
    skipped = {"irrelevant": 3, "unreadable": 4, "already_sent": 1, "over_limit": 1}
    digest = build([softbank_story()], {}, SETTINGS, NOW, skipped)
    for rendered in (render_html(digest, SETTINGS), render_text(digest, SETTINGS)):
        assert "1 more story did not fit; the next digest carries it." in rendered
        for operator_count in ("3 irrelevant", "4 unreadable", "left out", "1 already sent"):
            assert operator_count not in rendered


def test_the_run_summary_counts_add_up() -> None:
    from monitor.pipeline import DUPLICATE, EMPTY, NEW, REPEAT, RunStats

    stats = RunStats(documents=2, already_seen=1, items=2)
    for status in (EMPTY, NEW, DUPLICATE, REPEAT):
        stats.count(status)
    line = stats.summary()
    assert line == (
        "2 new documents (1 already seen), 1 with no article text; "
        "2 stories judged: 1 duplicate (1 of a story already sent), 1 new"
    )
    judged = line.split("judged: ")[1]
    assert sum(int(n) for n in re.findall(r"(?:^|, )(\d+) ", judged)) == stats.items
    assert (
        RunStats(documents=1, items=1, by_status={NEW: 1})
        .summary()
        .startswith("1 new document (0 already seen); 1 story judged: 1 new")
    )
