"""Shared figures as same-story evidence across languages, and conflicting ones against.

The fixtures are written for these tests (a fictional machinery-orders release), not
taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import judged_second

from monitor import similarity as sim
from monitor.facts import Fact, amounts
from monitor.novelty import Fingerprint, compare, fingerprint_texts

T0 = datetime(2026, 9, 14, 0, 0, tzinfo=UTC)

ORDERS_EN = (
    "Japan's core machinery orders jump 12.4% on robot and chip equipment demand",
    "Japan's core machinery orders rose 12.4% in July from a year earlier, Cabinet Office data "
    "showed on Monday, beating the 8.1% gain economists had forecast. Orders totalled 1.025 "
    "trillion yen, the highest since 2008. Manufacturers' orders climbed 15.6%, led by "
    "industrial robots and semiconductor production equipment, while non-manufacturers' orders "
    "rose 3.2%. Foreign orders, which are volatile, fell 4.7% to 312 billion yen.",
)
ORDERS_JA = (
    "7月機械受注、前年比12.4%増 ロボット・半導体装置がけん引",
    "内閣府が14日発表した7月の機械受注統計によると、民需（船舶・電力を除く）は前年同月比12.4%増の"
    "1兆250億円だった。市場予想の8.1%増を上回り、2008年以来の高水準となった。\n\n"
    "製造業からの受注は15.6%増えた。産業用ロボットや半導体製造装置が押し上げた。非製造業は3.2%増。"
    "変動の大きい外需は4.7%減の3120億円だった。",
)
# Next month's release: same template, another headline figure, and three of July's
# figures again as background.
ORDERS_AUGUST = (
    "Japan's core machinery orders rise 6.9% in August",
    "Japan's core machinery orders rose 6.9% in August from a year earlier, Cabinet Office data "
    "showed, slowing from July's jump. Orders totalled 980 billion yen after 1.025 "
    "trillion yen in July. Manufacturers' orders rose 5.1%, after 15.6% in July, and "
    "non-manufacturers' orders fell 3.2%.",
)


def test_a_percentage_right_after_kanji_is_a_fact() -> None:
    assert Fact("%", 23.2) in amounts("輸出は前年同月比23.2%増の11兆5118億円")
    assert Fact("%", 3.2) in amounts("非製造業は３．２％増")
    assert amounts("the A380 jet") == []  # a number inside a Latin word is not one


def test_shared_amounts_count_figures_not_datelines() -> None:
    a = (Fact("date", 914), Fact("%", 12.4), Fact("JPY", 1.025e12))
    b = (Fact("date", 914), Fact("JPY", 1.025e12), Fact("%", 12.4), Fact("%", 99.0))
    assert sim.shared_amounts(a, b) == 2


def test_an_english_and_a_japanese_report_of_one_release_fold_on_their_figures(encoder):
    english, japanese = fingerprint_texts([ORDERS_EN, ORDERS_JA], encoder)
    assert (english.lang, japanese.lang) == ("en", "ja")
    assert sim.shared_amounts(english.text_amounts, japanese.text_amounts) >= sim.FACTS_SAME_STORY
    assert compare(japanese, english).verdict in ("same story", "copy")
    novelty = judged_second(english, japanese, T0)
    assert (novelty.kind, novelty.matched) == ("duplicate", "first")
    assert "translated" in novelty.reason


def test_a_report_with_another_headline_figure_does_not_fold_on_shared_background(encoder):
    july, august = fingerprint_texts([ORDERS_EN, ORDERS_AUGUST], encoder)
    # Three of July's figures come back in August's report ...
    assert sim.shared_amounts(july.text_amounts, august.text_amounts) >= sim.FACTS_SAME_STORY
    # ... but the headlines state other percentages: a conflict, so not one story.
    assert compare(august, july).verdict not in ("same story", "copy")
    assert judged_second(july, august, T0).kind != "duplicate"


def test_fingerprints_without_text_amounts_still_read() -> None:
    fp = Fingerprint(bytes(128), bytes(64), 0, bytes(512), b"", False)
    blob = fp.to_bytes()
    assert Fingerprint.from_bytes(blob).text_amounts == ()
