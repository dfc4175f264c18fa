"""Relevance out of sample: three ways a story could pass or fail by accident of wording.

Each test pairs a story that must be judged one way with a near one that must stay relevant:
Japan and AI in unrelated clauses of a markets column; a backer inside a long list of
investors; a Japanese report of an unknown Japanese AI company that never writes 日本.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.relevance import Profile, score

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("title", "text", "why"),
    [
        (
            "Asia Shares Edge Lower as AI Trade Cools; Dollar Firm",
            "Stocks in Asia drifted in early trading after a chip selloff on Wall Street. The "
            "yen weakened past 150 per dollar and Japan's two-year yield rose to its highest "
            "since 2008.",
            "one of a regional markets column's markets",
        ),
        (
            "Wall Street Ends Mixed as AI Darlings Slip; Japan Yields Climb",
            "US stocks closed little changed on Monday as investors weighed retail sales data.",
            "never together",
        ),
        (
            # One clause names both: Japan is still one of the column's markets.
            "Asian Stocks Set for Cautious Start as Traders Weigh Tariff Talks",
            "Asian equities were set for a muted open as traders awaited US-China trade talks; "
            "futures for Japan and Australia were little changed and AI-linked chipmakers were "
            "mixed in US trading on Friday.",
            "one of a regional markets column's markets",
        ),
    ],
)
def test_japan_and_ai_in_unrelated_clauses_are_not_japanese_ai(
    profile: Profile, title: str, text: str, why: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert why in result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Japan's AI push draws record venture money", "Investors backed 40 startups in 2026."),
        (
            "Japanese chipmaker lifts forecast on AI demand",
            "The company raised its outlook for the year to March.",
        ),
        (
            # Japan only in the headline (its subject), AI only in the lead's first sentence.
            "Fujitsu unveils a model for bank clerks",
            "The model, a large language model trained on loan files, goes on sale in April.",
        ),
        (
            # The lead's first sentence opens on Japan; the headline names AI.
            "Chip tool sales hit a record on AI orders",
            "Japan's chip equipment makers sold a record 420 billion yen of tools in October. "
            "Orders from memory makers doubled.",
        ),
        (
            # A headline is one sentence, whatever its full stops.
            "Japan's Sakura Chips Takes On U.S. Rivals With AI Processor",
            "Its first samples ship in March to carmakers.",
        ),
        (
            "Tokyo stocks climb",
            "Tokyo stocks rose on Tuesday as investors bought AI shares after US chip gains.",
        ),
    ],
)
def test_japan_and_ai_about_one_subject_stay_relevant(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert result.reason.startswith("about Japan and AI"), result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Berlin robotics startup Kinetiq raises $600 million",
            "German robotics startup Kinetiq raised $600 million in a round led by Index "
            "Ventures, with Sequoia, SoftBank, Accel, HV Capital and several others taking part.",
        ),
        (
            "Kinetiq raises $600 million from SoftBank, Sequoia, Accel, Others",
            "The German startup will use the money to hire engineers in Munich.",
        ),
        (
            "独ロボット新興キネティック、900億円調達",
            "独ロボット新興のキネティックは、ソフトバンクグループ、セコイア、アクセルなどから"
            "約900億円を調達した。",
        ),
    ],
)
def test_one_investor_in_a_list_of_names_is_a_passing_mention(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    # Named in a list, or as one of those a round was raised from: either way passing.
    assert "in a list: a passing mention" in result.reason or (
        "as a backer" in result.reason and " from " in result.reason
    )


def test_a_headline_that_only_lists_stocks_is_a_passing_mention(profile: Profile) -> None:
    # A screen of the day's movers: the names end the headline with no predicate of their own.
    result = score(
        profile,
        "本日の【上場来高値】　レーザーテク、ソフトバンクＧ、東エレクなど",
        "20日の東京株式市場で上場来高値を更新した銘柄は、レーザーテック、ソフトバンクグループ、"
        "東京エレクトロンなど12銘柄だった。",
    )
    assert not result.relevant, result.reason
    assert "in lists: a passing mention" in result.reason
    # An aggregator's copy closes the headline with the outlet's credit: still no predicate.
    copied = score(
        profile,
        "前日に売買代金が多かった銘柄 ソフトバンクG、東エレク、トヨタなど（株探ニュース）",
        "",
    )
    assert not copied.relevant, copied.reason


@pytest.mark.parametrize(
    ("title", "text", "about"),
    [
        # The list is the sentence's subject: the story is about the companies listed.
        (
            "SoftBank, Sony, NTT and Toyota form AI venture",
            "The four companies will pool their data centres.",
            "about SoftBank",
        ),
        (
            "ソフトバンク、ソニー、NTTなどがAI新会社",
            "4社は共同でAIデータセンターを運営する。",
            "about ",
        ),
        # SoftBank leads; the others are listed after it.
        (
            "SoftBank leads $600 million round in Kinetiq",
            "SoftBank Group led the round, with Sequoia, Accel and HV Capital also taking part.",
            "about SoftBank",
        ),
    ],
)
def test_a_list_that_is_the_subject_or_a_lead_investor_stays_relevant(
    profile: Profile, title: str, text: str, about: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert result.reason.startswith(about), result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "AI新興のミライ・ラボ、120億円調達 独自LLMを開発",
            "大規模言語モデルを開発するスタートアップのミライ・ラボは3日、第三者割当増資で"
            "約120億円を調達したと発表した。",
        ),
        # An aggregator's copy: the headline alone.
        ("生成AIのミライ・ラボが120億円調達", ""),
    ],
)
def test_a_japanese_report_of_yen_raised_by_an_unknown_ai_company_is_japanese_ai(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert result.reason.startswith("about Japan and AI"), result.reason
    assert "120億円 (in yen, nothing foreign: a domestic subject)" in result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # A Japanese customer named later in the lead does not make the headline's subject
        # any less its news: the start-up raising yen is still the one its lead is about.
        (
            "物流ロボ新興のハヤテ、38億円調達 物流大手が250台導入",
            "倉庫向けAI搬送ロボットのハヤテ・ロボティクスは、シリーズBで38億円を調達した。"
            "日本通運が250台を導入する。",
        ),
        (
            "アオバ・ラボ、仮条件を1500～1650円に決定",
            "アオバ・ラボは、11月2日に東証グロース市場へ上場するにあたり、仮条件を1500～1650円に"
            "決定した。製造業向けの生成AIを手がける。",
        ),
    ],
)
def test_a_headlines_unmarked_subject_counts_beside_a_japanese_name_in_the_lead(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert "(in yen, nothing foreign: a domestic subject)" in result.reason


def test_the_name_a_japanese_headline_and_its_lead_open_on_is_a_domestic_subject(
    profile: Profile,
) -> None:
    # Neither katakana alone nor a corporate form: a medical corporation's name.
    result = score(
        profile,
        "清流会、眼底画像のAI診断を全12病院に導入",
        "清流会は9日、眼底画像から糖尿病網膜症の疑いをAIが示すシステムを全12病院に導入すると"
        "発表した。",
    )
    assert result.relevant, result.reason
    assert "清流会 (the name the headline and its lead open on" in result.reason
    # A person the headline and lead open on is no organisation of the report.
    person = score(
        profile,
        "山田太郎氏、AI企業の顧問に",
        "山田太郎氏は9日、AI企業の顧問に就いたと明らかにした。",
    )
    assert "the name the headline and its lead open on" not in person.reason


def test_a_company_introduced_by_its_business_after_a_japanese_dateline_is_domestic(
    profile: Profile,
) -> None:
    result = score(
        profile,
        "Seiryukai to use AI on eye scans at all 12 hospitals",
        "OSAKA -- Hospital operator Seiryukai will use an AI system that flags diabetic eye "
        "disease on retinal scans at all 12 of its hospitals from April.",
    )
    assert result.relevant, result.reason
    assert "Hospital operator Seiryukai (filed from Japan" in result.reason
    # The same report filed abroad says nothing of where the operator is.
    abroad = score(
        profile,
        "Seiryukai to use AI on eye scans at all 12 hospitals",
        "SINGAPORE -- Hospital operator Seiryukai will use an AI system that flags diabetic eye "
        "disease on retinal scans at all 12 of its hospitals from April.",
    )
    assert not abroad.relevant, abroad.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # Results in yen, AI in the lead's second sentence: the company the headline opens on.
        (
            "ミナセ精密、前期純利益18%増の12億円",
            "ミナセ精密が15日に発表した決算は、前期の純利益が前の期比18%増の12億円だった。"
            "AIによる外観検査装置の出荷が伸びた。",
        ),
        (
            "BRIEF-Minase Precision posts FY net profit of 1.2 bln yen, up 18%",
            "May 15 (Reuters) - Minase Precision: * FY NET PROFIT 1.2 BILLION YEN * "
            "AI INSPECTION SYSTEMS SHIPPED TO 40 PLANTS",
        ),
        # A plant built for a yen sum, headline only.
        ("Tomakomai Compute to build 40 billion yen AI data center", ""),
    ],
)
def test_a_company_that_reports_or_builds_in_yen_is_japanese(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert result.reason.startswith("about Japan and AI"), result.reason


def test_a_japanese_agency_is_japan_without_the_word(profile: Profile) -> None:
    result = score(
        profile,
        "特許庁、AIで先行技術調査　審査期間を短縮",
        "特許庁は5日、生成AIを使った先行技術調査を来年度から全分野に広げると発表した。",
    )
    assert result.relevant, result.reason
    assert "特許庁" in result.reason


def test_a_company_introduced_by_its_business_with_no_country_is_domestic(
    profile: Profile,
) -> None:
    # Japanese copy introduces a company by its business ("ゲーム会社の…は"); a foreign one's
    # carries its country.
    title = "声優の声を生成AIで再現　使用料払う契約"
    kept = score(
        profile, title, "ゲーム会社の青嵐は5日、声優の声を生成AIで再現する契約を結んだと発表した。"
    )
    assert kept.relevant, kept.reason
    assert "青嵐 (a company described with no country: a domestic subject)" in kept.reason
    foreign = score(
        profile,
        title,
        "米ゲーム会社の青嵐は5日、声優の声を生成AIで再現する契約を結んだと発表した。",
    )
    assert not foreign.relevant, foreign.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # Known foreign companies, written without 米.
        (
            "オープンAI、4兆円の資金調達を検討",
            "対話型AIのオープンAIは4兆円規模の資金調達を検討している。",
        ),
        ("エヌビディア、AI新興に1500億円出資", "エヌビディアは生成AIの新興企業に出資する。"),
        # A country prefix or a foreign currency marks the subject foreign.
        ("米AI新興のアンバー、450億円調達", "生成AIを手がける米新興アンバーが資金を調達した。"),
        ("仏ミストラル、生成AIで2000億円調達", ""),
        ("AI新興のノヴァ、3億ドル調達", "生成AIのノヴァは3億ドル（約450億円）を調達した。"),
        # A foreign company's results carry its country.
        ("米ノヴァAIの5～7月期、純利益2.1倍 生成AI好調", ""),
        # No money in yen: nothing says where the company is.
        (
            "生成AIのミライ・ラボ、新モデル公開",
            "大規模言語モデルを開発するミライ・ラボは新モデルを公開した。",
        ),
    ],
)
def test_a_japanese_report_of_a_foreign_or_unplaced_ai_company_stays_out(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert "domestic subject" not in result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # An offering's price range and price are money raised in yen, too.
        (
            "ミナトAI、IPO仮条件を1株900～1000円に決定",
            "画像認識AIを開発するミナトAIは2日、新規株式公開の仮条件を1株900～1000円に決めた。",
        ),
        # A local paper's unnamed prefecture; a university by its short name; a maker's テクノ.
        ("県がAIの観光案内を導入　温泉やスキー場を多言語で（北国新聞）", ""),
        ("肺がん見つけるAI承認 名大病院が開発", ""),
        ("霞ケ浦テクノ、AI外観検査装置の受注が最高", ""),
        # A trade name in 堂, as 任天堂 and 資生堂 are: a Japanese company.
        ("銀河堂、AIで和菓子の需要予測を開始", ""),
        # Results for a fiscal period, with no yen figure and no country.
        ("霞データの5～7月期、純利益2.1倍 生成AI受託が伸びる", ""),
        # A katakana start-up's name ending in AI opens the headline.
        ("ハヤテAI、上場初日は買い気配のまま終了", ""),
        # Son and the joint venture by their Korean names.
        ('손정의 "SB오픈AI재팬, 3년 내 상장 가능"', ""),
        # A cabinet decision in a Japanese report is Japan's cabinet's.
        (
            "AI安全法案を閣議決定 開発企業に報告義務",
            "政府は2日、人工知能（AI）の安全性を確保する法案を閣議決定した。",
        ),
        # Japan and SoftBank written in Korean and Chinese.
        ("구글, 일본에 AI 데이터센터 건설", "구글이 일본에 인공지능 AI 데이터센터를 짓는다."),
        ("软银集团将投资100亿美元建设AI数据中心", "软银集团宣布投资100亿美元。"),
    ],
)
def test_japanese_ai_is_read_in_the_words_each_language_uses(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert result.relevant, result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "AI chatbot data leak widens to 1.3 million users, president to quit",
            "TOKYO (Kyodo) -- Shirakaba Labs Inc. said Friday that a leak of conversation logs from"
            " its generative AI chatbot affected about 1.3 million users. The Personal Information"
            " Protection Commission plans an on-site inspection.",
        ),
        (
            # Jiji Press writes no space after its dashes.
            "Kamome Bank to use AI to cut SME loan screening to 2 days",
            "TOKYO, June 2 (Jiji Press)--Kamome Bank said Wednesday that it will introduce "
            "artificial intelligence to screen loans.",
        ),
        (
            "Game maker tightens AI rules after actors' protest",
            "OSAKA -- Kunugi Games Co on Tuesday revised its generative AI policy, requiring"
            " written consent from actors.",
        ),
    ],
)
def test_english_copy_filed_from_japan_about_an_unmarked_subject_is_domestic(
    profile: Profile, title: str, text: str
) -> None:
    # A wire's dateline says where the report was filed; its Tokyo bureau names a foreign
    # subject's country, so the subject it goes on with, marked by nothing, is domestic.
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert "(filed from Japan, nothing foreign: a domestic subject)" in result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "AI chip designer raises $200 million",
            "TOKYO (Reuters) - Shirakaba Labs said on Tuesday it raised $200 million to design"
            " AI chips.",
        ),
        (
            "Asian shares rise as AI optimism lifts chipmakers",
            "TOKYO (Reuters) - Asian shares rose on Tuesday as AI optimism lifted chipmakers.",
        ),
        (
            "Korean portal unveils AI model",
            "TOKYO (Kyodo) -- South Korea's Naver Corp. unveiled a generative AI model on Monday.",
        ),
    ],
)
def test_english_copy_filed_from_japan_about_a_foreign_or_regional_subject_stays_out(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert "filed from Japan" not in result.reason


def test_a_person_after_a_japanese_dateline_is_no_domestic_subject(profile: Profile) -> None:
    # The dateline places an organisation the report goes on with, not a person's life.
    result = score(
        profile,
        "Former NEC executive, machine translation pioneer, dies at 91",
        "TOKYO (Kyodo) -- Kazuo Hanamura, a former NEC Corp. executive who led early research"
        " on machine translation and artificial intelligence, died Monday. He was 91.",
    )
    assert not result.relevant, result.reason
    assert "filed from Japan" not in result.reason


def test_a_name_given_as_one_example_of_many_is_a_list(profile: Profile) -> None:
    example = score(
        profile,
        "共働き世帯の資産運用、値動きの大きい銘柄に偏る",
        "40代の共働き夫婦が新NISAの口座で長く保有していたのは、ソフトバンクグループ株など値動きの"
        "大きい数銘柄だけだった。専門家は分散投資を勧める。",
    )
    assert not example.relevant, example.reason
    assert "ソフトバンクグループ in a list" in example.reason
    # Opening its sentence, the name and the others are the sentence's subject.
    subject = score(
        profile,
        "AI新会社を設立",
        "ソフトバンクグループなど4社は9日、生成AIの新会社を設立すると発表した。",
    )
    assert subject.relevant, subject.reason


def test_a_statement_added_after_the_news_is_a_clause_of_its_own(profile: Profile) -> None:
    added = score(
        profile,
        "Baidu's Ernie 6 leads Chinese reasoning benchmarks",
        "BEIJING -- Baidu's latest large language model, Ernie 6, ranked first in three Chinese "
        "reasoning benchmarks, the company said, adding that it also serves some Japanese "
        "retailers through its cloud.",
    )
    assert not added.relevant, added.reason
    assert "separate sentences or clauses" in added.reason
    # A Japanese subject's lead keeps its added statement: the lead is about the subject.
    own = score(
        profile,
        "Fujitsu posts record quarterly profit",
        "TOKYO -- Fujitsu Ltd. posted a record quarterly profit on Tuesday, adding that orders "
        "for its generative AI services doubled.",
    )
    assert own.relevant, own.reason
