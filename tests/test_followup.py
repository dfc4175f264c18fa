"""Follow-ups across scripts: a fuller translation of a release is not a later development.

The fixtures are written for these tests (a fictional September trade release and
a fictional merger), not taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import judged_second

from monitor.followup import SHORT_REPORT_FACTS, detail_only, new_amounts, new_facts
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


# A one-sentence report of a plant investment (a wire's flash, a summary-only feed) ...
PLANT_SHORT = (
    "Hoshino Materials to Add ¥80 Billion to Kumamoto Wafer Plant",
    "Hoshino Materials Co. will invest an additional ¥80 billion in its silicon wafer plant "
    "in Kumamoto to meet demand from AI chipmakers, the company said Tuesday.",
)
# ... the full report of the same announcement 20 minutes later: the same headline facts,
# and a lead full of detail the flash had no room for.
PLANT_FULL = (
    "Hoshino Materials to invest extra 80 billion yen in Kumamoto wafer plant",
    "TOKYO, Oct 20 - Hoshino Materials will invest an additional 80 billion yen in its Kumamoto "
    "silicon wafer plant to meet demand from AI chipmakers, the company said on Tuesday, "
    "lifting the total to 230 billion yen as Arden Semiconductor and Kyoyo Devices expand "
    "production for AI servers.\n\nThe new line will start in April 2028 and raise monthly "
    'capacity by 40% to 700,000 wafers, President Kenji Morioka told reporters. "Demand '
    'for 300-millimetre wafers for AI will not slow for years," he said. The company hires '
    "350 people for the line and expects 15% of its sales from AI chips by 2030.",
)
# A later report under a headline with a figure neither earlier report states: a development.
PLANT_RAISED = (
    "Hoshino Materials raises Kumamoto wafer plant spending to 120 billion yen",
    "TOKYO, Oct 27 - Hoshino Materials said on Tuesday it would raise its extra spending on "
    "its Kumamoto silicon wafer plant to 120 billion yen from 80 billion yen a week ago, "
    "citing orders from Tessera Logic, and would start the line in October 2027, six months "
    "earlier, adding 500 jobs.",
)


def test_a_full_report_after_a_one_sentence_report_is_the_same_story(encoder):
    short, full = fingerprint_texts([PLANT_SHORT, PLANT_FULL], encoder)
    # Most of the full report's lead facts are missing from the one sentence ...
    fresh, considered = new_facts(full, [(short.facts, short.cjk)])
    assert fresh >= 3 and fresh >= 0.5 * considered
    # ... but its headline states nothing the short report lacks: detail, not news.
    assert detail_only(full, [short])
    index = NoveltyIndex()
    index.add("flash", T0, short)
    later = T0 + timedelta(minutes=20)
    novelty = index.judge(full, later, later)
    assert (novelty.kind, novelty.matched) == ("duplicate", "flash")
    assert "fuller report" in novelty.reason


def test_a_new_headline_figure_after_a_short_report_is_a_follow_up(encoder):
    short, raised = fingerprint_texts([PLANT_SHORT, PLANT_RAISED], encoder)
    assert not detail_only(raised, [short])
    index = NoveltyIndex()
    index.add("flash", T0, short)
    later = T0 + timedelta(days=7)
    novelty = index.judge(raised, later, later)
    assert (novelty.kind, novelty.matched) == ("follow-up", "flash")


# The full report updated hours later under the same headline, its lead now on the market's
# reaction: against a report that states a whole lead's worth of facts the count stands.
PLANT_UPDATED = (
    "Hoshino Materials to invest extra 80 billion yen in Kumamoto wafer plant",
    "TOKYO, Oct 20 - Shares of Hoshino Materials jumped 9.4% to 4,120 yen on Tuesday, their "
    "biggest gain since March 2024, after it said it would invest an extra 80 billion yen in "
    'its Kumamoto plant. "The spending is larger than we expected," said Mika Tanabe, an '
    "analyst at Corvid Securities, who raised her price target to 5,000 yen. Rival Sanwa "
    "Silicon fell 3.1%, and the Topix rose 0.6%. Turnover in the stock was 6.2 million shares.",
)


def test_the_rule_leaves_a_report_matched_against_a_full_one_alone(encoder):
    full, updated = fingerprint_texts([PLANT_FULL, PLANT_UPDATED], encoder)
    # Same headline facts, but the matched report states a whole lead's worth of facts:
    # what the update adds is counted as before, not called detail.
    assert len(full.facts) // 2 >= SHORT_REPORT_FACTS
    assert not detail_only(updated, [full])


def test_another_company_under_a_templated_headline_is_not_detail(encoder):
    # Two short results reports read alike; the second headline opens on another name.
    first, second = fingerprint_texts(
        [
            (
                "Ondo Pay posts record quarterly profit, shares jump",
                "Ondo Pay posted a record quarterly profit on strong payments growth.",
            ),
            (
                "Kestrel posts record quarterly profit as ride-hailing demand grows",
                "Kestrel posted a record quarterly profit as demand for rides and deliveries grew.",
            ),
        ],
        encoder,
    )
    assert not detail_only(second, [first])


# A headline-only scoop, then the company's own announcement reported in full: one bond, its
# terms the detail. "ハイブリッド債" is a loanword, no name the scoop left out.
BOND_SCOOP = ("ソフトバンクG、劣後債3600億円発行へ AI投資の資金に", "")
BOND_ANNOUNCED = (
    "ソフトバンクＧ、ハイブリッド債３６００億円発行へ ＡＩ投資に",
    "ソフトバンクグループは１５日、総額３６００億円のハイブリッド債（劣後債）を発行すると発表した。"
    "個人投資家向けで、期間は３５年。利率は年３．９～４．５％で２２日に決める。調達資金は米国の"
    "ＡＩ企業への投資に充てる。",
)


def test_the_announcement_after_a_headline_only_scoop_is_the_same_story(encoder):
    scoop, announced = fingerprint_texts([BOND_SCOOP, BOND_ANNOUNCED], encoder)
    assert detail_only(announced, [scoop])
    later = judged_second(scoop, announced, T0, timedelta(hours=6))
    assert later.kind == "duplicate", later.reason


GUIDANCE_ISSUED = (
    "総務省、生成AIの自治体向けチェックリスト公表 30項目",
    "総務省は1日、自治体が生成AIを使う際に確認すべき30項目のチェックリストを公表した。"
    "個人情報の入力制限や出力の確認手順を示した。",
)
GUIDANCE_ANSWERED = (
    "Local government group says Japan's generative AI checklist falls short",
    "TOKYO (Kyodo) -- A national association of municipalities said Thursday the internal "
    "affairs ministry's checklist for using generative AI falls short, calling for funding to "
    "train staff.",
)


def test_an_answer_to_guidance_is_a_development_of_the_guidance(encoder) -> None:
    # One ministry named in both languages would fold them as one event; the answer is news.
    issued, answer = fingerprint_texts([GUIDANCE_ISSUED, GUIDANCE_ANSWERED], encoder)
    later = judged_second(issued, answer, T0, timedelta(hours=26))
    assert later.kind == "follow-up", later.reason
    assert "the answer to the guidance after the guidance issued" in later.reason
    # The guidance reported again is no development of itself.
    again = judged_second(issued, issued, T0, timedelta(hours=1))
    assert again.kind == "duplicate", again.reason
