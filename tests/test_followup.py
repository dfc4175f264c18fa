"""Follow-ups across scripts: a fuller translation of a release is not a later development.

The fixtures are written for these tests (a fictional September trade release and
a fictional merger), not taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.followup import new_amounts, new_facts
from monitor.novelty import NoveltyIndex, fingerprint_texts

T0 = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)

# A one-sentence English report: the three figures of the release and nothing else.
TRADE_EN_SHORT = (
    "Japan's exports rise for a fifth month on chip demand",
    "Japan's exports rose 14.6% in September from a year earlier to 10.2 trillion yen, while "
    "imports climbed 9.8%, leaving a trade surplus of 312 billion yen, data showed on Monday.",
)
# The Japanese wire's full report of the same release, a few hours later: the same figures
# and many more (imports in yen, the forecast, shipments by region).
TRADE_JA_LONG = (
    "9月の貿易収支、3120億円の黒字 半導体関連が輸出をけん引",
    "財務省が20日発表した9月の貿易統計速報によると、輸出は前年同月比14.6%増の10兆2140億円だった。"
    "半導体等電子部品や半導体等製造装置が輸出を押し上げた。輸入は9.8%増の9兆9020億円。\n\n"
    "貿易収支は3120億円の黒字で、市場予想の2500億円の黒字を上回った。地域別では対米輸出が"
    "2兆1150億円と8.1%増、対中輸出は1兆6430億円で12.3%増えた。アジア向けは17.5%増だった。",
)
# A merger and, days later, its revised price: a later figure of the kind the story headlines.
DEAL_EN = (
    "Kitaura Electric to buy chip tester maker Mizora for $2.1 billion",
    "Kitaura Electric said on Monday it agreed to buy Mizora Instruments, a maker of chip "
    "testing equipment, for $2.1 billion in cash, or $31 a share, to expand in testers for "
    "AI processors. The deal is expected to close in the first half of 2027.",
)
DEAL_JA_REVISED = (
    "北浦電機、ミゾラ買収額を24億ドルに引き上げ 1株35.5ドル",
    "北浦電機は21日、半導体検査装置のミゾラ・インスツルメンツの買収額を24億ドル（1株35.5ドル）に"
    "引き上げると発表した。対抗買収案に対抗する。買収額は当初の21億ドルから14%増える。"
    "同社は取得資金のうち8億ドルを新たな借り入れで賄い、残りは手元資金を充てる。"
    "買収完了は2027年7月を見込み、従業員1200人は全員引き継ぐ。",
)


def test_a_fuller_japanese_report_of_a_release_is_the_same_story_not_a_follow_up(encoder):
    english, japanese = fingerprint_texts([TRADE_EN_SHORT, TRADE_JA_LONG], encoder)
    # Counted script-blind, most of the Japanese report's numbers are "new" ...
    fresh, considered = new_facts(japanese, [(english.facts, english.cjk)])
    assert fresh >= 3 and fresh >= 0.5 * considered
    # ... but none extends a figure the English report headlines (it headlines none).
    assert new_amounts(japanese, [english])[0] == 0
    index = NoveltyIndex()
    index.add("en", T0, english)
    later = T0 + timedelta(hours=3)
    novelty = index.judge(japanese, later, later)
    assert (novelty.kind, novelty.matched) == ("duplicate", "en")
    assert "translated" in novelty.reason


def test_a_revised_headline_figure_in_another_language_still_counts_as_new(encoder):
    english, japanese = fingerprint_texts([DEAL_EN, DEAL_JA_REVISED], encoder)
    fresh, considered = new_amounts(japanese, [english])
    # $2.4 billion, $35.5 a share, $800 million: dollars, as the English headline states;
    # the original $2.1 billion is no news, nor is 14% (the story headlines no percentage).
    assert fresh == 3
    assert considered >= 5
