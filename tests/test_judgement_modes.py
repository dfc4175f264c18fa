"""Modes of a real news day that relevance and folding must read right.

Passing mentions of Japan (one of forty countries of a launch, the earlier office of a
series), SoftBank's name on a tournament or a player, a regional bank's AI spending that
never writes 日本; and reports of one event found by what they state, where the encoder puts
them apart: a market's close in two languages, one company's one percentage, a deal "set to"
be done at the talks' price. The fixtures are written for these tests (fictional events
about real companies), not taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import judged_in_stories, judged_second

from monitor.novelty import NoveltyIndex, fingerprint_texts
from monitor.pairscore import embedding_vector
from monitor.relevance import Profile, score
from monitor.stages import stages

T0 = datetime(2026, 10, 13, 1, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Tokyo
CLOSE = T0.replace(hour=6, minute=20)  # 15:20 in Tokyo


@pytest.mark.parametrize(
    ("title", "text", "why"),
    [
        (
            "Samsung rolls out AI phone assistant in 30 countries, including Japan and Brazil",
            "SEOUL, Oct 13 (Reuters) - Samsung Electronics will roll out its AI voice assistant "
            "in 30 countries, including Japan and Brazil, from November, the company said.",
            "in lists",
        ),
        (
            "サムスン、AI音声アシスタントを日本など30カ国で提供へ",
            "韓国サムスン電子は13日、AI音声アシスタントを11月から日本など30カ国で提供すると発表した。",
            "in lists",
        ),
        (
            "Cohere to open Singapore office, its third in Asia after Tokyo and Seoul",
            "SINGAPORE, Oct 13 (Reuters) - Canadian AI company Cohere will open an office in "
            "Singapore, its third in Asia after Tokyo and Seoul, to serve banks in the region.",
            "an earlier one",
        ),
        (
            "ソフトバンク杯ジュニアテニス、大阪で開幕 全国から64人",
            "ソフトバンク杯ジュニアテニス大会が13日、大阪市で開幕した。全国から64人が出場する。",
            "",
        ),
        (
            "ソフトバンク・北條、春季キャンプへ出発",
            "ソフトバンク・北條、春季キャンプへ出発",
            "sports team",
        ),
        # A sports page writes a player as team・surname, with no honorific.
        (
            "ソフトバンク・柳原、左ひざ痛で2軍調整",
            "ソフトバンク・柳原、左ひざ痛で2軍調整",
            "sports team",
        ),
        (
            "Amazon to build first Thailand data centre for AI services",
            "Amazon Web Services will build its first data centre in Thailand for AI customers, "
            "following earlier pledges for Japan, Korea and Indonesia.",
            "an earlier one",
        ),
        # The same, by what the earlier ones were, in the headline.
        (
            "Oracle to build Vietnam AI cloud region after Japan, Korea investments",
            "HANOI (Reuters) - Oracle will build a cloud region for AI customers in Vietnam, the "
            "company said, its latest in Asia after Japan and Korea.",
            "an earlier one",
        ),
        (
            "Tiger Global leads $80 million round in Indian chatbot maker Sarvam",
            "Tiger Global led an $80 million funding round for India's Sarvam AI, joined by "
            "SoftBank Vision Fund 2 and others.",
            "as a backer",
        ),
        (
            "Google adds Gemini voice replies in 15 languages",
            "MOUNTAIN VIEW (Reuters) - Google added spoken replies to its Gemini AI app in 15 "
            "languages, including Japanese and Hindi.",
            "in a list",
        ),
        (
            "グーグル、Geminiの音声応答を15言語に拡大",
            "米グーグルは、対話型AI「Gemini」の音声応答を日本語やヒンディー語など15言語に広げた。",
            "in a list",
        ),
        # A carrier's outage is the service, not the company's news.
        (
            "SoftBank phone lines disrupted across Tohoku for three hours",
            "SENDAI (Kyodo) -- SoftBank Corp. said its mobile service was disrupted for about "
            "three hours in parts of Tohoku on Tuesday after a network failure.",
            "read as its service",
        ),
        # A name that another subject copies.
        (
            "SoftBank-style AI fund launched by Malaysian investors",
            "KUALA LUMPUR (Reuters) - Three Malaysian state investors launched a $2 billion AI "
            "fund, modelled on vehicles such as SoftBank's Vision Fund.",
            "as a model",
        ),
        # A driver of another country's market, beside a Japan holiday.
        (
            "Asian stocks mixed with Tokyo closed; chip rally lifts Seoul",
            "HONG KONG, Oct 13 (Reuters) - Asian stocks were mixed on Monday, with Japanese "
            "markets shut for a holiday. South Korea's KOSPI rose 1.2% on AI chip demand, and "
            "the yen held at 149 per dollar.",
            "",
        ),
        # The dateline says where the report was filed, not what it is about.
        (
            "Microsoft brings Copilot voice to Brazil, Japan and Mexico first",
            "TOKYO, Oct 13 (Reuters) - Microsoft will launch spoken replies in its Copilot AI "
            "assistant first in Brazil, Japan and Mexico, the company said on Tuesday.",
            "in the dateline",
        ),
        # A Japanese wire's dateline before a foreign subject's news.
        (
            "中国ディープシーク、新モデル公開 推論コストを半減",
            "［東京　５日　ロイター］ - 中国のＡＩ新興企業ディープシークは５日、新しい大規模言語"
            "モデルを公開した。推論コストを従来の半分に抑えたという。",
            "in the dateline",
        ),
        (
            "米グーグル、航空会社向け気象ＡＩを発表",
            "［東京　６日　ロイター］ - 米グーグル傘下のディープマインドは６日、乱気流を予測する"
            "ＡＩ気象モデルを発表した。",
            "in the dateline",
        ),
        # A foreign service's outage "in Japan and elsewhere"; a concert at a stadium named for
        # PayPay; Jiji's dateline, which writes no space after its dashes.
        (
            "Chatbot service down for hours, affecting users in Japan and elsewhere",
            "SINGAPORE: OpenAI's ChatGPT was down for several hours on Wednesday, affecting users "
            "in Japan and elsewhere, the company said.",
            "in lists",
        ),
        (
            "みずほPayPayドーム福岡で人気グループが公演 2日間で10万人",
            "みずほPayPayドーム福岡で人気グループが公演し、2日間で10万人が訪れた。"
            "AI技術を使った演出も。",
            "never together",
        ),
        (
            "Google to offer AI loan screening to small lenders",
            "TOKYO, June 2 (Jiji Press)--Google said Wednesday that it will offer artificial "
            "intelligence to screen loans.",
            "in the dateline",
        ),
        # A past employer in Japanese, and in a career the lead tells; a player before が.
        (
            "メルカリ、CFOに元ソフトバンク幹部の長谷部氏",
            "メルカリは17日、最高財務責任者（CFO）に元ソフトバンク幹部の長谷部氏が就任すると発表した。",
            "as a backer",
        ),
        (
            "Mercari hires former SoftBank executive as finance chief",
            "Mercari Inc. named Kenji Hasebe, who spent 14 years at SoftBank Corp., as its chief "
            "financial officer.",
            "as a backer",
        ),
        (
            "ソフトバンク・立花がサヨナラ打 西武に逆転勝ち",
            "ソフトバンク・立花がサヨナラ打 西武に逆転勝ち",
            "sports team",
        ),
        # A company SoftBank controls, named as its owner only; Japan among allies.
        (
            "Arm unveils server chip designs aimed at AI agent workloads",
            "Arm Holdings Plc, the chip designer controlled by SoftBank Group Corp., introduced "
            "processor blueprints for servers that run AI agents.",
            "as a backer",
        ),
        (
            "英Arm、AIエージェント向けサーバーCPU設計を発表 ソフトバンクグループ傘下",
            "ソフトバンクグループ傘下の英Armは、AIエージェント向けのCPU設計を発表した。",
            "as a backer",
        ),
        (
            "米商務省、AI半導体輸出で同盟25カ国に許可免除案",
            "［ワシントン　２６日　ロイター］ - 米商務省は、日本や英国、ドイツなど同盟２５カ国を"
            "先端ＡＩ半導体の輸出許可の対象から外す案を示した。",
            "in a list",
        ),
        # A launch in Japan and 21 other markets.
        (
            "メタ、AIグラスの同時通訳機能を日本など22市場で提供へ",
            "メタ、AIグラスの同時通訳機能を日本など22市場で提供へ",
            "in lists",
        ),
        # A sponsor named again in the lead.
        (
            "Rugby: League One names SoftBank as title sponsor",
            "TOKYO (Kyodo) -- Japan Rugby League One said Tuesday that SoftBank Corp. will "
            "become its title sponsor from next season.",
            "as a backer",
        ),
        (
            "K League names SoftBank as shirt sponsor",
            "SEOUL (Kyodo) -- South Korea's K League named SoftBank Corp. as its shirt sponsor.",
            "as a backer",
        ),
    ],
)
def test_a_country_among_many_an_earlier_office_a_cup_and_a_camp_are_passing(
    profile: Profile, title: str, text: str, why: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert why in result.reason


def test_the_country_of_the_event_and_a_regional_banks_ai_spending_are_kept(
    profile: Profile,
) -> None:
    for title, text in [
        (
            "Cohere opens Tokyo office, its first in Asia",
            "TOKYO, Oct 13 (Reuters) - Canadian AI company Cohere opened an office in Tokyo on "
            "Tuesday, its first in Asia, to serve Japanese banks.",
        ),
        # A Japanese wire's dateline before an unknown Japanese company's news: about Japan.
        (
            "ツバメ・ロボティクス、ＡＩ搭載の配膳ロボを発売",
            "［東京　５日　ロイター］ - ツバメ・ロボティクスは５日、生成ＡＩで客と会話する配膳"
            "ロボットを発売した。",
        ),
        # A headline opening on a Japanese bank's or paper's name in kanji; a paper's English
        # name ("Shimbun"); Reuters' "trln" of a yen sum spent.
        ("八十二銀行、融資審査にAI 2日に短縮", "八十二銀行、融資審査にAI 2日に短縮"),
        ("東都新聞が米AI企業を提訴 無断利用で", "東都新聞が米AI企業を提訴 無断利用で"),
        ("Tohto Shimbun takes AI answer engine to court over copyright",
         "The newspaper said an AI answer engine copied its articles without permission."),
        ("Kamome Holdings to spend 1.2 trln yen on AI data centres",
         "Kamome Holdings will spend 1.2 trln yen on data centres for AI by 2030."),
        # A designated city names Japan.
        ("Startup delays Kitakyushu AI data center to 2030", "The AI data center will open later."),
        # Korean copy's 日 before a Japanese company; a regional power company.
        ("日 리코, 英 AI기업 캐로우 인수", "日 리코, 英 AI기업 캐로우 인수"),
        ("Shikoku Electric to power AI data center in Kagawa",
         "Shikoku Electric Power will supply 200 megawatts to an AI data center."),
        # The press's short name of a commission.
        (
            "個人情報保護委、生成AIの学習データで指針案",
            "個人情報保護委、生成AIの学習データで指針案",
        ),
        # No 日本, no known company: a yen sum spent on AI by an unmarked subject.
        ("山口FG、生成AI基盤に80億円 5年で", "山口FG、生成AI基盤に80億円 5年で"),
        # English copy of an unknown company's yen spending, and a Japanese report of an
        # unknown company's results in yen.
        ("Sanko Kensetsu to invest ¥30 billion in AI design tools", "Sanko Kensetsu will "
         "invest ¥30 billion by 2030 in AI tools that draft building designs, the builder said."),
        ("ナノコード、4～9月純利益2倍 生成AI受託が好調", "ナノコードが発表した4～9月期の純利益は"
         "前年同期の2倍の18億円だった。生成AIの開発受託が伸びた。"),
        # The press's short form of a bank's name, a Korean copy naming Tokyo, and a
        # Japanese report that says "domestic" for Japanese-made.
        ("みずほ銀、全行員に生成AI助手 6月から", "みずほ銀、全行員に生成AI助手 6月から"),
        ("오픈AI, 도쿄에 AI 연구소 개설", "오픈AI, 도쿄에 AI 연구소 개설"),
        ("ミライ電算、国産LLMを自治体に提供へ",
         "ミライ電算は13日、国産の大規模言語モデルを自治体向けに提供すると発表した。"),
        # A prefecture names the bank.
        ("Gunma Bank to spend 4 billion yen on generative AI", "Gunma Bank to spend 4 billion yen "
         "on generative AI tools for its branches, it said on Tuesday."),
    ]:  # fmt: skip
        result = score(profile, title, text)
        assert result.relevant, (title, result.reason)


CLOSE_EN = (
    "Japan's Nikkei ends up 1.1% as SoftBank Group rallies",
    "TOKYO, Oct 13 (Reuters) - Japan's Nikkei share average closed up 1.1% on Tuesday, led "
    "by SoftBank Group, which rose 5% after its chip unit Arm forecast strong orders.",
)
CLOSE_JA = (
    "日経平均大引け、続伸 ファストリが1銘柄で90円押し上げ",
    "13日の東京株式市場で日経平均株価は続伸し、大引けは前日比410円高だった。"
    "ファーストリテイリングが上昇し、1銘柄で指数を約90円押し上げた。",
)
PREVIEW_JA = (
    "決算発表を控え様子見か＝来週の東京株式市場",
    "来週の東京株式市場は、主要企業の決算発表を控えて様子見姿勢が強まりそうだ。",
)


def test_two_languages_closes_fold_however_far_apart_the_encoder_puts_them(encoder) -> None:
    en, ja, preview = fingerprint_texts([CLOSE_EN, CLOSE_JA, PREVIEW_JA], encoder)
    # Far below the semantic tier's floor (0.45): only the market and session find it.
    assert float(embedding_vector(en) @ embedding_vector(ja)) < 0.45
    later = judged_second(en, ja, CLOSE, timedelta(minutes=20))
    assert later.kind == "duplicate", later.reason
    assert "one market's close report of one day" in later.reason
    # The other way round: the English close's "up 1.1%", which the Japanese one does not
    # state, is no development of one session's close.
    later = judged_second(ja, en, CLOSE, timedelta(minutes=20))
    assert later.kind == "duplicate", later.reason
    # A preview of the coming week, published after the close, reports no session.
    index = NoveltyIndex()
    index.add("close-en", CLOSE, en)
    index.add("close-ja", CLOSE + timedelta(minutes=20), ja)
    at = CLOSE + timedelta(hours=3)
    assert index.judge(preview, at, at).kind == "new"


def test_one_companys_one_percentage_links_two_languages(encoder) -> None:
    en, ja = fingerprint_texts(
        [
            (
                "Rakuten Group nine-month operating profit rises 12% on fintech",
                "TOKYO, Nov 12 (Reuters) - Rakuten Group said its operating profit for the "
                "January-September period rose 12%, as its card and bank units grew.",
            ),
            (
                "楽天G、1～9月の営業利益12%増 フィンテック好調",
                "楽天グループが12日発表した1～9月期の連結決算は、営業利益が前年同期比12%増えた。"
                "カード事業と銀行事業が伸びた。",
            ),
        ],
        encoder,
    )
    later = judged_second(en, ja, T0, timedelta(minutes=30))
    assert later.kind == "duplicate", later.reason
    assert "one percentage of one company" in later.reason


TALKS = (
    "SoftBank in talks to buy US robotics firm Kestrel for about $900 million",
    "TOKYO, Oct 13 (Reuters) - SoftBank Group is in talks to buy U.S. warehouse robotics "
    "maker Kestrel Robotics for about $900 million, people familiar with the matter said.",
)


@pytest.mark.parametrize(
    ("headline", "kind"),
    [
        # The talks' sum (about 135 billion yen): Japanese copy's "set to buy" for the scoop.
        ("ソフトバンクG、米ロボット企業を1350億円規模で買収へ 物流倉庫向け", "duplicate"),
        # Another sum: the deal itself, news of its own (never folded into the talks).
        ("ソフトバンクG、米ロボット企業を1700億円で買収へ 物流倉庫向け", "new"),
    ],
)
def test_a_deal_set_to_be_done_at_the_talks_sum_is_the_talks(
    encoder, headline: str, kind: str
) -> None:
    talks, report = fingerprint_texts(
        [
            TALKS,
            (headline, headline + "。ソフトバンクグループが米ケストレル・ロボティクスを買収する。"),
        ],
        encoder,
    )
    later = judged_second(talks, report, T0, timedelta(hours=3))
    assert (later.kind == "duplicate") == (kind == "duplicate"), later.reason


def test_a_scoops_estimate_heads_the_talks_and_the_deal_at_its_sum_follows_them(encoder) -> None:
    # Nikkei's scoop style: "買収へ" with an estimate ("1400億円規模") is the plan reported during
    # the talks; the announced deal at 1,420億円 is within rounding of it, and still the deal.
    scoop, deal = fingerprint_texts(
        [
            (
                "ソフトバンクG、米物流ロボのケストレルを買収へ 1400億円規模",
                "ソフトバンクグループが米物流ロボット大手ケストレル・ロボティクスを買収する方向で"
                "最終調整に入った。買収額は1400億円規模の見通し。",
            ),
            (
                "ソフトバンクG、ケストレルを1420億円で買収 正式発表",
                "ソフトバンクグループは14日、米物流ロボット大手ケストレル・ロボティクスを1420億円で"
                "買収すると正式に発表した。",
            ),
        ],
        encoder,
    )
    assert stages(scoop.headline) == (("deal", "talks"),)
    later = judged_second(scoop, deal, T0, timedelta(hours=8))
    assert later.kind == "follow-up", later.reason
    # "約" alone is the announced deal's style too: "約1420億円で買収へ" states the deal.
    assert stages("ソフトバンクG、米物流ロボ会社を約1420億円で買収へ") == (("deal", "agreed"),)
    # Kyodo's English scoop is the talks too, and the deal's "to acquire" follows it.
    kyodo_scoop, kyodo_deal = fingerprint_texts(
        [
            ("SoftBank Group eyeing takeover of robot maker Kestrel: sources",
             "SoftBank Group Corp. is considering acquiring U.S. warehouse robot maker Kestrel "
             "Robotics, sources close to the matter said."),
            ("SoftBank Group to acquire robot maker Kestrel for 142 bil. yen",
             "SoftBank Group Corp. said it will acquire U.S. warehouse robot maker Kestrel "
             "Robotics for 142 billion yen."),
        ],
        encoder,
    )  # fmt: skip
    assert stages(kyodo_scoop.headline) == (("deal", "talks"),)
    assert judged_second(kyodo_scoop, kyodo_deal, T0, timedelta(hours=8)).kind == "follow-up"


def test_the_deal_agreed_follows_a_scoop_told_as_the_deal_ahead(encoder) -> None:
    # The talks' story: Nikkei's Japanese scoop with its estimate, its English scoop headed as
    # the deal ahead ("to buy ... for about"), and the wire's credit to it ("- Nikkei").
    scoop_ja, scoop_en, credited, agreed = fingerprint_texts(
        [
            ("住友商事、AI新興のサエズリを買収へ 600億円規模",
             "住友商事はAIスタートアップのサエズリを買収する方向で最終調整に入った。"),
            ("Sumitomo Corp. to buy AI startup Saezuri for about 60bn yen",
             "Sumitomo Corp. is set to acquire Saezuri, a Tokyo AI startup, for about 60 billion "
             "yen, Nikkei has learned."),
            ("Sumitomo Corp to buy Japanese AI startup Saezuri for about $400 million - Nikkei",
             "TOKYO, Feb 6 (Reuters) - Japanese trading house Sumitomo Corp plans to buy Saezuri, "
             "a Tokyo-based AI startup, for about 60 billion yen ($400 million), the Nikkei "
             "business daily reported on Tuesday."),
            ("Japan's Sumitomo Corp agrees to buy AI startup Saezuri for $390 million",
             "TOKYO, Feb 7 (Reuters) - Sumitomo Corp said on Wednesday it had agreed to buy all "
             "of Saezuri, a Tokyo AI startup, for 58.2 billion yen ($390 million)."),
        ],
        encoder,
    )  # fmt: skip
    assert stages(credited.headline) == (("deal", "talks"),)
    story = [
        ("ja", T0, scoop_ja, "ja"),
        ("en", T0 + timedelta(minutes=20), scoop_en, "ja"),
        ("credited", T0 + timedelta(hours=1), credited, "ja"),
    ]
    later = judged_in_stories(story, agreed, T0 + timedelta(hours=20))
    assert later.kind != "duplicate", later.reason
    assert "the deal agreed after the talks" in later.reason


def test_a_service_suspended_after_its_launch_and_a_deal_completed_after_its_clearance_follow(
    encoder,
) -> None:
    # The later stage is the news, however much of the first report the second repeats.
    launch, suspended, cleared, completed = fingerprint_texts(
        [
            ("山梨県選管、知事選でＡＩチャットボット導入 投票所や期日前投票を案内",
             "山梨県選挙管理委員会は、知事選で有権者の質問に答えるＡＩチャットボットを導入した。"),
            ("山梨県選管、ＡＩチャットボットを停止 期日前投票の期限を誤回答",
             "山梨県選挙管理委員会は、知事選のＡＩチャットボットが期日前投票の期限を誤って回答した"
             "として、運用を停止した。"),
            ("EU clears SoftBank Group's $6.8 billion purchase of chip designer Tidemark",
             "BRUSSELS - The European Commission on Tuesday approved SoftBank Group's $6.8 billion "
             "acquisition of U.S. chip designer Tidemark, the last approval the deal needed."),
            ("SoftBank completes $6.8 billion Tidemark acquisition",
             "TOKYO - SoftBank Group said on Wednesday it had completed its $6.8 billion "
             "acquisition of U.S. chip designer Tidemark after the EU's approval."),
        ],
        encoder,
    )  # fmt: skip
    first = judged_second(launch, suspended, T0, timedelta(hours=30))
    assert first.kind == "follow-up" and "the service suspended" in first.reason, first.reason
    second = judged_second(cleared, completed, T0, timedelta(hours=20))
    assert second.kind == "follow-up" and "the deal completed" in second.reason, second.reason


def test_a_services_first_use_follows_its_launch(encoder) -> None:
    # The launch, then the first time it is used where it counts: news of its own, in either
    # language, whatever the two reports share.
    launch, used_ja, used_en = fingerprint_texts(
        [
            ("気象庁 ＡＩで降雪量を予測 ６日から運用開始",
             "気象庁は５日、ＡＩを使って６時間先までの降雪量を１キロ四方ごとに予測する仕組みを、"
             "６日から北海道・東北・北陸で運用すると発表しました。"),
            ("気象庁 ＡＩ降雪予測を初めて活用 東北北部で大雪",
             "東北北部を中心に大雪となる中、気象庁は７日朝、６日に運用を始めたＡＩによる降雪量予測を"
             "初めて大雪に関する情報に使い、青森市で１２時間に８０センチの降雪を予想しました。"),
            ("JMA uses AI snowfall forecast for 1st time as heavy snow hits northern Japan",
             "AOMORI (Kyodo) -- The Japan Meteorological Agency on Wednesday used its new "
             "AI-based snowfall forecast in a warning for the first time, predicting up to 80 "
             "centimeters of snow in 12 hours in the city of Aomori."),
        ],
        encoder,
    )  # fmt: skip
    for used in (used_ja, used_en):
        later = judged_second(launch, used, T0, timedelta(hours=40))
        assert later.kind != "duplicate", later.reason
