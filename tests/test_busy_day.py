"""A busy day on the beat: reports of one event still fold, reports of others stay apart.

The fixtures are written for these tests (fictional events about real companies), not
taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import judged_second

from monitor.eventkeys import head_counts
from monitor.eventrules import apart_reason, link_reason
from monitor.facts import Fact, amounts, session_by_clock
from monitor.novelty import NoveltyIndex, fingerprint_texts
from monitor.relevance import Profile, score
from monitor.stages import stages

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 10, 13, 1, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Tokyo

JSR_EN = (
    "Resonac to invest 60 billion yen in AI chip packaging materials",
    "TOKYO, Oct 13 (Reuters) - Resonac Holdings will invest 60 billion yen by 2029 to raise "
    "output of materials used to package chips for artificial intelligence servers, the "
    "Japanese chemicals maker said on Tuesday, lifting capacity by half.",
)
JSR_JA = (
    "レゾナック、AI半導体材料に600億円投資 29年までに生産能力5割増",
    "レゾナック・ホールディングスは13日、AIサーバー向け半導体の後工程に使う材料の生産に"
    "2029年までに600億円を投じると発表した。生産能力を5割引き上げる。",
)
# The same beat the same morning, in English: each reads closer to the English Resonac report
# than its Japanese translation does.
RIVALS = [
    (
        f"{name} to invest {amount} billion yen in AI chip materials plant",
        f"TOKYO, Oct 13 (Reuters) - {name} will invest {amount} billion yen in a plant making "
        "materials for chips used in artificial intelligence servers, the Japanese company said "
        "on Tuesday, as demand from data centres outstrips supply.",
    )
    for name, amount in [
        ("JSR", 50), ("Shin-Etsu Chemical", 80), ("Sumitomo Chemical", 45), ("Ibiden", 70),
        ("Shinko Electric", 30), ("Ajinomoto", 25), ("Mitsui Chemicals", 40), ("Toray", 35),
        ("Kyocera", 55), ("Murata", 65), ("TDK", 75), ("Nitto Denko", 20), ("Tokuyama", 15),
        ("Kanto Denka", 12), ("Tokyo Ohka Kogyo", 18), ("Fujimi", 22), ("Sumco", 90),
        ("Disco", 33),
    ]
]  # fmt: skip


def test_a_translation_is_found_past_many_closer_stories_of_the_beat(encoder) -> None:
    *rivals, resonac_en, resonac_ja = fingerprint_texts([*RIVALS, JSR_EN, JSR_JA], encoder)
    index = NoveltyIndex()
    for i, fp in enumerate(rivals):
        index.add(f"rival-{i}", T0 + timedelta(minutes=i), fp)
    index.add("resonac-ja", T0 + timedelta(minutes=30), resonac_ja)
    later = T0 + timedelta(hours=1)
    novelty = index.judge(resonac_en, later, later)
    assert novelty.kind == "duplicate", novelty.reason
    assert novelty.matched == "resonac-ja"


def test_japanese_shares_of_ten_and_kyodos_scales_are_amounts() -> None:
    assert amounts("生産能力を5割引き上げる") == amounts("生産能力5割増") == [Fact("%", 50.0)]
    assert amounts("８割の企業が生成AIを利用") == [Fact("%", 80.0)]
    assert amounts("割安感から買われた") == []
    assert amounts("SoftBank to acquire U.S. robot maker for 510 bil. yen") == [Fact("JPY", 510e9)]
    assert amounts("secures 1.78 tril. yen loan") == [Fact("JPY", 1.78e12)]


TALKS = (
    "SoftBank Seeks $10 Billion Bridge Loan to Fund OpenAI Stake",
    "SoftBank Group Corp. is in talks with banks on a $10 billion bridge loan to fund its "
    "next investment in OpenAI, people familiar with the matter said.",
)
SECURED = (
    "SoftBank Group secures 1.78 tril. yen loan for OpenAI investment",
    "TOKYO (Kyodo) -- SoftBank Group Corp. said Tuesday it has signed a 1.78 trillion yen "
    "bridge loan with Mizuho, SMBC and MUFG to fund its investment in OpenAI.",
)
WRAP = (
    "Japan Stocks Rise as Chip Shares Rally; SoftBank Drops on Loan Report",
    "Japanese stocks rose as chipmakers rallied, while SoftBank Group fell after a report "
    "that it is seeking a bridge loan to fund OpenAI.",
)


def test_the_loan_signed_is_not_the_loan_sought_nor_the_days_market_report(encoder) -> None:
    talks, secured, wrap = fingerprint_texts([TALKS, SECURED, WRAP], encoder)
    assert stages(TALKS[0]) == (("deal", "talks"),)
    assert stages(SECURED[0]) == (("deal", "agreed"),)
    # 1.78 trillion yen is no $10 billion at any plausible rate.
    assert apart_reason(secured, talks, 20.0).startswith("other sums")
    later = judged_second(talks, secured, T0, timedelta(hours=20))
    assert later.kind != "duplicate", later.reason
    # The market report that names the loan report is the market's story, not the loan's.
    assert "not one company's news" in apart_reason(wrap, talks, 5.0)
    assert judged_second(wrap, talks, T0, timedelta(hours=-5)).kind == "new"


@pytest.mark.parametrize(
    ("title", "text", "why"),
    [
        (
            "High school esports final to be held in Chiba",
            "TOKYO (Kyodo) -- The final of the national high school esports championship, "
            "sponsored by SoftBank Corp. and a newspaper, will be held in Chiba on Dec. 27.",
            "as a backer",
        ),
        (
            "ソフトバンク、FA捕手の森岡を獲得　4年総額16億円",
            "ソフトバンク、FA捕手の森岡を獲得　4年総額16億円",
            "sports team",
        ),
        (
            "GLOBAL MARKETS-Stocks slip as AI valuations worry investors; yen firms",
            "LONDON, Oct 13 (Reuters) - World stocks slipped on Tuesday as investors questioned "
            "the valuations of artificial intelligence companies, while the yen firmed on bets "
            "that the Bank of Japan will raise interest rates. Oil prices edged higher.",
            "one of a regional markets column's markets",
        ),
    ],
)
def test_a_sponsor_a_team_and_a_markets_column_are_not_the_beat(
    profile: Profile, title: str, text: str, why: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert why in result.reason


def test_the_unnamed_government_of_a_japanese_report_is_japans(profile: Profile) -> None:
    kept = score(
        profile,
        "個人情報、本人同意なしでAI学習に利用可能に　政府が法改正案",
        "政府は個人情報保護法を改正し、AIの開発に使う場合に限り本人の同意なしで個人データを"
        "利用できるようにする。2027年の通常国会に改正案を提出する。",
    )
    assert kept.relevant, kept.reason
    assert "the government, nothing foreign" in kept.reason
    # Another country's government, named, is not.
    other = score(
        profile,
        "ブラジル、AIスーパーコンピューター整備へ　政府が計画",
        "ブラジル政府は13日、人工知能（AI）向けのスーパーコンピューターを整備する計画を発表した。",
    )
    assert not other.relevant, other.reason


def test_a_past_employer_and_a_chipmakers_own_chips_are_not_the_beat(profile: Profile) -> None:
    former = score(
        profile,
        "Ex-SoftBank executive's fund raises $2 bln for Middle East deals",
        "DUBAI (Reuters) - A fund run by a former SoftBank Vision Fund executive has raised "
        "$2 billion for deals in the Middle East, people familiar with the matter said.",
    )
    assert not former.relevant, former.reason
    # A chipmaker's slump is its own business, not chips driving news about Japan ...
    slump = score(
        profile,
        "Renesas to idle part of Kofu plant as auto chip slump drags on",
        "TOKYO (Reuters) - Renesas Electronics will idle part of its Kofu plant from January "
        "as demand for chips used in cars stays weak, the chipmaker said.",
    )
    assert not slump.relevant, slump.reason
    # ... where exports credited to chip demand still are.
    exports = score(
        profile,
        "Japan's exports rise on chip demand",
        "TOKYO (Reuters) - Japan's exports rose 5% in November, driven by demand for chips.",
    )
    assert exports.relevant and "as a driver" in exports.reason


def test_the_government_and_ruling_party_and_a_japanese_chain_are_japan(profile: Profile) -> None:
    for title in (
        "AIデータセンター投資に税額控除30%　政府・与党が27年度税制改正で",
        "セブンイレブン、AI発注を全2万1000店に　26年度中",
    ):
        result = score(profile, title, "")
        assert result.relevant, result.reason


def test_counts_in_man_and_stores_link_two_languages(encoder) -> None:
    assert head_counts("セブンイレブン、AI発注を全2万1000店に") == frozenset({21000})
    assert head_counts("3万人を削減") == frozenset({30000})  # a count that opens the headline
    en, ja = fingerprint_texts(
        [
            ("Seven-Eleven Japan to Roll Out AI Ordering to All 21,000 Stores", ""),
            ("セブンイレブン、AI発注を全2万1000店に　26年度中", ""),
        ],
        encoder,
    )
    assert "one count of one company" in link_reason(en, ja, 0.5)


def test_a_wrap_in_the_last_half_hour_of_trading_is_the_close() -> None:
    assert session_by_clock(datetime(2026, 12, 14, 6, 25, tzinfo=UTC)) == "close"  # 15:25 JST
    assert session_by_clock(datetime(2026, 12, 14, 5, 30, tzinfo=UTC)) == ""  # 14:30 JST


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "SoftBank to raise Y!mobile fees by 220 yen from March",
            "TOKYO (Kyodo) -- SoftBank Corp. will raise monthly fees for its Y!mobile brand by "
            "220 yen from March, citing higher costs.",
        ),
        (
            "ソフトバンク、九州で通信障害　約3時間",
            "ソフトバンクの携帯電話サービスで3日、九州の一部地域でつながりにくい状態が約3時間続いた。",
        ),
        ("全日本ジュニア囲碁、ソフトバンクが特別協賛", ""),
        ("ソフトバンク、韓国人右腕キムと2年契約", ""),
        (
            "Indian AI lender Kredify raises $300 mln from General Atlantic, SoftBank, others",
            "MUMBAI (Reuters) - Kredify, an Indian lender that uses AI, raised $300 million from "
            "General Atlantic, SoftBank and others.",
        ),
    ],
)
def test_a_carriers_fees_a_sponsor_a_pitcher_and_one_investor_are_not_softbank_news(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason


def test_softbank_corps_ai_results_and_financing_are_still_its_news(profile: Profile) -> None:
    for title, text in (
        (
            "SoftBank Corp to spend $1 bln on AI-enabled base stations in Japan",
            "TOKYO (Reuters) - SoftBank Corp will spend $1 billion on base stations that run "
            "AI, it said, as it cuts fees for data plans.",
        ),
        (
            "SoftBank Corp quarterly profit rises on mobile fees",
            "TOKYO - SoftBank Corp said quarterly operating profit rose 5% as mobile fees rose.",
        ),
        ("SoftBank raises $5 billion from bond sale", "SoftBank Group raised $5 billion."),
        ("孫氏の右腕、ソフトバンクGを退任", "ソフトバンクグループの副社長が退任する。"),
    ):
        result = score(profile, title, text)
        assert result.relevant, result.reason


def test_two_closes_of_one_day_fold_whichever_company_each_names_first(encoder) -> None:
    # Reuters headlines the Topix, Kyodo SoftBank: neither names the other's first company,
    # and still one market closed once that day.
    reuters, kyodo = fingerprint_texts(
        [
            (
                "Japan's Nikkei ends lower as chip stocks weigh; Topix flat",
                "TOKYO, Oct 13 (Reuters) - Japan's Nikkei share average closed down 0.6% on "
                "Tuesday as Tokyo Electron and Advantest fell, while the broader Topix was flat.",
            ),
            (
                "Nikkei ends lower on chip selloff; SoftBank awaits deal news",
                "TOKYO (Kyodo) -- Tokyo stocks closed lower Tuesday as chip-related shares fell, "
                "while SoftBank Group Corp. held steady ahead of news on its deal.",
            ),
        ],
        encoder,
    )
    later = judged_second(reuters, kyodo, T0.replace(hour=6, minute=10), timedelta(hours=1))
    assert later.kind == "duplicate", later.reason
    assert "one market's close report of one day" in later.reason


def test_a_rewrite_crediting_bloomberg_is_no_follow_up_of_bloombergs_report(encoder) -> None:
    scoop, rewrite = fingerprint_texts(
        [
            (
                "SoftBank Weighs $1.8 Billion Purchase of Optical Chip Maker Northwind",
                "SoftBank Group Corp. is weighing a purchase of Northwind Photonics for about $1.8 "
                "billion, people familiar with the matter said.",
            ),
            (
                "SoftBank in talks to buy optical chip firm Northwind for about $1.8 bln - "
                "Bloomberg News",
                "TOKYO, Oct 13 (Reuters) - SoftBank Group is in talks to buy U.S. optical chip "
                "maker Northwind Photonics for about $1.8 billion, Bloomberg News reported on "
                "Tuesday, citing people familiar with the matter. SoftBank declined to comment. "
                "Northwind, based in Oregon, makes optical interconnects used in AI data "
                "centres and employs 400 people. Its backers include Intel Capital.",
            ),
        ],
        encoder,
    )
    later = judged_second(scoop, rewrite, T0, timedelta(minutes=40))
    assert later.kind == "duplicate", later.reason


def test_japan_as_one_of_three_markets_of_a_launch_is_a_passing_mention(profile: Profile) -> None:
    launch = score(
        profile,
        "Google brings Gemini to cars in the US, Japan and UK",
        "MOUNTAIN VIEW (Reuters) - Google will bring its Gemini AI assistant to cars sold in the "
        "US, Japan and UK from next year.",
    )
    assert not launch.relevant and "in lists" in launch.reason, launch.reason
    # Countries that open the sentence are its subject.
    rules = score(
        profile,
        "Japan, the US and Britain agree on AI safety rules",
        "TOKYO (Reuters) - Japan, the United States and Britain agreed on joint rules for "
        "testing artificial intelligence models.",
    )
    assert rules.relevant, rules.reason
