"""Where an event happens: one company's plans in two places of Japan are two events.

The fixtures are written for these tests (invented plans of real companies), not taken from any
data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import judged_second

from monitor.eventrules import apart_reason
from monitor.namesakes import sites_apart
from monitor.novelty import fingerprint_texts

T0 = datetime(2028, 3, 1, 1, 0, tzinfo=UTC)

SAPPORO_HUB = (
    "SB OpenAI Japan to open Sapporo hub, aims for 800 corporate clients",
    "SB OpenAI Japan, the joint venture of SoftBank Group and OpenAI that sells AI agents to "
    "Japanese companies, will open a hub in Sapporo in April. The venture aims to win 800 "
    "corporate clients in Hokkaido and hire 300 people, SoftBank Group said.",
)
FUKUOKA_DC_JA = (
    "ソフトバンクGとオープンAI、福岡にAIデータセンター 4800億円",
    "ソフトバンクグループと米オープンAIは、福岡県にAI向けデータセンターを建設すると発表した。"
    "総事業費は4800億円で、2030年の稼働を目指す。合弁会社SBオープンAIジャパンが企業向けAI"
    "エージェントに使う。",
)
KITAKYUSHU_DC_EN = (
    "SoftBank Group, OpenAI to build 480 bil. yen AI data center in Kitakyushu",
    "TOKYO (Kyodo) -- SoftBank Group Corp. and OpenAI will build an AI data center in "
    "Kitakyushu, Fukuoka Prefecture, at a cost of 480 billion yen, the companies said.",
)


def test_one_companys_plans_in_two_cities_are_two_events(encoder) -> None:
    hub, data_centre, _ = fingerprint_texts([SAPPORO_HUB, FUKUOKA_DC_JA, KITAKYUSHU_DC_EN], encoder)
    assert apart_reason(data_centre, hub) == "another site (fukuoka, not sapporo)"
    later = judged_second(data_centre, hub, T0, timedelta(hours=3))
    assert later.kind == "new", later.reason
    assert "another site (sapporo, not fukuoka)" in later.reason


def test_a_city_and_the_prefecture_holding_it_are_one_site(encoder) -> None:
    _, japanese, english = fingerprint_texts(
        [SAPPORO_HUB, FUKUOKA_DC_JA, KITAKYUSHU_DC_EN], encoder
    )  # fmt: skip
    assert apart_reason(japanese, english) == ""
    assert judged_second(japanese, english, T0, timedelta(hours=3)).kind == "duplicate"


def test_sites_are_read_from_the_table_with_the_places_holding_them() -> None:
    assert sites_apart("Rapidus to add a second line in Chitose", "ラピダス、北海道で試作") is None
    assert sites_apart("熊本に新工場", "Plant in Kyushu") is None
    assert sites_apart("熊本に新工場", "大分に新工場") == ("kumamoto", "oita")
    # The country is no site, and a headline naming no place says nothing of one.
    assert sites_apart("Japan's first AI plant", "大阪に新工場") is None
    assert sites_apart("New AI plant", "大阪に新工場") is None
