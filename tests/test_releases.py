"""Reports of one statistics release fold, however little the shortest of them says.

Fixture feeds written here (a fictional September trade release): a one-sentence
report, a full wire report twenty minutes later, and the same morning's machinery
orders report, served on 127.0.0.1 and judged by a real ``monitor preview`` with the
shipped profile.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest_feeds import FeedServer, channel, feed_server

from monitor.novelty import Encoder, compare, fingerprint_texts
from monitor.releases import ReleaseIndex, months, release_key

__all__ = ["feed_server"]  # fixture, used by name

AS_OF = datetime(2026, 10, 20, 6, 0, tzinfo=UTC)
SHORT = (
    "Japan’s Exports Rise for a Fifth Month as Chip Shipments Boom",
    "Japan’s exports rose for a fifth straight month, powered by strong overseas demand for "
    "semiconductors and a yen near its weakest in decades.",
)
FULL = (
    "Japan's exports climb 14.6% in September on chip demand, imports cool",
    "Japan's exports rose 14.6% in September from a year earlier to 10.2 trillion yen, "
    "Ministry of Finance data showed on Monday, driven by chips demand and shipments of "
    "chipmaking equipment to China and Taiwan. Economists had expected a 12.1% rise. Imports "
    "climbed 9.8%, slowing from August, leaving a trade surplus of 312 billion yen. Shipments "
    "to the United States rose 8.1%, while exports to China gained 12.3%. Analysts said a "
    "weaker yen had made Japanese goods more competitive, though higher energy prices kept "
    "the import bill high.",
)
ORDERS = (
    "Japan's machinery orders jump 9.3% on chip equipment demand",
    "Japan's core machinery orders rose 9.3% in August from the previous month, Cabinet Office "
    "data showed on Monday, led by orders for semiconductor production equipment. Economists "
    "had expected a 2.0% rise.",
)


def _date(hours_before: float) -> str:
    return (AS_OF - timedelta(hours=hours_before)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _feed(name: str, reports: list[tuple[tuple[str, str], float]]) -> bytes:
    return channel(
        name,
        "".join(
            f"<item><title>{title}</title><link>https://{name.lower()}.example/{n}</link>"
            f"<pubDate>{_date(hours)}</pubDate><description>{text}</description></item>"
            for n, ((title, text), hours) in enumerate(reports)
        ),
    )


def test_release_keys_need_a_country_an_indicator_and_a_move() -> None:
    assert release_key(SHORT[0]) == release_key(FULL[0]) == "japan:exports"
    assert release_key(ORDERS[0]) == "japan:machinery orders"
    assert release_key("米8月総合ＰＭＩ、22年4月以来の高水準") == "us:pmi"
    # The services and the manufacturing survey are two releases, whatever the language.
    services = "japan:services pmi"
    assert release_key("Japan Services Activity Grows at Fastest Pace in 10 Months") == services
    assert release_key("3月の非製造業PMI、53.1に上昇 AI関連のIT需要が押し上げ") == services
    # The indicator first, its month after.
    assert release_key("サービス部門ＰＭＩ、３月確報は５３．１ 高水準") == services
    factory = "japan:manufacturing pmi"
    assert release_key("Japan factory activity shrinks for fifth month") == factory
    assert release_key("3月の製造業PMI、49.0に低下") == factory
    assert release_key("India's Paras Defence sees exports doubling") == ""  # a company's
    assert release_key("Japan's exports of rice face new curbs") == ""  # no figure or move
    assert release_key("SoftBank shares rise 3%") == ""  # no country
    assert release_key("Japan expands chip export curbs to China") == ""  # policy, not data
    assert release_key("日本、半導体の輸出規制を拡大") == ""
    assert months("Exports rose in September; 9月の輸出") == {9}
    assert months("Prices may rise") == set()


def test_gdp_reports_say_the_economy_moved_or_open_on_the_quarter_in_japanese() -> None:
    # English GDP headlines name the economy and its move, not "GDP".
    assert release_key("Japan's economy shrinks 0.6% in April-June as exports slump") == "japan:gdp"
    assert release_key("Germany’s Economy Unexpectedly Grew in Second Quarter") == "germany:gdp"
    assert release_key("Japan's economy returns to growth as consumers spend") == "japan:gdp"
    assert release_key("Japan's economy minister says wage rises are spreading") == ""
    assert release_key("Japan's economy faces a hit as exporters cut output") == ""
    # Japan's press names the country of a foreign release and leaves out its own: a
    # Japanese report opening on the quarter or month, the indicator right after, is Japan's.
    ja_lead = "内閣府が発表した4～6月期の国内総生産(GDP)速報値は、年率換算で2.4%減となった。"
    assert release_key("4～6月期GDP、年率2.4%減 輸出の落ち込み響く") == "japan:gdp"
    assert release_key("４─６月期ＧＤＰ、年率２．４％減", ja_lead) == "japan:gdp"
    assert release_key("10月の消費者物価、3.1%上昇") == "japan:cpi"
    assert release_key("ドイツ4～6月期GDP、0.3%減", ja_lead) == "germany:gdp"
    assert (
        release_key("10月の米消費者物価、3.1%上昇") == ""
    )  # the US release, named after the month
    assert release_key("工作機械受注、10月は8.1%増") == ""  # not the period first
    # Kanji alone is not Japanese: a Chinese headline leaves out China's name the same way.
    assert release_key("4-6月GDP同比增长5.2%", "国家统计局今天公布的数据显示。") == ""


def test_the_bank_of_japans_survey_is_named_by_its_headline_index_too() -> None:
    # The tankan is Japan's alone: reports name it, or only its index (big manufacturers'
    # sentiment), and a Japanese headline may open on it without a month.
    assert release_key("Japan big manufacturers' mood improves on AI chip demand") == "japan:tankan"
    assert release_key("Japan big manufacturers' sentiment improves to +12: BOJ") == "japan:tankan"
    assert release_key("日銀短観、大企業製造業プラス12 AI向け半導体けん引") == "japan:tankan"
    assert release_key("大企業製造業の景況感、2期連続改善―9月短観") == "japan:tankan"
    # A market report after the survey, or a rate call it backs, is no report of it.
    assert release_key("Japan Stocks Rise as Chip Shares Gain After Tankan") == ""
    assert release_key("日経平均は反発 短観も支え") == ""
    assert release_key("BOJ seen raising rates as tankan backs case") == ""
    index = ReleaseIndex()
    index.add("en", "Japan big manufacturers' mood improves on AI chip demand - BOJ tankan",
              "Big Japanese manufacturers' business mood improved in the three months to "
              "September, the Bank of Japan's tankan survey showed.", AS_OF)  # fmt: skip
    assert index.match("日銀短観、大企業製造業プラス12 AI向け半導体けん引", "", AS_OF) == "en"


def test_english_and_japanese_reports_of_one_gdp_release_are_one_release() -> None:
    index = ReleaseIndex()
    index.add("wire", "Japan's economy shrinks 2.4% in April-June as exports slump",
              "Japan's economy shrank an annualised 2.4% in April-June.", AS_OF)  # fmt: skip
    ja = (
        "４─６月期ＧＤＰ、年率２．４％減",
        "内閣府が発表した４─６月期の実質国内総生産は減少した。",
    )
    assert index.match(*ja, AS_OF + timedelta(hours=1)) == "wire"
    assert index.describe(*ja) == "japan gdp"
    # Another country's quarter the same morning is another release.
    assert index.match("ドイツ4～6月期GDP、0.3%減", ja[1], AS_OF + timedelta(hours=1)) is None


def test_another_month_or_another_figure_is_another_release() -> None:
    index = ReleaseIndex()
    index.add("sep", FULL[0], FULL[1], AS_OF)
    later = AS_OF + timedelta(hours=1)
    assert index.match(*SHORT, later) == "sep"
    assert index.match("Japan exports rise 6.9% in October", "", later) is None  # 14.6% vs 6.9%
    assert index.match("Japan exports rise, data show", "Exports rose in July.", later) is None
    assert index.match(*SHORT, AS_OF + timedelta(hours=30)) is None  # not within hours


def test_a_one_sentence_report_and_a_full_report_of_one_release_are_one_story(
    feed_server: FeedServer, project: Path, cli: object
) -> None:
    short, full = fingerprint_texts([SHORT, FULL], Encoder())
    # The pair model alone keeps them apart: one sentence says too little.
    assert compare(full, short).verdict not in ("same story", "copy")
    feed_server.static("/economics.xml", _feed("Economics", [(SHORT, 3.0)]))
    feed_server.static("/wire.xml", _feed("Wire", [(FULL, 2.7), (ORDERS, 2.5)]))
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('corpus = ["seeds"]', "corpus = []")
        + "".join(
            f'\n[[feeds]]\nurl = "{feed_server.url(p)}"\n' for p in ("/economics.xml", "/wire.xml")
        ),
        encoding="utf-8",
    )
    result = cli("preview", "--format", "json", "--as-of", AS_OF.isoformat())  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    stories = json.loads(result.stdout)["stories"]
    by_title = {s["title"]: s for s in stories}
    assert sorted(by_title) == sorted([SHORT[0], ORDERS[0]])
    assert [a["title"] for a in by_title[SHORT[0]]["also"]] == [FULL[0]]
    assert by_title[ORDERS[0]]["also"] == []
