"""Relevance: a company named only as another's backer, or as a sports team, is not the subject."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.relevance import Profile, score

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("title", "text", "phrase"),
    [
        (
            "Acme Pay swings to a quarterly profit",
            "Acme Pay, the Indonesian wallet once backed by SoftBank and Tencent, said on "
            "Tuesday its net profit reached $40 million on higher lending fees.",
            "backed by SoftBank",
        ),
        (
            "Riverlane raises $300 million for quantum chips",
            "British quantum start-up Riverlane raised $300 million, with Intel and "
            "SoftBank-backed funds joining the round.",
            "SoftBank-backed funds",
        ),
        (
            "Kopi Ride posts first annual profit",
            "Kopi Ride, the Vietnamese delivery app whose largest shareholders include "
            "SoftBank Group and Toyota Tsusho, posted its first annual profit.",
            "shareholders include SoftBank Group",
        ),
        (
            "Lumen Health files for a New York listing",
            "Lumen Health, SoftBank's portfolio company in telemedicine, filed for an IPO.",
            "SoftBank's portfolio company",
        ),
        (
            "インドの配車大手、初の黒字",
            "ソフトバンクグループが出資するインドの配車大手は、7〜9月期に初の黒字を計上した。",
            "ソフトバンクグループが出資するインドの配車大手",
        ),
    ],
)
def test_a_company_named_only_as_a_backer_is_a_passing_mention(
    profile: Profile, title: str, text: str, phrase: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert "named only as a backer of another subject" in result.reason
    assert f'("{phrase}")' in result.reason
    assert "a passing mention" in result.reason


def test_a_story_about_the_backer_itself_is_kept(profile: Profile) -> None:
    # SoftBank is the headline's subject; naming it as a backer in the lead takes nothing away.
    result = score(
        profile,
        "SoftBank sells its last shares in Acme Pay",
        "SoftBank Group sold its remaining stake in Acme Pay, the once SoftBank-backed wallet.",
    )
    assert result.relevant, result.reason
    assert result.reason.startswith("about SoftBank")


def test_softbank_investing_is_not_softbank_as_a_backer(profile: Profile) -> None:
    # "が出資すると発表": SoftBank is the one acting, the story is about it.
    result = score(
        profile,
        "米新興に追加出資",
        "ソフトバンクグループが出資すると発表した。出資額は約3000億円となる。",
    )
    assert result.relevant, result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("ソフトバンク、リーグ優勝　2年連続", "ソフトバンクが2年連続のリーグ優勝を決めた。"),
        ("SoftBank clinch the pennant", "SoftBank beat Lotte 4-2 to clinch the pennant."),
        # A pitcher's line: the team's name and the player's, no 投手.
        ("ソフトバンク石川が今季3勝目　1失点完投", ""),
        # A game's result, with no word of a title or a player: a winning run, an inning.
        (
            "ソフトバンク、九回に追いつき4連勝　ロッテを下す",
            "ソフトバンクは20日、本拠地でロッテと対戦し、九回に追いついて延長で勝ち、4連勝とした。",
        ),
    ],
)
def test_a_sponsor_name_in_a_sports_sentence_is_the_team(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert "read as the sports team" in result.reason
    assert not any(e.group == "softbank" for e in result.evidence)


def test_the_company_is_still_the_company_outside_a_sports_sentence(profile: Profile) -> None:
    # The same name in business news keeps its weight: only the sentence's own words decide.
    result = score(
        profile,
        "ソフトバンク、通期見通しを上方修正",
        "ソフトバンクは通期の純利益見通しを引き上げた。",
    )
    assert result.relevant, result.reason
    assert "sports team" not in result.reason
    # A decision "made" (判断を下す) is no game won.
    decided = score(
        profile,
        "ソフトバンクG、AI半導体工場への投資で最終判断を下す",
        "ソフトバンクグループは米国のAI半導体工場に投資する最終判断を下した。",
    )
    assert decided.relevant, decided.reason
    assert "sports team" not in decided.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "ソフトバンク、プロ野球の配信権を獲得",
            "ソフトバンクはプロ野球全試合の配信権を獲得したと発表した。",
        ),
        (
            "SoftBank buys streaming rights to baseball games",
            "SoftBank said it bought the streaming rights to all Pacific League baseball games.",
        ),
    ],
)
def test_the_business_of_sport_is_the_companys(profile: Profile, title: str, text: str) -> None:
    # Rights, deals and results in the sentence make the name the company, sport or not.
    result = score(profile, title, text)
    assert result.relevant, result.reason
    assert "sports team" not in result.reason


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # The headline has no sports word; the body shows what the name means in the story.
        (
            "ソフトバンク・佐藤、1億円増の年俸3億円でサイン",
            "プロ野球ソフトバンクの佐藤投手が2日、球団事務所で交渉に臨み、1億円増の年俸3億円でサインした。",
        ),
        # A tournament named after its sponsor.
        (
            "ソフトバンクカップ、組み合わせ決まる 高校ハンドボール",
            "全国高校ハンドボール選手権（ソフトバンクカップ）の組み合わせ抽選会が2日、都内で行われた。",
        ),
    ],
)
def test_one_story_gives_a_two_sense_name_one_sense(
    profile: Profile, title: str, text: str
) -> None:
    result = score(profile, title, text)
    assert not result.relevant, result.reason
    assert "read as the sports team" in result.reason


def test_a_company_whose_biggest_shareholder_is_softbank_is_not_softbank(profile: Profile) -> None:
    result = score(
        profile,
        "SoftBank-Backed Lendo Parent Posts First Quarterly Profit",
        "Kredo, the parent of Brazilian lending app Lendo whose biggest shareholder is SoftBank "
        "Group Corp., posted its first quarterly profit ahead of a planned listing.",
    )
    assert not result.relevant, result.reason
    assert "backer" in result.reason


def test_one_investor_named_in_a_headline_list_is_a_passing_mention(profile: Profile) -> None:
    # "a16z" opens in lower case and is still a name of the list.
    result = score(
        profile,
        "Robot maker Tidewell raises $300 mln from a16z, Temasek, SoftBank and others",
        "BOSTON, Dec 2 (Reuters) - U.S. robot maker Tidewell said it raised $300 million in a "
        "round led by Andreessen Horowitz, with Temasek, SoftBank Vision Fund 2, Fidelity and "
        "others also taking part.",
    )
    assert not result.relevant, result.reason
    assert "list" in result.reason


def test_japan_and_ai_in_clauses_set_side_by_side_are_not_one_subject(profile: Profile) -> None:
    result = score(
        profile,
        "Asian shares edge up ahead of US payrolls; dollar firm",
        "Asian shares edged up as Taiwanese chipmakers gained on AI optimism while Japanese "
        "government bonds slipped ahead of a Bank of Japan meeting.",
    )
    assert not result.relevant, result.reason


def test_a_name_in_a_table_of_closing_prices_is_a_passing_mention(profile: Profile) -> None:
    # A wire's price table: each row a name and its figure, with no verb to make one a subject.
    result = score(
        profile,
        "【表】主要銘柄の終値（3日）",
        "3日の東京株式市場の主要銘柄の終値は次の通り。キヤノン ３９８０円、日立製作所 ３１２０円、"
        "ソフトバンクグループ ９８７０円、三井住友フィナンシャル・グループ ３５５０円、"
        "ＫＤＤＩ ４８１０円。",
    )
    assert not result.relevant, result.reason
    assert "in a list" in result.reason
    english = score(
        profile,
        "Tokyo closing prices",
        "Closing prices on the Tokyo Stock Exchange on Friday: Canon 3,980 yen, Hitachi 3,120 "
        "yen, SoftBank Group 9,870 yen, KDDI 4,810 yen, Fanuc 4,400 yen.",
    )
    assert not english.relevant, english.reason
    # A sentence whose subjects are companies, not a table, is still about them.
    venture = score(
        profile,
        "SoftBank, Sony and Toyota form AI venture",
        "SoftBank, Sony, NTT and Toyota formed an AI venture on Friday with 30 billion yen of "
        "capital, the four companies said.",
    )
    assert venture.relevant, venture.reason


def test_a_name_in_a_ranking_is_a_passing_mention(profile: Profile) -> None:
    # A ranking's names open its sentence and are still its rows, not its subjects.
    result = score(
        profile,
        "時価総額ランキング2028年2月：トヨタ首位、三菱UFJ、ソニーG、日立、ソフトバンクGが続く",
        "2月末時点の国内上場企業の時価総額ランキングをまとめた。首位はトヨタ自動車で、"
        "三菱UFJフィナンシャル・グループ、ソニーグループ、日立製作所、ソフトバンクグループが続いた。",
    )
    assert not result.relevant, result.reason
    assert "in lists" in result.reason


def test_a_city_where_another_subject_spoke_is_a_passing_mention(profile: Profile) -> None:
    # Filed from Tokyo, said at a conference there: the news is the speaker's.
    foreign = score(
        profile,
        "Vietnam to fund national AI compute centre, minister says",
        "TOKYO, March 4 - Vietnam will spend $1.2 billion on a national AI compute centre, "
        "its science minister told a conference in Tokyo on Tuesday.",
    )
    assert not foreign.relevant, foreign.reason
    assert "venue" in foreign.reason
    japanese = score(
        profile,
        "ベトナム、AI計算拠点に12億ドル 科学技術相",
        "ベトナムの科学技術相は4日、東京都内で開かれた会議で、国立のAI計算センターに12億ドルを"
        "投じると述べた。",
    )
    assert not japanese.relevant, japanese.reason
    # A Japanese subject speaking at the same venue is still Japan's news.
    domestic = score(
        profile,
        "Japan to fund national AI compute centre, minister says",
        "TOKYO, March 4 - Japan will spend 180 billion yen on a national AI compute centre, its "
        "digital minister told a conference in Tokyo on Tuesday.",
    )
    assert domestic.relevant, domestic.reason


def test_japan_among_more_markets_of_a_foreign_launch_is_a_passing_mention(
    profile: Profile,
) -> None:
    result = score(
        profile,
        "Korean phone maker to bring AI call translation to 25 more markets including Japan, India",
        "",
    )
    assert not result.relevant, result.reason


def test_japanese_as_a_products_language_is_a_passing_mention(profile: Profile) -> None:
    # A foreign model that also speaks Japanese is no news about Japan ...
    result = score(
        profile,
        "米Nuvex、30言語対応の音声AIを公開　日本語にも対応",
        "米スタートアップのNuvexは20日、30言語に対応した音声合成AIを公開した。日本語にも対応し、"
        "開発者は月額課金で利用できる。",
    )
    assert not result.relevant, result.reason
    assert "as a language" in result.reason
    # ... and a Japanese company's Japanese-language model is still its news.
    kept = score(
        profile,
        "富士通、日本語特化の大規模言語モデルを公開",
        "富士通は20日、日本語の性能を高めた大規模言語モデルを公開した。",
    )
    assert kept.relevant, kept.reason


def test_a_game_score_between_two_teams_is_the_team(profile: Profile) -> None:
    result = score(
        profile,
        "ソフトバンク4－1楽天 今宮が三回に先制打",
        "ソフトバンク4－1楽天 今宮が三回に先制打",
    )
    assert not result.relevant, result.reason
    # A span of months is no score: the company's results stay its own.
    results = score(
        profile,
        "ソフトバンク、1-3月期の純利益2割増 AI投資が寄与",
        "ソフトバンクが発表した1-3月期の連結決算は、純利益が前年同期比2割増だった。",
    )
    assert results.relevant, results.reason


def test_a_players_pay_for_next_season_is_the_team(profile: Profile) -> None:
    # A headline-only pool entry: the pay settled "で更改" is a baseball contract.
    headline = "ソフトバンク有馬、2億1000万円で更改「来季も全力で」"
    assert not score(profile, headline, headline).relevant
    # The company's own figure in yen stays the company's news.
    results = score(
        profile,
        "ソフトバンク、AI基盤に2000億円 法人向け計算資源を更新",
        "ソフトバンクは、法人向けAI計算基盤に2000億円を投じて設備を更新すると発表した。",
    )
    assert results.relevant, results.reason


def test_a_former_top_shareholder_is_a_passing_mention(profile: Profile) -> None:
    result = score(
        profile,
        "シェアオフィス大手、欧州事業を売却へ",
        "シェアオフィス大手は欧州事業を売却する。かつてソフトバンクグループが筆頭株主だった同社は、"
        "再建の最終段階に入った。",
    )
    assert not result.relevant, result.reason


def test_japan_among_dozens_of_signatories_is_a_passing_mention(profile: Profile) -> None:
    result = score(
        profile,
        "Dozens of countries sign pledge on testing AI models",
        "The US, the UK, Japan, India and dozens of others signed a nonbinding pledge on testing "
        "advanced AI models before release.",
    )
    assert not result.relevant, result.reason


def test_a_japanese_style_is_no_news_about_japan(profile: Profile) -> None:
    result = score(
        profile,
        "米Lumetta、写真を「日本のアニメ風」に変える画像生成AIを公開",
        "米Lumettaは、写真を「日本のアニメ風」に変換する画像生成AIを公開した。",
    )
    assert not result.relevant, result.reason
    assert "style" in result.reason


def test_japan_among_regions_hit_by_a_foreign_outage_is_a_passing_mention(
    profile: Profile,
) -> None:
    result = score(
        profile,
        "Chatbot service Lumio suffers hours-long outage in U.S., Europe and Japan",
        "Users of U.S. start-up Lumio's AI chatbot could not log in for about five hours on "
        "Tuesday, the company said, blaming a faulty update.",
    )
    assert not result.relevant, result.reason
    assert "list" in result.reason


def test_a_carriers_subscriber_count_is_the_mobile_business(profile: Profile) -> None:
    result = score(
        profile,
        "携帯大手4社の2月契約数、ソフトバンクが純増首位",
        "携帯大手4社が発表した2月の契約数で、ソフトバンクの純増数が首位だった。",
    )
    assert not result.relevant, result.reason


def test_a_service_wound_up_is_the_service_and_an_ai_one_is_news(profile: Profile) -> None:
    # LINE Yahoo is SoftBank's; ending a paid mail plan is none of its deals, results or AI.
    ended = score(
        profile,
        "LINEヤフー、「Yahoo!ボックス」有料版を2030年に終了",
        "LINEヤフーは、クラウド保存サービス「Yahoo!ボックス」の有料版の提供を2030年3月末で"
        "終了すると発表した。",
    )
    assert not ended.relevant, ended.reason
    assert "read as its service" in ended.reason
    ai = score(
        profile,
        "LINEヤフー、AIアシスタントの提供を終了 新エージェントに移行",
        "LINEヤフーは、生成AIを使ったアシスタント機能の提供を終了し、新しいAIエージェントに"
        "移行すると発表した。",
    )
    assert ai.relevant, ai.reason


def test_the_top_names_of_a_ranking_are_its_rows(profile: Profile) -> None:
    ranked = score(
        profile,
        "Toyota heads brokerage's list of most-held stocks for retirement accounts",
        "TOKYO (Kyodo) -- Toyota Motor Corp., SoftBank Group Corp., Nintendo Co. and Mizuho "
        "Financial Group were the most-held stocks in retirement accounts this year, an online "
        "brokerage's survey showed Friday.",
    )
    assert not ranked.relevant, ranked.reason
    # Names opening a sentence as its subject are what the story is about.
    venture = score(
        profile,
        "Toyota, SoftBank Group, Nintendo and Mizuho form AI venture",
        "Toyota Motor Corp., SoftBank Group Corp., Nintendo Co. and Mizuho Financial Group "
        "will form a joint venture to build AI agents, the companies said Friday.",
    )
    assert venture.relevant, venture.reason


def test_a_handsets_trade_in_price_is_the_carriers_service(profile: Profile) -> None:
    result = score(profile, "Androidの下取り価格をドコモ・au・ソフトバンクで比較【7月版】", "")
    assert not result.relevant, result.reason
    assert "read as its service" in result.reason


def test_a_payment_apps_points_campaign_is_its_service_and_its_ai_is_news(
    profile: Profile,
) -> None:
    # PayPay is SoftBank's; a points promotion is none of its deals, results or AI projects.
    campaign = score(
        profile,
        "PayPay、飲食店で最大20%還元 9月30日まで",
        "PayPayは、対象の飲食店でPayPay決済をすると最大20%のポイントを還元するキャンペーンを"
        "実施する。",
    )
    assert not campaign.relevant, campaign.reason
    assert 'read as its service: fees, plans, promotions or outages ("還元")' in campaign.reason
    launch = score(
        profile,
        "PayPay、生成AIの買い物相談機能 ポイント還元も",
        "PayPayは、生成AIが買い物の相談に乗る機能を始める。",
    )
    assert launch.relevant, launch.reason


def test_names_among_a_days_decliners_are_a_list(profile: Profile) -> None:
    # Three names, but "were among decliners" makes them members of the day's movers.
    result = score(
        profile,
        "Tokyo stocks end lower as exporters slip on stronger yen",
        "TOKYO (Kyodo) -- Tokyo stocks closed lower Thursday. Honda Motor Co., Canon Inc. and "
        "SoftBank Group Corp. were among decliners. The Nikkei fell 0.4 percent.",
    )
    assert not result.relevant, result.reason
    assert "in a list" in result.reason


def test_a_ranking_written_out_by_positions_is_a_list(profile: Profile) -> None:
    result = score(
        profile,
        "売買代金上位の銘柄",
        # A name with a "・" in it cuts a row of names joined by "、"; the positions do not.
        "5日の東証プライム市場で売買代金が多かった銘柄は以下の通り。1位ソフトバンクグループ、"
        "2位三菱UFJフィナンシャル・グループ、3位トヨタ自動車、4位ソニーグループ。",
    )
    assert not result.relevant, result.reason
    assert "in a list" in result.reason


def test_a_company_among_a_regional_columns_movers_is_a_passing_mention(
    profile: Profile,
) -> None:
    dropped = score(
        profile,
        "Asian stocks steady before Fed minutes; SoftBank, Hyundai among movers",
        "Asian stocks were steady on Wednesday. SoftBank Group gained 2% and Hyundai slipped 1%.",
    )
    assert not dropped.relevant, dropped.reason
    assert "regional markets column's markets or movers" in dropped.reason
    # The column's headline news is still the company's.
    kept = score(
        profile,
        "Asian stocks fall as SoftBank slumps 10% on OpenAI writedown",
        "Asian stocks fell on Wednesday. SoftBank Group slumped 10% after a writedown.",
    )
    assert kept.relevant, kept.reason


def test_a_ranking_cut_short_with_an_ellipsis_is_a_list(profile: Profile) -> None:
    result = score(
        profile,
        "新NISAで人気の高配当株ランキング ソフトバンク、JT、三菱商事…",
        "新NISAで人気の高配当株を調べた。",
    )
    assert not result.relevant, result.reason


def test_a_company_heading_one_entry_of_a_roundup_is_a_list_name(profile: Profile) -> None:
    # The wires' "shares to watch": each company in capitals before its one-line news.
    title = "Stocks to watch in Tokyo: SoftBank Group, Kioxia, Nissan, Seven & i"
    roundup = score(
        profile,
        title,
        "TOKYO, Aug 23 (Reuters) - Shares to watch on Wednesday: SOFTBANK GROUP: plans to sell "
        "$2.2 billion in dollar hybrid notes. KIOXIA HOLDINGS: to start mass production of a new "
        "flash memory line. NISSAN MOTOR: to cut one shift at its Tochigi plant.",
    )
    assert not roundup.relevant, roundup.reason
    assert "SoftBank Group ×2 in lists" in roundup.reason
    # Other wires write the headings in title case, each opening a sentence.
    titled = score(
        profile,
        "Japan stocks to watch: SoftBank Group, Toyota, Nitori, Kioxia",
        "TOKYO, Sept 19 (Reuters) - Shares to watch on Tuesday. SoftBank Group: the stock fell "
        "2.1% on Friday. Toyota Motor: announced a recall in North America. Nitori Holdings: "
        "August same-store sales rose 3.4%.",
    )
    assert not titled.relevant, titled.reason
    # One company's report that quotes a statement after a colon is no roundup.
    report = score(
        profile,
        "SoftBank Group to sell $2.2 billion in hybrid notes",
        "TOKYO (Reuters) - SoftBank Group said on Wednesday: it plans to sell $2.2 billion in "
        "dollar hybrid notes to fund its AI investments.",
    )
    assert report.relevant, report.reason


def test_companies_written_with_stock_codes_are_a_screens_rows(profile: Profile) -> None:
    # The Japanese market press's stock screen: each company with its code, one line of news.
    screen = score(
        profile,
        "今日の注目銘柄：ソフトバンクG、ルネサス、三井住友FGなど",
        "ソフトバンクグループ <9984> は引け後に決算を発表する。ルネサスエレクトロニクス <6723> は"
        "米半導体株高が追い風。三井住友FG <8316> は増配を発表。このほか、任天堂 <7974> など。",
    )
    assert not screen.relevant, screen.reason
    assert "in lists" in screen.reason
    # The English wires write the codes in brackets after names of several words.
    english = score(
        profile,
        "Japan stocks to watch: SoftBank Group, Tokyo Electron, Screen, Toyota, Mazda",
        "TOKYO, Feb 7 (Reuters) - Shares to watch in Tokyo on Wednesday: SoftBank Group (9984) "
        "after quarterly results; Tokyo Electron (8035) and Screen Holdings (7735) after forecast "
        "upgrades; Toyota Motor (7203) after raising its outlook; Kao (4452) after a buyback.",
    )
    assert not english.relevant, english.reason
    # One company's report that gives its own code, and a peer's, is about that company.
    report = score(
        profile,
        "ソフトバンクG、AI新会社に追加出資 3000億円",
        "ソフトバンクグループ <9984> は、AI新会社に3000億円を追加出資すると発表した。"
        "同業のルネサスエレクトロニクス <6723> も出資を検討している。",
    )
    assert report.relevant, report.reason
