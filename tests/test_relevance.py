"""Relevance: the topic profile keeps Japanese-AI and SoftBank stories, and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.relevance import Profile, score

REPO = Path(__file__).resolve().parent.parent


def test_softbank_alone_is_enough(profile: Profile) -> None:
    result = score(
        profile,
        "SoftBank raises its stake",
        "SoftBank Group said on Monday it would buy more shares.",
    )
    assert result.relevant
    assert any(e.term == "SoftBank" and e.in_title for e in result.evidence)
    assert "about SoftBank" in result.reason


def test_japan_and_ai_together_are_needed(profile: Profile) -> None:
    japan_only = score(
        profile, "Tokyo rail fares rise", "Japan's railways raise fares in Tokyo and Osaka."
    )
    ai_only = score(
        profile, "A new chatbot", "OpenAI released a new large language model for chatbots."
    )
    both = score(profile, "Japan backs a new LLM", "Japan's METI will fund a large language model.")
    assert not japan_only.relevant and not ai_only.relevant
    assert both.relevant
    assert 0.0 <= japan_only.score < both.score <= 1.0


def test_a_japanese_humanoid_robot_is_ai_robotics(profile: Profile) -> None:
    # The labelling rules count AI robotics as AI; a humanoid is its most visible kind.
    for title, text in (
        ("Yaskawa shares jump 14% as humanoid draws 1,200 orders",
         "Shares of Yaskawa Electric jumped after the robot maker said its new humanoid drew "
         "1,200 orders from Toyota and Denso in its first day on sale."),
        ("安川電機、人型ロボ「ヒバリ」発売", "安川電機は人型ロボット「ヒバリ」を発売した。"),
    ):  # fmt: skip
        result = score(profile, title, text)
        assert result.relevant, result.reason
    # A humanoid abroad is still no news about Japan.
    abroad = score(profile, "Figure shows humanoid at a BMW plant", "Figure AI's humanoid robot "
                   "worked a shift at a BMW plant in South Carolina.")  # fmt: skip
    assert not abroad.relevant, abroad.reason


def test_an_unknown_japanese_company_is_known_by_how_it_is_written(profile: Profile) -> None:
    # English copy keeps the romanised business word ("Denki": electric); Japanese copy names a
    # katakana company with no country before it, as it never names a foreign one.
    romaji = score(
        profile,
        "Hoshiyama Denki develops image sensor with built-in AI chip",
        "TOKYO (Kyodo) -- Hoshiyama Denki Co. said it has developed an image sensor with a "
        "built-in artificial intelligence chip for factory inspection.",
    )
    assert romaji.relevant, romaji.reason
    kana = score(
        profile,
        "ツバメ・インテリジェンス、AIチャットの会話履歴が閲覧可能に",
        "ツバメ・インテリジェンスは、AIチャットの会話履歴約12万人分が外部から閲覧できる状態だったと"
        "発表した。",
    )
    assert kana.relevant, kana.reason
    # A name may open in hiragana (no foreign company's does), then go on in katakana.
    mixed = score(
        profile,
        "ひなたライフケア、AI見守りロボを230施設に導入",
        "介護施設を運営するひなたライフケアは、AIで入居者の転倒を検知する見守りロボットを230施設に"
        "導入すると発表した。",
    )
    assert mixed.relevant, mixed.reason
    assert not score(profile, "きょうは、AIの日", "AIについて考える日だ。").relevant
    # A maker named for its trade ("精密": precision), as 東京精密 is, opening the headline.
    precision = score(
        profile,
        "空知精密、米輸出規制で売上高420億円減の見通し ＡＩ半導体装置",
        "半導体製造装置の空知精密は13日、米国の新たな輸出規制で、AI向け半導体の製造装置の売上高が"
        "今期420億円減る見通しだと発表した。",
    )
    assert precision.relevant, precision.reason
    for title, text in (
        ("Acme Robotics develops image sensor with built-in AI chip",
         "Acme Robotics said it has developed an image sensor with a built-in AI chip."),
        ("ブラジル、AIスパコンを推進", "ブラジルはAIスーパーコンピューターの整備を進める。"),
        ("ルミナ、AI翻訳を発表", "米新興のルミナはAI翻訳サービスを発表した。"),
    ):  # fmt: skip
        foreign = score(profile, title, text)
        assert not foreign.relevant, foreign.reason


def test_a_foundation_model_in_japanese_or_chinese_is_ai(profile: Profile) -> None:
    for title, text in (
        ("産総研、ロボット基盤モデル向けに100万動作のデータセットを公開",
         "産業技術総合研究所は、ロボットの基盤モデルの学習に使う100万動作のデータセットを公開した。"),
        ("NTT推出医疗大模型，4月起向40家医院提供", "NTT推出医疗大模型。"),
    ):  # fmt: skip
        result = score(profile, title, text)
        assert result.relevant, result.reason


def test_an_open_ai_model_is_ai_not_openai(profile: Profile) -> None:
    # A name matched in other letters than its only exact form leaves the words inside it.
    result = score(profile, "RIKEN releases an open AI model", "RIKEN releases an open AI model.")
    assert result.relevant, result.reason
    assert "OpenAI" not in result.reason and "open AI" not in result.reason


def test_japanese_terms_match_without_spaces(profile: Profile) -> None:
    result = score(
        profile,
        "ソフトバンク、生成AIに投資",
        "ソフトバンクグループの孫正義会長は生成AIへの投資を拡大すると述べた。",
    )
    assert result.relevant
    terms = {e.term for e in result.evidence}
    assert {"ソフトバンク", "孫正義"} <= terms


def test_acronyms_match_only_as_words_in_capitals(profile: Profile) -> None:
    result = score(profile, "Said and done", "She said the plain facts; necessary steps in Japan.")
    assert not any(e.term in {"AI", "NEC"} for e in result.evidence)


def test_excluded_phrases_count_for_nothing(profile: Profile) -> None:
    baseball = score(
        profile,
        "SoftBank Hawks win the Japan Series",
        "The Fukuoka SoftBank Hawks beat their rivals; the SoftBank Hawks celebrated.",
    )
    assert not baseball.relevant


def test_more_evidence_scores_higher(profile: Profile) -> None:
    weak = score(
        profile, "Markets", "Japan mentioned AI once in a long report about trade and rice."
    )
    strong = score(
        profile,
        "Japan's generative AI push",
        "Japan is funding generative AI. Japanese firms build LLMs; the Japan AI strategy grows.",
    )
    assert strong.score > weak.score


FIXTURES = Path(__file__).resolve().parent / "data" / "relevance"


def _story(name: str) -> tuple[str, str]:
    title, _, text = (FIXTURES / name).read_text(encoding="utf-8").partition("\n\n")
    return title.strip(), text.strip()


def test_a_name_in_a_today_in_history_list_is_a_passing_mention(profile: Profile) -> None:
    result = score(profile, *_story("en_today_in_history.txt"))
    assert not result.relevant
    assert "SoftBank Group named once, in a list: a passing mention" in result.reason
    assert [e.where for e in result.evidence if e.group == "softbank"] == ["list"]


def test_japan_and_ai_in_unrelated_sentences_of_a_markets_column_are_dropped(
    profile: Profile,
) -> None:
    result = score(profile, *_story("en_us_markets_column.txt"))
    assert not result.relevant
    assert result.reason.startswith("dropped: Japan named once, in 1 body sentence")


def test_a_japanese_company_in_a_list_of_movers_does_not_make_a_softbank_story(
    profile: Profile,
) -> None:
    result = score(profile, *_story("ja_market_list.txt"))
    assert not result.relevant
    assert "SoftBank (ソフトバンクグループ) named once, in a list" in result.reason


def test_a_japanese_article_on_a_japanese_companys_ai_is_kept_without_the_word_japan(
    profile: Profile,
) -> None:
    title, text = _story("ja_fujitsu_ai.txt")
    assert "日本" not in title + text
    result = score(profile, title, text)
    assert result.relevant, result.reason
    japan = {e.term for e in result.evidence if e.group == "japan"}
    assert "富士通" in japan
    assert any(e.term == "富士通" and e.in_title for e in result.evidence)


def test_japans_publishers_are_japanese_companies(profile: Profile) -> None:
    # Copyright and translation are where AI meets publishing: the publishers are the subject.
    result = score(
        profile,
        "集英社・講談社・小学館・KADOKAWA、AIでマンガを翻訳する合弁会社を設立",
        "出版大手4社は、人工知能（AI）でマンガを多言語に翻訳する合弁会社を設立した。"
        "海賊版対策として、国内と同じ日に海外で配信する。",
    )
    assert result.relevant, result.reason
    assert {"集英社", "講談社"} <= {e.term for e in result.evidence if e.group == "japan"}


def test_an_english_article_on_kioxia_and_tokyo_electron_ai_chip_demand_is_kept(
    profile: Profile,
) -> None:
    title, text = _story("en_kioxia_tel_ai_chips.txt")
    assert "Japan" not in title + text
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert {"Kioxia", "Tokyo Electron"} <= {e.term for e in result.evidence if e.in_title}
    assert result.reason.startswith("about Japan and AI")


def test_full_width_text_scores_as_half_width(profile: Profile) -> None:
    wide = score(profile, "ソフトバンクＧ、ＡＩ投資を拡大", "ＳＢＧはＡＩ関連の投資を増やす。")
    narrow = score(profile, "ソフトバンクG、AI投資を拡大", "SBGはAI関連の投資を増やす。")
    assert wide.relevant and wide.score == narrow.score


def test_names_listed_in_the_headline_or_lead_still_count_in_full(profile: Profile) -> None:
    result = score(
        profile,
        "Sony, Toyota and Honda form a generative AI alliance",
        "Sony Group, Toyota Motor and Honda Motor said on Monday they would pool data and "
        "engineers to build a shared foundation model for robots and cars.",
    )
    assert result.relevant, result.reason
    assert {e.where for e in result.evidence if e.group == "japan"} <= {"headline", "lead"}


def test_a_softbank_story_in_japanese_headline_only_is_kept(profile: Profile) -> None:
    result = score(profile, "ソフトバンクＧ、米オープンＡＩに追加出資　計４兆円規模", "")
    assert result.relevant, result.reason
    assert result.reason.startswith("about SoftBank")


def test_a_headline_in_a_related_stories_sidebar_is_a_passing_mention(profile: Profile) -> None:
    result = score(profile, *_story("en_sidebar.txt"))
    assert not result.relevant
    assert {e.where for e in result.evidence} == {"list"}
    assert "a passing mention" in result.reason


@pytest.mark.parametrize(
    ("title", "text", "why"),
    [
        # "AI" running straight on into a count, as Japanese writes it ("12 generative AI models").
        (
            "生成ＡＩ１２種を安全性評価、３種が基準未達 総務省",
            "総務省は、国内外の生成ＡＩ１２種の安全性を評価した結果を公表した。",
            "生成AI ×2 incl. the headline",
        ),
        # A Japanese company's suffix: a maker's (電機), a financial group's (FG), a paper's group.
        (
            "寿電機、AI内蔵イメージセンサー開発 来年量産",
            "",
            "寿電機 (a Japanese institution's name",
        ),
        ("かすみＦＧ、生成ＡＩで1500人削減へ", "", "かすみFG (a Japanese institution's name"),
        (
            "北陸新報グループ、米ＡＩ企業に記事提供",
            "",
            "北陸新報グループ (a Japanese institution's",
        ),
        # A yen sum spent on introducing something ("導入 150億円").
        ("ウエルシア、ＡＩレジを2800店に導入 150億円", "", "150億円 (in yen"),
        # A press release names its company by its corporate form; no 日本, no yen sum.
        (
            "株式会社ミズハAI、物流倉庫向けの需要予測AI「ミズハ・フロー」を提供開始",
            "株式会社ミズハAIは、物流倉庫向けに需要予測AIの提供を始めた。",
            "a Japanese institution's name",
        ),
    ],
)
def test_japanese_headlines_the_press_writes_so_are_kept(
    profile: Profile, title: str, text: str, why: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert why in result.reason


def test_a_foreign_company_is_no_japanese_one_for_its_corporate_form(profile: Profile) -> None:
    assert not score(profile, "米グーグル株式会社、AIの新モデルを発表", "").relevant
    # Nor for a suffix: a known foreign company, or one kanji of a country (米銀: US banks).
    assert not score(profile, "サムスン電子、AI半導体を増産", "").relevant
    assert not score(profile, "米銀、AI投資を拡大", "").relevant
