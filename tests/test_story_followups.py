"""Follow-ups judged story by story: a development is a story later reports of it join, and a
share move the morning after a deal is news of its own, not the deal again.

The fixtures are written for these tests (a fictional acquisition by NTT Data of a fictional
US data-centre developer, reported in Japanese and English), not taken from any data set.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO

from monitor import novelty
from monitor.config import load
from monitor.followup import headline_news, new_amounts, new_headline_amounts
from monitor.judging import RunStats, judge_novelty
from monitor.model import Item, Relevance
from monitor.store import ItemRecord, Store

T0 = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
ON_TOPIC = Relevance(0.9, True, (), "on topic")

# The first event: a Japanese report of a scoop on the talks, with an estimated price.
TALKS_JA = (
    "NTTデータ、米データセンター開発コーベインの買収協議 米報道",
    "NTTデータが米データセンター開発のコーベイン・データセンターズの買収に向けて協議していることが"
    "分かった。米ブルームバーグ通信が16日、関係者の話として報じた。買収額は約40億ドルになる可能性が"
    "ある。人工知能（AI）向けのデータセンター需要の拡大に対応する。",
)
# The development, hours later: the deal is agreed at a price. A one-sentence flash first ...
DEAL_EN_SHORT = (
    "NTT Data Agrees to Buy Corvane for $4.7 Billion in AI Push",
    "NTT Data Group Corp. agreed to buy US data center developer Corvane Data Centers for "
    "$4.7 billion, the company said Tuesday.",
)
# ... then the Japanese report and the English wire's full one.
DEAL_JA = (
    "NTTデータ、米データセンター会社コーベインを47億ドルで買収 正式発表",
    "NTTデータは17日、米データセンター開発のコーベイン・データセンターズを47億ドル"
    "（約7100億円）で買収すると正式に発表した。人工知能（AI）向けの計算基盤を拡大する。"
    "買収資金は銀行借り入れ30億ドルと手元資金で賄う。買収完了は2027年3月を見込む。",
)
DEAL_EN = (
    "NTT Data agrees to buy Corvane Data Centers for $4.7 billion",
    "TOKYO, Nov 17 - NTT Data said on Tuesday it agreed to buy US data center developer "
    "Corvane Data Centers for $4.7 billion, expanding its computing capacity for artificial "
    "intelligence. NTT Data will fund the deal with $3 billion in bank loans and cash on hand "
    "and expects to complete it in March 2027.",
)
# The next morning the market's reaction is the news: the same deal, a new figure.
SHARES_JA = (
    "NTTデータ株が一時7%安 米データセンター買収で財務悪化を懸念",
    "18日の東京株式市場でNTTデータ株が一時、前日比7%安の3250円まで下落した。"
    "前日に発表した米データセンター会社コーベインの47億ドルでの買収で、有利子負債が膨らみ"
    "財務が悪化するとの懸念から売りが出た。",
)


@pytest.fixture(scope="module")
def encoder() -> novelty.Encoder:
    return novelty.Encoder()


@pytest.fixture(scope="module")
def settings(tmp_path_factory):  # type: ignore[no-untyped-def]
    state = tmp_path_factory.mktemp("encoder") / "state.db"
    return replace(load(REPO / "config.toml"), state=state)


def test_a_share_fall_after_a_deal_is_a_follow_up_of_the_deal_not_a_copy(encoder) -> None:
    deal_ja, deal_en, shares = novelty.fingerprint_texts([DEAL_JA, DEAL_EN, SHARES_JA], encoder)
    # Counted as the deal's figures, the share report brings nothing: the story headlines
    # dollars, and the only dollar figure it states is the deal's price ...
    assert new_amounts(shares, [deal_ja, deal_en])[0] == 0
    # ... but its headline states a figure no report of the deal does: the shares' fall.
    assert headline_news(shares, [deal_ja, deal_en]) == 1
    index = novelty.NoveltyIndex()
    evening = T0 + timedelta(hours=8)
    index.add("deal-ja", evening, deal_ja)
    index.add("deal-en", evening + timedelta(minutes=8), deal_en)
    morning = T0 + timedelta(hours=23)
    stories = {"deal-ja": "deal-ja", "deal-en": "deal-ja"}
    verdict = index.judge(shares, morning, morning, stories)
    assert verdict.kind == "follow-up" and verdict.matched in ("deal-ja", "deal-en")
    assert "headline states 1 new amount" in verdict.reason
    # The English rewrite of the deal states nothing the Japanese report lacks: a copy.
    (again,) = novelty.fingerprint_texts([DEAL_EN], encoder)
    index = novelty.NoveltyIndex()
    index.add("deal-ja", evening, deal_ja)
    assert index.judge(again, evening + timedelta(minutes=8), evening).kind == "duplicate"


def _item(name: str, text: tuple[str, str], when: datetime) -> Item:
    title, body = text
    lang = "en" if title.isascii() else "ja"
    return Item(name, f"doc-{name}", 0, "corpus", "wire", None, title, body, lang, when, when,
                False)  # fmt: skip


def _corpus_store(tmp_path: Path) -> Store:
    """A fresh state file with the local corpus as its one source."""
    store = Store(tmp_path / "state.db")
    with store.transaction():
        store.ensure_source("corpus", "corpus", "local corpus", T0)
    return store


def _pass(store: Store, settings, items: list[Item], now: datetime) -> list[ItemRecord]:
    with store.transaction():
        records = judge_novelty([(i, ON_TOPIC) for i in items], {}, store, settings, now,
                                RunStats())  # fmt: skip
        for r in records:
            store.record_document(r.item.doc_key, "corpus", None, None, now, "")
            store.record_item(r)
    return records


def test_reports_of_a_deal_in_two_languages_make_one_story_after_the_talks(
    tmp_path: Path, settings, encoder
) -> None:
    store = _corpus_store(tmp_path)
    with store:
        (talks,) = _pass(store, settings, [_item("talks", TALKS_JA, T0)], T0 + timedelta(hours=1))
        assert talks.status == "new"
        evening = T0 + timedelta(hours=8)
        deal = _pass(
            store, settings,
            [_item("flash", DEAL_EN_SHORT, evening),
             _item("deal-ja", DEAL_JA, evening + timedelta(minutes=5)),
             _item("deal-en", DEAL_EN, evening + timedelta(minutes=8))],
            evening + timedelta(hours=1),
        )  # fmt: skip
        # The flash is the deal: a follow-up of the talks (an agreed deal, a price), a story of
        # its own. The Japanese report is a development of the talks (a price, a funding plan)
        # but repeats the flash: it joins the deal's story, and so does the English wire's.
        by_id = {r.item.id: r for r in deal}
        assert by_id["flash"].status == "follow-up"
        assert by_id["flash"].story_id == "flash"
        assert {by_id[i].story_id for i in ("flash", "deal-ja", "deal-en")} == {"flash"}
        morning = T0 + timedelta(hours=23)
        (shares,) = _pass(store, settings, [_item("shares", SHARES_JA, morning)], morning)
        # The share fall is news of its own: a follow-up, never folded under the deal.
        assert shares.status == "follow-up" and shares.story_id == "shares"
        leads = {s.item.id for s in store.undelivered_stories()}
        assert leads == {"talks", "flash", "shares"}


# A data release: the English report leads on the surge and headlines no figure; the Japanese
# wire headlines the balance, which the English text never states.
SURGE_EN = (
    "Japan's exports surge on chip demand, imports hit record on oil costs",
    "Japan's imports hit a monthly record in September as oil prices drove up energy costs, "
    "while exports climbed 14.6% from a year earlier on demand for chips used in AI data "
    "centres, data showed on Monday. Imports rose 9.8%, beating forecasts for a 7.5% rise.",
)
BALANCE_JA = (
    "貿易収支、9月は3120億円の黒字 半導体関連が輸出をけん引",
    "財務省が20日発表した9月の貿易統計速報によると、輸出は前年同月比14.6%増だった。"
    "半導体等電子部品が輸出を押し上げた。輸入は9.8%増。貿易収支は3120億円の黒字だった。",
)


def test_a_headline_figure_after_a_story_headlined_without_one_is_no_news(encoder) -> None:
    english, japanese = novelty.fingerprint_texts([SURGE_EN, BALANCE_JA], encoder)
    # The balance is a figure the English report does not state ...
    assert new_headline_amounts(japanese, [english]) == 1
    # ... but against a story headlined without figures a headline figure is no news (a
    # fuller report's choice of lead); against one headlining a figure, it is.
    assert headline_news(japanese, [english]) == 0
    _, deal_en, shares = novelty.fingerprint_texts([DEAL_JA, DEAL_EN, SHARES_JA], encoder)
    assert headline_news(shares, [deal_en]) == 1


# Another actor's act on an event: the ministry asks platforms to take a city's deepfake down.
DEEPFAKE_JA = (
    "仙台市長の偽音声がSNSで拡散 生成AIで作成か 市が警察に相談",
    "仙台市は6日、市長が増税を表明したように聞こえる偽の音声がSNSで拡散していると発表した。"
    "生成AIで作られたとみられ、市は警察に相談した。",
)
DEEPFAKE_EN = (
    "Sendai mayor targeted by AI voice clone",
    "SENDAI, Miyagi -- Officials in Sendai said Thursday that a voice clone of the mayor, "
    "believed to be produced with AI tools, was being shared widely. The city has asked police "
    "for advice.",
)
TAKEDOWN_JA = (
    "総務省、SNS各社に仙台市長の偽音声の削除を要請",
    "総務省は7日、仙台市長の偽音声がSNSで拡散している問題で、X、TikTokなどSNS各社に削除を"
    "要請した。各社に対応状況の報告も求めた。",
)
# A report of the request that retells the deepfake: it repeats both stories.
RECAP_JA = (
    "仙台市長の偽音声、総務省がSNS各社に削除要請 生成AIで作成か",
    "仙台市長が増税を表明したように聞こえる偽の音声がSNSで拡散している問題で、総務省は7日、"
    "SNS各社に削除を要請した。音声は生成AIで作られたとみられ、市は警察に相談している。",
)


def test_a_report_retelling_an_event_does_not_fold_another_actors_act_into_it(
    tmp_path: Path, settings
) -> None:
    store = _corpus_store(tmp_path)
    with store:
        records = _pass(
            store, settings,
            [_item("fake-ja", DEEPFAKE_JA, T0),
             _item("fake-en", DEEPFAKE_EN, T0 + timedelta(hours=2)),
             _item("takedown", TAKEDOWN_JA, T0 + timedelta(hours=20)),
             _item("recap", RECAP_JA, T0 + timedelta(hours=21))],
            T0 + timedelta(hours=22),
        )  # fmt: skip
    by_id = {r.item.id: r for r in records}
    assert by_id["fake-en"].story_id == "fake-ja"
    assert by_id["recap"].story_id in ("fake-ja", "takedown")
    # The ministry's request is a story of its own: the deepfake's reports never name the
    # ministry, and the recap that names both is no evidence that they are one.
    assert by_id["takedown"].status in ("new", "follow-up"), by_id["takedown"].novelty_json
    assert by_id["takedown"].story_id == "takedown"
