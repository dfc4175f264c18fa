"""Shared figures as same-story evidence across languages, and conflicting ones against.

The fixtures are written for these tests (a fictional machinery-orders release), not
taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import judged_second

from monitor import similarity as sim
from monitor.facts import Fact, amounts, headline_country, session
from monitor.novelty import (
    Fingerprint,
    NoveltyIndex,
    compare,
    fingerprint_texts,
    pair_features,
)
from monitor.pairscore import similarity_of

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


# Two Tokyo market reports of one (fictional) day: the morning session and the close. They
# share their wording, the drivers and the intraday high, yet they report two events.
MORNING = (
    "Nikkei rises 0.8% in morning trade as chip stocks rally",
    "Japan's Nikkei share average rose 0.8% to 41,250.30 in morning trade on Tuesday, as "
    "chip-related stocks rallied after gains in U.S. technology shares. Advantest climbed 4.1% "
    "and Tokyo Electron added 3.2%, while SoftBank Group rose 2.5%. The broader Topix gained "
    "0.5% to 2,905.12. The Nikkei hit an intraday high of 41,380.55 earlier in the session.",
)
CLOSE = (
    "Nikkei ends 1.3% higher as chip stocks extend rally",
    "Japan's Nikkei share average ended 1.3% higher at 41,460.10 on Tuesday, as chip-related "
    "stocks extended their rally after gains in U.S. technology shares. Advantest climbed 5.6% "
    "and Tokyo Electron added 4.0%, while SoftBank Group rose 2.9%. The broader Topix gained "
    "0.9% to 2,917.40. The Nikkei hit an intraday high of 41,380.55 in the morning session.",
)
# Another outlet's rewrite of the close: the same session, so it folds.
CLOSE_REWRITE = (
    "Tokyo stocks close up 1.3%, led by Advantest and Tokyo Electron",
    "Tokyo shares closed higher on Tuesday with the Nikkei up 1.3% at 41,460.10, as chip "
    "stocks such as Advantest, up 5.6%, and Tokyo Electron, up 4.0%, extended gains on the "
    "back of a rally in U.S. tech shares. SoftBank Group gained 2.9% and the Topix ended "
    "0.9% higher at 2,917.40.",
)


def test_bloombergs_japanese_wrap_names_the_tokyo_market() -> None:
    from monitor.facts import market_move

    assert market_move("日本株は反発、半導体関連が上昇－米AI銘柄高を好感") == ("tokyo stocks", "up")
    assert market_move("東京株式相場は続落") == ("tokyo stocks", "down")
    assert market_move("東京株、前場は続伸 半導体株に買い") == ("tokyo stocks", "up")
    # Japanese shares as something bought or held are no market report.
    assert market_move("海外ファンド、日本株を買い増し") == ("", "")
    assert market_move("日本株ファンドに資金流入") == ("", "")
    # A sector of the market is the market; a company's shares are not.
    assert market_move("Tokyo chip stocks slip as investors lock in AI gains") == (
        "tokyo stocks", "down",
    )  # fmt: skip
    assert market_move("Tokyo Electron shares jump on AI orders") == ("", "")


def test_trading_sessions_are_read_in_both_scripts() -> None:
    assert session(MORNING[0]) == "midday"
    assert session(CLOSE[0]) == "close"
    assert session("前場の東京株式市場で日経平均は反落した") == "midday"
    assert session("日経平均は反落し、6万6016円36銭で取引を終えた。前場は売りが先行") == "close"
    assert session("Japan close to a trade deal; talks end on Friday") == ""
    # 午前終値 is the morning session's last price, not the close.
    assert session("日経平均、午前終値は続伸 半導体株が上昇") == "midday"
    assert session("日経平均、終値は続伸 半導体株が上昇") == "close"
    assert session("午前の東京株式市場で日経平均は続伸し、午前の終値は543円高だった") == "midday"
    assert session("前場の東京株式市場で日経平均は反落し、前場の取引を終えた") == "midday"


# The next trading day's midday report, written in the same words with other figures.
NEXT_MORNING = (
    "Japan's Nikkei slips in morning trade as chip stocks retreat",
    "Japan's Nikkei share average fell 0.8% in morning trade on Wednesday, as chip-related "
    "stocks retreated after a two-day rally. Advantest lost 3.1% and Tokyo Electron shed "
    "2.2%, while SoftBank Group dipped 1.4%. The broader Topix fell 0.5% to 2,902.10.",
)


def test_one_session_of_two_trading_days_does_not_fold(encoder):
    morning, next_morning = fingerprint_texts([MORNING, NEXT_MORNING], encoder)
    assert morning.session == next_morning.session == "midday"
    # A day later, the same session is another day's market: reported, not folded.
    novelty = judged_second(morning, next_morning, T0, timedelta(hours=24))
    assert novelty.kind != "duplicate"
    assert "another trading day (24 hours apart)" in novelty.reason
    # One report that a feed dates a day late is still that report.
    (copy,) = fingerprint_texts([MORNING], encoder)
    assert judged_second(morning, copy, T0, timedelta(hours=20)).kind == "duplicate"


def test_the_morning_and_the_close_report_of_one_day_do_not_fold(encoder):
    morning, close, rewrite = fingerprint_texts([MORNING, CLOSE, CLOSE_REWRITE], encoder)
    assert (morning.session, close.session, rewrite.session) == ("midday", "close", "close")
    # Scored as a pair of texts they read as one story ...
    scored = similarity_of(pair_features(morning, close))
    assert scored.verdict in ("same story", "copy")
    # ... but they report two sessions: at most related, never folded.
    assert compare(close, morning).verdict not in ("same story", "copy")
    novelty = judged_second(morning, close, T0)
    assert novelty.kind != "duplicate"
    assert "another trading session (close, not midday)" in novelty.reason
    # A report of the same session still folds.
    index = NoveltyIndex()
    index.add("morning", T0, morning)
    index.add("close", T0 + timedelta(hours=4), close)
    later = T0 + timedelta(hours=5)
    assert index.judge(rewrite, later, later).matched == "close"


# Flash PMIs of one (fictional) morning: Japan's in English, Germany's in Japanese. The same
# survey, wording and kind of figure; two countries' releases.
PMI_JAPAN_EN = (
    "Japan factory activity grows at fastest pace in a year, flash PMI shows",
    "Japan's manufacturing activity expanded at the fastest pace in a year in September as new "
    "orders rose, a private-sector survey showed on Tuesday. The S&P Global flash Japan "
    "manufacturing purchasing managers' index rose to 52.4 from 51.1 in August. Output and new "
    "export orders both grew, while the services PMI eased to 51.8.",
)
PMI_GERMANY_JA = (
    "独製造業ＰＭＩ、9月は1年ぶり高水準 新規受注が増加",
    "Ｓ＆Ｐグローバルが23日発表した9月のドイツ製造業購買担当者景気指数（ＰＭＩ）速報値は52.0と、"
    "8月の50.9から上昇し、1年ぶりの高水準となった。新規受注と生産がともに増えた。"
    "サービス業ＰＭＩは50.2に低下した。",
)


def test_headlines_opening_on_a_country_name_it() -> None:
    assert headline_country(PMI_JAPAN_EN[0]) == "japan"
    assert headline_country(PMI_GERMANY_JA[0]) == "germany"
    assert headline_country("米8月総合ＰＭＩ、22年4月以来の高水準") == "us"
    assert headline_country("独禁法違反の疑いで調査") == ""  # 独禁法 is antitrust law
    assert headline_country("SoftBank to invest $40 billion in U.S. AI") == ""
    # Two countries open it: about both, so no conflict with "Japan, U.S. sign ..." either.
    assert headline_country("U.S., Japan sign chip supply pact") == ""
    assert headline_country("米中、通商協議を再開") == ""


def test_releases_of_two_countries_do_not_fold(encoder):
    japan, germany = fingerprint_texts([PMI_JAPAN_EN, PMI_GERMANY_JA], encoder)
    # Scored as a pair of texts they read as one story ...
    assert similarity_of(pair_features(germany, japan)).verdict in ("same story", "copy")
    # ... but their headlines open on different countries.
    assert compare(germany, japan).verdict not in ("same story", "copy")
    novelty = judged_second(japan, germany, T0)
    assert novelty.kind == "new"
    assert "another country (germany, not japan)" in novelty.reason


# A fictional retailer's plan, reported in English first and in Japanese five minutes later.
FORECAST_EN = (
    "Hoshizora Mart to invest 15bn yen in AI demand forecasting to halve food waste",
    "TOKYO -- Hoshizora Mart will spend 15 billion yen on AI demand forecasting across its "
    "400 supermarkets, aiming to halve food waste by 2029.",
)
FORECAST_JA = (
    "ほしぞらマート、AI需要予測に150億円　食品ロス5割減へ",
    "ほしぞらマートは、AIによる需要予測に150億円を投じ、2029年までに食品ロスを5割減らすと発表した。",
)


def test_a_translation_headlining_the_halving_as_5_wari_is_no_follow_up(encoder):
    english, japanese = fingerprint_texts([FORECAST_EN, FORECAST_JA], encoder)
    assert Fact("%", 50.0) in japanese.head_amounts and Fact("%", 50.0) in english.head_amounts
    novelty = judged_second(english, japanese, T0, later=timedelta(minutes=5))
    assert (novelty.kind, novelty.matched) == ("duplicate", "first")
