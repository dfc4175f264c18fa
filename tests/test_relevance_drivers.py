"""The driver rule: a story about Japan that credits chip or AI demand for its news is kept,
at the lowest relevant rank; a passing mention of chips is still dropped.

The rule is on in the shipped config.toml; these tests score with the shipped profile, and
one checks that a user who removes the line gets the strict profile back. The reports are
written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load
from monitor.relevance import Profile, compile_profile, score

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def profile() -> Profile:
    settings = load(REPO / "config.toml").relevance
    assert settings.driver_rules == (("japan", "chips"), ("japan", "ai"))
    return compile_profile(settings)


ORDERS_EN = (
    "Japan's machinery orders hit 18-year high on chip equipment demand",
    "Japan's core machinery orders rose 12.4% in July from a year earlier, the highest level "
    "since 2008, Cabinet Office data showed on Monday.\n\n"
    "Economists had expected an 8.1% rise. Non-manufacturers' orders rose 3.2%.",
)
ORDERS_JA = (
    "7月機械受注、前年比12.4%増 2008年以来の高水準",
    "内閣府が14日発表した7月の機械受注統計によると、民需は前年同月比12.4%増の1兆250億円だった。"
    "市場予想の8.1%増を上回った。\n\n"
    "製造業では産業用ロボットや半導体製造装置が受注を押し上げた。非製造業は3.2%増だった。",
)
# Japan is the subject, chips come up once, far down, as an aside.
RETAIL_ASIDE = (
    "Japan's retail sales rise 2.1% in July on summer clothing and travel",
    "Japan's retail sales rose 2.1% in July from a year earlier, government data showed on "
    "Friday. Department stores gained 4.3% as a heatwave lifted demand for summer clothing. "
    "Travel goods rose 6.0%. Food sales were up 1.2%. Fuel sales fell 3.5%. Car sales rose "
    "1.1%. Drugstores gained 2.4%. Online sales rose 7.7%. Economists had forecast 1.8%. "
    "Sales of tablets rose 9% on demand for AI features, one retailer said.",
)
# Chips are the driver, but the subject is a foreign company.
FOREIGN_PLANT = (
    "Taiwan's Acme Semi weighs chip plant in Japan",
    "Taiwan's Acme Semi is considering building a memory chip plant in Japan amid growing "
    "demand for memory chips, a newspaper reported on Tuesday.",
)


def test_a_japan_report_crediting_chip_demand_is_kept_at_the_lowest_rank(profile: Profile):
    result = score(profile, *ORDERS_EN)
    assert result.relevant
    assert result.score == pytest.approx(profile.threshold)
    assert "naming chips as a driver" in result.reason


def test_a_japanese_report_whose_chips_push_up_the_figure_is_kept(profile: Profile):
    result = score(profile, *ORDERS_JA)
    assert result.relevant
    assert "半導体製造装置が受注を押し上げた" in result.reason


def test_an_unknown_japanese_maker_whose_orders_for_ai_grew_is_kept(profile: Profile):
    # A results flash: the company is in no table, its name and its yen figures say Japanese,
    # and the last sentence says what for AI was sold more.
    result = score(
        profile,
        "霧島電子、今期経常は15%増で最高益更新へ",
        "霧島電子が決算を発表。今期の経常利益は前期比15.0%増の62億円を見込む。"
        "生成AI向けサーバーに使う電源部品の受注が伸びた。",
    )
    assert result.relevant, result.reason
    assert result.score == pytest.approx(profile.threshold)
    assert "naming AI as a driver" in result.reason


def test_money_spent_on_ai_is_no_driver_of_the_news(profile: Profile):
    # "spending on ... AI": what the money went to, not what moved the policy story.
    result = score(
        profile,
        "BOJ holds rates as wage gains slow",
        "TOKYO -- The Bank of Japan kept its policy rate unchanged as wage growth slowed for a "
        "third month. Firms said capital spending on software and AI-related servers held up, "
        "while household consumption stayed weak.",
    )
    assert not result.relevant, result.reason


def test_a_passing_mention_of_ai_demand_far_down_is_still_dropped(profile: Profile):
    result = score(profile, *RETAIL_ASIDE)
    assert not result.relevant
    assert "passing mention" in result.reason


def test_a_foreign_company_s_plant_in_japan_is_not_a_story_about_japan(profile: Profile):
    assert not score(profile, *FOREIGN_PLANT).relevant


def test_a_real_japan_ai_story_keeps_its_full_score(profile: Profile):
    result = score(
        profile,
        "Fujitsu launches generative AI model for Japanese banks",
        "Fujitsu said on Tuesday it launched a generative AI model for Japanese banks.",
    )
    assert result.relevant and result.score > profile.threshold + 0.1


def test_without_the_driver_rules_line_a_driver_story_is_dropped(tmp_path: Path) -> None:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    line = 'driver_rules = ["japan+chips", "japan+ai"]'
    assert line in text
    config = tmp_path / "config.toml"
    config.write_text(text.replace(line, ""), encoding="utf-8")
    strict = compile_profile(load(config).relevance)
    assert not score(strict, *ORDERS_EN).relevant
