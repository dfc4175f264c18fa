"""What headlines say about their events: names across scripts, yen against dollars, counts,
the stages of a deal or an offering, and a company's share move.

The fixtures are written for these tests (fictional start-ups and events about real Japanese
companies), not taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from conftest import judged_in_stories, judged_second

from monitor.eventkeys import (
    head_counts,
    head_multiples,
    head_nodes,
    head_years,
    same_money,
    share_move,
    shared_name,
)
from monitor.eventrules import apart_reason, link_reason
from monitor.facts import Fact, amounts, market_move
from monitor.novelty import NoveltyIndex, compare, fingerprint_texts
from monitor.stages import stages

T0 = datetime(2026, 9, 14, 1, 0, tzinfo=UTC)

# An unknown start-up, the same round in two languages: a dollar figure and its yen.
MIRAI_EN = (
    "Tokyo robotics start-up Miraikiki raises $80 million for warehouse AI",
    "TOKYO, Sept 14 (Reuters) - Miraikiki, a Tokyo start-up that makes AI software for "
    "warehouse robots, said on Monday it had raised $80 million from domestic banks and a "
    "trading house, and would use the money to hire engineers and open a plant in Chiba.",
)
MIRAI_JA = (
    "ミライキキ、120億円を調達 倉庫ロボ向けAIを強化",
    "倉庫ロボット向けAIソフトを開発するミライキキは14日、国内銀行や商社から120億円を調達したと"
    "発表した。技術者の採用と千葉県での工場新設に充てる。",
)
# The same template the same morning: another start-up, another amount.
HOSHI_JA = (
    "ホシゾラAI、45億円を調達 物流向け生成AIを開発",
    "物流向けの生成AIを開発するホシゾラAIは14日、45億円を調達したと発表した。"
    "調達した資金で技術者を採用する。",
)
HIRE_EN = (
    "Fujitsu to hire 5,000 AI engineers by 2028 as demand for generative AI grows",
    "TOKYO, Sept 14 (Reuters) - Fujitsu plans to hire 5,000 engineers specialising in "
    "artificial intelligence by the 2028 business year, the IT services company said.",
)
HIRE_JA = (
    "富士通、AI人材5000人を採用へ 28年度までに",
    "富士通は14日、2028年度までに人工知能（AI）の専門人材を5000人採用すると発表した。"
    "生成AIの導入支援の需要に応える。",
)
HIRE_NEC_JA = (
    "NEC、AI人材3000人を採用へ 28年度までに",
    "NECは14日、2028年度までにAIの専門人材を3000人採用すると発表した。",
)
TALKS_EN = (
    "Sony in talks to buy US game studio Kestrel for about $2 billion, sources say",
    "TOKYO, Sept 14 (Reuters) - Sony Group is in talks to buy U.S. game developer Kestrel "
    "Interactive for about $2 billion, two people familiar with the matter said, as it seeks "
    "more AI-driven studios for its PlayStation business.",
)
TALKS_JA = (
    "ソニーG、米ゲーム会社ケストレルの買収を協議 関係者",
    "ソニーグループが米ゲーム開発会社ケストレル・インタラクティブの買収に向けて協議していることが"
    "14日、関係者への取材で分かった。AIを使うゲーム開発を強化する。",
)
AGREED_EN = (
    "Sony agrees to buy Kestrel for $2.3 billion in AI gaming push",
    "TOKYO, Sept 15 (Reuters) - Sony Group said on Tuesday it had agreed to buy U.S. game "
    "developer Kestrel Interactive for $2.3 billion in cash, to bring its AI tools to "
    "PlayStation studios. The deal is expected to close in the first quarter of 2027.",
)
AGREED_JA = (
    "ソニーG、米ケストレルを3450億円で買収 AIゲーム開発を強化",
    "ソニーグループは15日、米ゲーム開発会社ケストレル・インタラクティブを約3450億円で買収すると"
    "発表した。2027年1～3月の完了を見込む。",
)
SHARES_EN = (
    "Sony shares jump 8% after Kestrel deal",
    "TOKYO, Sept 16 (Reuters) - Shares of Sony Group jumped as much as 8% on Wednesday, "
    "their biggest rise in three months, after it agreed to buy game developer Kestrel.",
)
SHARES_JA = (
    "ソニーG株が一時8%高、米ケストレル買収を好感",
    "16日の東京株式市場でソニーグループ株が一時前日比8%高となった。"
    "米ゲーム開発会社の買収を好感した買いが入った。",
)
MARKET_EN = (
    "Japan's Nikkei rises as Sony jumps on game deal",
    "TOKYO, Sept 16 (Reuters) - Japan's Nikkei share average rose 0.8% on Wednesday, "
    "led by Sony Group, which jumped after agreeing to buy U.S. game developer Kestrel.",
)
RANGE_EN = (
    "AI chip start-up Tsubasa sets Tokyo IPO price range at 1,500-1,700 yen",
    "TOKYO, Sept 14 (Reuters) - Tsubasa Semiconductor set an indicative price range of 1,500 "
    "to 1,700 yen a share for its Tokyo listing, seeking up to 20 billion yen.",
)
PRICED_EN = (
    "AI chip start-up Tsubasa prices Tokyo IPO at top of range, raising 20 billion yen",
    "TOKYO, Sept 22 (Reuters) - Tsubasa Semiconductor priced its initial public offering at "
    "1,700 yen a share, the top of its range, raising 20 billion yen.",
)


def test_names_match_across_scripts_and_loanwords_do_not() -> None:
    assert shared_name(MIRAI_EN[0], MIRAI_JA[0])  # ミライキキ = Miraikiki
    assert shared_name(TALKS_EN[0], TALKS_JA[0])  # ケストレル = Kestrel
    assert not shared_name(MIRAI_JA[0], HOSHI_JA[0])
    # A loanword (ロボット = robot) is no name; a short name spelt whole is (トヨタ = Toyota).
    assert not shared_name("Toyota robot unit raises $50 million", "ホンダ、ロボット事業")
    assert shared_name("Toyota robot unit raises $50 million", "トヨタ、ロボット事業")
    assert not shared_name(MIRAI_EN[0], TALKS_EN[0])  # two English headlines: the model's
    # An outlet both credit is no party of their events.
    assert not shared_name(
        "SKハイニックス、日本で工場建設を検討＝ロイター", "現代自、賃金交渉難航＝ロイター"
    )


def test_one_multiple_of_one_company_in_two_languages_is_one_event(encoder) -> None:
    assert head_multiples("ほしぞらデータ、4～12月純利益2.1倍") == frozenset({2.1})
    assert head_multiples("Hoshizora Data nine-month profit doubles") == frozenset({2.0})
    assert head_multiples("SoftBank doubles down on AI") == frozenset()
    ja, en, other = fingerprint_texts(
        [
            ("ほしぞらデータ、4～12月純利益2.1倍 GPUクラウド好調", ""),
            ("Japan's Hoshizora Data nine-month profit doubles on AI compute demand", ""),
            ("Japan's Hoshizora Data nine-month profit triples on AI compute demand", ""),
        ],
        encoder,
    )
    assert "one multiple of one company" in link_reason(ja, en, 2.0)
    assert link_reason(ja, other, 2.0) == ""  # 2.1 is no tripling


def test_a_short_name_matches_by_its_whole_romanisation() -> None:
    # Too few consonants to match by them alone ("hs"), spelt the same with its vowels.
    assert shared_name("ヒスイ半導体、熊本に新ライン", "Hisui to build Kumamoto chip line")
    assert shared_name("アオバ電機、AI検査機を発売", "Aoba Denki launches AI inspection machine")
    assert not shared_name("ヒスイ半導体、熊本に新ライン", "Hisao Tanaka to lead chip group")
    assert not shared_name("データセンター新設", "Data centre to open in Osaka")


def test_kana_we_and_soft_c_read_as_english_does() -> None:
    # ウエ opening a brand is "we"; English reads "c" before "i" as "s": ウエルシア = Welcia.
    welcia_ja = "ウエルシア、ＡＩレジを2800店に導入 150億円"
    assert shared_name(welcia_ja, "Welcia to install AI checkouts at 2,800 drugstores")
    assert shared_name("フランシス、AI受付ロボを発売", "Francis launches AI reception robot")
    assert not shared_name(welcia_ja, "Walmart to install AI checkouts at 4,600 stores")
    assert not shared_name(welcia_ja, "Wellness chain Lawson adds AI")


def test_a_name_written_with_its_business_matches_the_name_alone() -> None:
    # キリコロボティクス is Kiriko Robotics: the run is matched without its "ロボティクス" too.
    ja = "キリコロボティクス、シリーズCで95億円を調達 ヒト型ロボの頭脳開発"
    assert shared_name(ja, "Tokyo robotics start-up Kiriko raises $61 million")
    assert not shared_name(ja, "Kameda Robotics raises $61 million")


def test_a_models_size_is_one_count_in_either_script() -> None:
    en = head_counts("Kyoto lab releases 70-billion-parameter open AI model for chemists")
    ja = head_counts("京都の研究所、化学向けに700億パラメーターの公開LLM")
    assert en & ja == {70_000_000_000}
    assert head_counts("Start-up unveils 13B-parameter model") == {13_000_000_000}
    assert not head_counts("京都の研究所、130億パラメーターのLLM") & en


def test_the_exchange_a_company_lists_on_is_no_market_report(encoder) -> None:
    # "東証グロース上場" is where the company lists; "東証、午前は反発" is the market's session.
    assert market_move("カスミＡＩ、公開価格は仮条件上限の1800円 あす東証グロース上場") == ("", "")
    assert market_move("カスミＡＩが東証グロースに上場 初値は公開価格を15%上回る") == ("", "")
    assert market_move("東証、午前は反発 半導体株に買い") == ("tokyo stocks", "up")
    ja, en = fingerprint_texts(
        [
            ("カスミＡＩ、公開価格は仮条件上限の1800円 あす東証グロース上場",
             "カスミＡＩの公開価格は仮条件の上限の1800円に決まった。10日に東証グロース市場に上場する。"),
            ("AI start-up Kasumi AI prices Tokyo IPO at top of range",
             "Kasumi AI priced its initial public offering at 1,800 yen a share, the top of its "
             "range, ahead of its listing on the Tokyo Stock Exchange's Growth market on Friday."),
        ],
        encoder,
    )  # fmt: skip
    assert "a market report" not in apart_reason(ja, en, 1.0)


def test_a_markets_headline_names_the_stock_by_the_company_alone() -> None:
    assert share_move("Yaskawa Soars After Humanoid Robot Wins 1,200 Orders")
    assert share_move("Tokyo Electron Surges on AI Chip Orders")
    assert not share_move("Toyota Profit Jumps 20% on Weak Yen")
    assert not share_move("Japan Exports Rise 7.4% on Chip Equipment")


def test_yen_and_dollars_are_one_amount_only_at_a_plausible_rate() -> None:
    (dollars,), (yen,) = amounts("$80 million"), amounts("120億円")
    assert same_money(dollars, yen)
    (talks,), (price,) = amounts("$2 billion"), amounts("3450億円")
    assert not same_money(talks, price)  # 172.5 yen a dollar: another amount


def test_counts_are_read_from_headlines_and_years_are_not() -> None:
    assert head_counts(HIRE_EN[0]) == head_counts(HIRE_JA[0]) == {5000}
    assert head_counts("Japan's 2027 budget request") == frozenset()
    assert head_counts(MIRAI_JA[0]) == frozenset()  # money, not a count


def test_a_start_ups_funding_in_two_languages_folds_and_anothers_does_not(encoder) -> None:
    en, ja, other = fingerprint_texts([MIRAI_EN, MIRAI_JA, HOSHI_JA], encoder)
    assert "one amount of one company" in link_reason(en, ja)
    assert compare(en, ja).verdict == "same story"
    assert link_reason(ja, other) == ""
    assert judged_second(ja, other, T0).kind == "new"


def test_one_hiring_count_in_two_languages_folds_and_a_rivals_does_not(encoder) -> None:
    en, ja, rival = fingerprint_texts([HIRE_EN, HIRE_JA, HIRE_NEC_JA], encoder)
    assert "one count of one company" in link_reason(en, ja)
    assert judged_second(en, ja, T0, timedelta(minutes=40)).kind == "duplicate"
    assert link_reason(ja, rival) == ""
    assert judged_second(ja, rival, T0, timedelta(minutes=20)).kind == "new"


def test_the_agreement_is_a_development_of_the_talks_not_their_copy(encoder) -> None:
    talks_en, talks_ja, agreed_en, agreed_ja = fingerprint_texts(
        [TALKS_EN, TALKS_JA, AGREED_EN, AGREED_JA], encoder
    )
    assert stages(TALKS_EN[0]) == stages(TALKS_JA[0]) == (("deal", "talks"),)
    assert stages(AGREED_EN[0]) == stages(AGREED_JA[0]) == (("deal", "agreed"),)
    # The Japanese scoop states no price: the deal's stage and its party tie it to the English.
    assert "one stage of one company's event" in link_reason(talks_en, talks_ja, 2.0)
    # Read a day later, the agreement follows the talks (the Japanese scoop's story) ...
    later = judged_second(talks_ja, agreed_ja, T0, timedelta(hours=24))
    assert later.kind == "follow-up", later.reason
    assert "the deal agreed after the talks" in later.reason
    assert judged_second(talks_en, agreed_en, T0, timedelta(hours=24)).kind != "duplicate"
    # ... and a feed that brings the talks only after the deal does not fold them under it.
    for talks, agreed in ((talks_ja, agreed_ja), (talks_en, agreed_en)):
        index = NoveltyIndex()
        index.add("agreed", T0 + timedelta(hours=24), agreed)
        earlier = index.judge(talks, T0, T0 + timedelta(hours=25))
        assert earlier.kind == "new", earlier.reason
    # The agreed price in yen is the dollar price: the Japanese report is the same story.
    assert "one amount of one company" in link_reason(agreed_en, agreed_ja, 1.0)
    assert judged_second(agreed_en, agreed_ja, T0, timedelta(hours=1)).kind == "duplicate"


def test_a_share_move_is_news_of_its_own_and_one_in_two_languages(encoder) -> None:
    agreed_en, shares_en, shares_ja, market = fingerprint_texts(
        [AGREED_EN, SHARES_EN, SHARES_JA, MARKET_EN], encoder
    )
    assert share_move(SHARES_EN[0]) and share_move(SHARES_JA[0]) and not share_move(MARKET_EN[0])
    assert not share_move("9月の企業物価、前年比3.1%上昇 電子部品が押し上げ")  # a statistic
    after = judged_second(agreed_en, shares_en, T0, timedelta(hours=20))
    assert after.kind != "duplicate", after.reason
    assert "one company's shares" in link_reason(shares_en, shares_ja, 0.5)
    assert judged_second(shares_en, shares_ja, T0, timedelta(minutes=30)).kind == "duplicate"
    # The market's report names the stock as its driver: a market report, not the stock's.
    assert "a market report" in apart_reason(market, shares_en, 1.0)
    index = NoveltyIndex()
    index.add("shares", T0, shares_en)
    assert index.judge(market, T0 + timedelta(hours=5), T0 + timedelta(hours=6)).kind != "duplicate"


def test_an_offerings_price_is_not_its_range_again(encoder) -> None:
    assert stages(RANGE_EN[0]) == (("price", "range"),)
    assert stages(PRICED_EN[0]) == (("price", "priced"),)
    ranged, priced = fingerprint_texts([RANGE_EN, PRICED_EN], encoder)
    verdict = judged_second(ranged, priced, T0, timedelta(days=8))
    assert verdict.kind != "duplicate"


def test_a_share_move_is_never_one_amount_with_another_event_of_the_company(encoder) -> None:
    shares, bond = fingerprint_texts(
        [
            (
                "Sony falls most in a month after agreeing to $2.3 billion game deal",
                "Sony Group shares fell as much as 6% on Wednesday after it agreed to buy Kestrel.",
            ),
            (
                "Sony raises retail bond sale to record 340 billion yen",
                "Sony Group raised its retail bond sale to a record 340 billion yen on demand.",
            ),
        ],
        encoder,
    )
    # $2.3 billion is 340 billion yen at 148 yen a dollar, but one report is the shares' move.
    assert link_reason(shares, bond, 2.0) == ""


def test_one_days_share_moves_of_two_companies_are_two_events(encoder) -> None:
    # A start-up's debut whose lead names its backer SoftBank, and another company's shares
    # at limit-up on a SoftBank bid: the shares that move are each headline's own company.
    debut, limit_up, again = fingerprint_texts(
        [
            (
                "Robot start-up Hayabusa Dynamics debuts on Tokyo bourse, shares rise",
                "Shares of Hayabusa Dynamics, backed by SoftBank Group Corp.'s Vision Fund, rose "
                "24% in their Tokyo Stock Exchange debut on Friday.",
            ),
            (
                "Kurenai Denki shares hit limit-up on SoftBank takeover bid",
                "Shares of Kurenai Denki were untraded at the daily limit-up on Friday after "
                "SoftBank Group said it would buy the company.",
            ),
            (
                "紅電機がストップ高買い気配 ソフトバンクＧのＴＯＢ価格にさや寄せ",
                "紅電機株は朝方からストップ高の水準で買い気配となった。",
            ),
        ],
        encoder,
    )
    assert link_reason(debut, limit_up, 1.0) == ""
    # Two reports of the one company's limit-up both name SoftBank in their headlines.
    assert link_reason(limit_up, again, 1.0) == "one day's move of one company's shares"


def test_a_count_written_with_a_decimal_man_is_the_same_count() -> None:
    assert head_counts("みずほ銀、全行員2.5万人に生成AI") == head_counts(
        "Mizuho gives AI to 25,000 staff"
    )
    assert head_counts("版数1.2で配信") == frozenset()  # no scale: no decimal count


def test_a_korean_amount_is_the_same_amount() -> None:
    from monitor.facts import amounts

    assert amounts("메타, 홋카이도에 53억달러 투자") == amounts("Meta to invest $5.3 billion")
    assert amounts("삼성, 1조원 투자")[0].unit == "KRW"


def test_two_japanese_headlines_opening_on_one_kanji_company_name_share_it(encoder) -> None:
    flash = ("【決算速報】霞電子、５－７月期経常は２．１倍の９億２０００万円（株探ニュース）", "")
    pool = ("霞電子の5～7月期、純利益2.1倍　AI向け受託が伸びる", "")
    assert shared_name(flash[0], pool[0])
    a, b = fingerprint_texts([flash, pool], encoder)
    assert "one multiple of one company" in link_reason(a, b)
    # Inside a headline the pattern reads words: two prefectures' "生成AI" are no shared name.
    assert not shared_name("広島県、全職員に生成AI 12億円", "新潟県、全職員に生成AI 8億円")
    assert not shared_name("霞電子、AI検査装置", "霞精機、AI検査装置")


def test_a_name_in_hiragana_opening_a_headline_is_its_romanised_name() -> None:
    assert shared_name("ひびきデータセンター、北九州のDC稼働を延期", "Hibiki delays AI data center")
    assert not shared_name("ひびきデータセンター、延期", "Hitachi to build data center")


# A chief executive's claim at a keynote, headline-only in English (a news aggregator's copy) and
# in Japanese; the year is the one figure both headlines state.
PLANT_EN = ("Kyocera Says It Will Open a Humanoid Robot Plant in 2031", "")
PLANT_JA = ("京セラ、人型ロボの新工場を31年に稼働へ 社長が表明", "")
# Another claim of the company's the same morning, with another year.
TARGET_JA = ("京セラ、半導体部品の売上高を33年度に倍増へ", "")


def test_years_are_read_from_headlines_in_both_scripts() -> None:
    assert head_years(PLANT_EN[0]) == head_years(PLANT_JA[0]) == {2031}
    assert head_years(TARGET_JA[0]) == {2033}
    # Spans of time are no point in time: "for the first time in 29 years", "for 25 years".
    assert head_years("日経平均、29年ぶり高値") == head_years("25年にわたり赤字") == frozenset()
    assert head_years("2,029 jobs cut") == head_years("$2029 million") == frozenset()


def test_one_year_of_one_company_in_two_languages_folds_and_another_year_does_not(encoder):
    en, ja, target = fingerprint_texts([PLANT_EN, PLANT_JA, TARGET_JA], encoder)
    assert "one year of one company" in link_reason(en, ja)
    novelty = judged_second(en, ja, T0, timedelta(minutes=30))
    assert novelty.kind == "duplicate", novelty.reason
    assert "one event: the headlines state one year of one company" in novelty.reason
    assert link_reason(ja, target) == ""
    assert judged_second(ja, target, T0, timedelta(minutes=20)).kind == "new"


# A chip designer's foundry order: a headline-only English copy and a Japanese trade paper's
# report, whose one shared figure is the process node; the encoder scores them 0.38, the pair
# model 0.16. The same designer's other news that morning names another node.
NODE_EN = ("Preferred Networks taps Rapidus to make next AI chip on 2nm", "")
NODE_JA = (
    "PFN、次世代AIプロセッサーをRapidusの2nmで製造 2029年に量産",
    "Preferred Networks（PFN）は、次世代AIプロセッサーをRapidusの2nmプロセスで製造すると発表し"
    "た。北海道千歳市のRapidusの工場で2029年に量産を始める。",
)
OTHER_NODE_JA = ("PFN、車載AIチップを台湾社の3ナノで試作", "")


def test_one_process_node_of_one_company_in_two_languages_folds(encoder) -> None:
    assert head_nodes(NODE_EN[0]) == head_nodes(NODE_JA[0]) == {2.0}
    assert head_nodes("1.4-nanometer line") == head_nodes("1.4ナノの量産") == {1.4}
    en, ja, other = fingerprint_texts([NODE_EN, NODE_JA, OTHER_NODE_JA], encoder)
    assert "one chip process node of one company" in link_reason(en, ja)
    novelty = judged_second(en, ja, T0, timedelta(minutes=30))
    assert novelty.kind == "duplicate", novelty.reason
    assert link_reason(ja, other) == ""
    assert judged_second(ja, other, T0, timedelta(minutes=20)).kind == "new"


# One announcement in two Japanese headlines that share no figure: the company and its network
# (the encoder scores them 0.36); the same company's other news names its other product.
IOWN_A = ("ＮＴＴ、離れたデータセンター３カ所でＡＩ学習 ＩＯＷＮで結び最大６００キロ", "")
IOWN_B = ("NTT、IOWNで3拠点のデータセンターをつなぎLLMを分散学習", "")
TSUZUMI_JA = ("NTT、tsuzumiの新版を公開 日本語性能を向上", "")


def test_two_names_both_headlines_share_link_one_companys_event(encoder) -> None:
    a, b, other = fingerprint_texts([IOWN_A, IOWN_B, TSUZUMI_JA], encoder)
    assert "one company and another name" in link_reason(a, b)
    assert judged_second(a, b, T0, timedelta(hours=2)).kind == "duplicate"
    assert "another name" not in link_reason(a, other)


# A government forecast in two languages: one percentage for one year, no company.
DEMAND_JA = ("電力需要、34年度に6%増 データセンターと半導体工場で 経産省の審議会試算", "")
DEMAND_EN = ("Japan sees AI data centres lifting power demand 6% by 2034", "")


def test_one_percentage_for_one_year_links_a_forecast_across_languages(encoder) -> None:
    ja, en = fingerprint_texts([DEMAND_JA, DEMAND_EN], encoder)
    assert link_reason(ja, en) == "the headlines state one percentage for one year"
    other = fingerprint_texts([("電力需要、34年度に8%増 経産省試算", "")], encoder)[0]
    assert link_reason(other, en) == ""


# One deal in Korean and Japanese headlines that share nothing but the buyer and the price
# (4.8 billion dollars, 7,200 億円): the encoder scores them 0.42.
FIBER_KO = ("소프트뱅크, 美 광통신망 업체 48억달러에 인수 합의", "")
FIBER_JA = ("ソフトバンクG、光通信網のファイバーリンクを7200億円で買収へ", "")


def test_a_link_holds_where_the_encoder_scores_two_scripts_headlines_low(encoder):
    ko, ja = fingerprint_texts([FIBER_KO, FIBER_JA], encoder)
    assert "one amount of one company" in link_reason(ko, ja)
    novelty = judged_second(ko, ja, T0, timedelta(minutes=45))
    assert novelty.kind == "duplicate", novelty.reason


# A court case: the ruling, and a day later the plaintiff's appeal (one wire, one paper).
RULING_JA = (
    "AI作曲の楽曲に著作権認めず 大阪地裁、請求棄却",
    "生成AIで作った楽曲に著作権が認められるかが争われた訴訟で、大阪地裁は14日、短い指示で生成した"
    "楽曲は著作物に当たらないとして、作曲家の請求を棄却した。",
)
APPEAL_JA = (
    "AI作曲の著作権訴訟、作曲家が控訴 「指示300回は創作」",
    "生成AIで作った楽曲に著作権が認められるかが争われた訴訟で、請求を棄却された作曲家が15日、"
    "大阪高裁に控訴した。300回を超える指示の修正は創作にあたると主張している。",
)


def test_the_appeal_is_a_development_of_the_ruling(encoder) -> None:
    assert stages(RULING_JA[0]) == (("case", "ruling"),)
    assert stages(APPEAL_JA[0]) == (("case", "appeal"),)
    assert stages("Osaka court says AI-made song is not a copyrighted work") == (
        ("case", "ruling"),
    )  # fmt: skip
    assert ("case", "ruling") not in stages("Game maker sets rules for generative AI")
    ruling, appeal = fingerprint_texts([RULING_JA, APPEAL_JA], encoder)
    later = judged_second(ruling, appeal, T0, timedelta(hours=24))
    assert later.kind == "follow-up", later.reason
    assert "the appeal after the ruling" in later.reason


def test_two_places_or_two_months_in_the_headlines_are_two_events(encoder) -> None:
    osaka, aichi, september, october = fingerprint_texts(
        [
            ("大阪府、AI信号機を600交差点に 18億円",
             "大阪府はAIで青信号の長さを変える信号機を600交差点に導入する。"),
            ("Aichi Pref. to install AI traffic signals at 900 intersections",
             "NAGOYA (Kyodo) -- Aichi Prefecture will install AI traffic signals at 900 "
             "intersections, spending 2.6 bil. yen."),
            ("9月の工作機械受注確報、前年比14%増 半導体関連がけん引",
             "日本工作機械工業会が発表した。"),
            ("Japan's October machine tool orders rise 21% on chip-equipment demand",
             "TOKYO (Reuters) - Japan's machine tool orders rose 21% in October."),
        ],
        encoder,
    )  # fmt: skip
    assert apart_reason(osaka, aichi) == "another place (osaka, not aichi)"
    assert apart_reason(september, october) == "another month (9, not 10)"
    assert judged_second(osaka, aichi, T0, timedelta(minutes=25)).kind == "new"


def test_a_past_employer_is_no_principal_of_a_link(encoder) -> None:
    # One sum the same day, but the second headline's company is a fund founder's past employer.
    talks, fund = fingerprint_texts(
        [
            ("SoftBank in Talks to Buy Grid-Storage Startup Voltaic for About $1.5 Billion", ""),
            ("Ex-SoftBank executive's fund raises $1.5 bln for Gulf AI deals", ""),
        ],
        encoder,
    )
    assert link_reason(talks, fund, 2.0) == ""
    assert judged_second(talks, fund, T0, timedelta(hours=2)).kind == "new"


def test_a_revised_policy_is_a_development_of_the_policy_set_out(encoder) -> None:
    # A policy set out is also guidance issued, which others may answer (test_followup.py).
    issued = (("policy", "policy set"), ("answer", "guidance issued"))
    assert stages("ミヤマ工業、生成AI利用方針を公表 設計図面の2割に") == issued
    assert stages("ミヤマ工業、生成AI方針を修正 社外委員会を設置") == (
        ("policy", "policy revised"),
    )
    assert stages("Miyama sets rules for generative AI use in design") == issued
    assert stages("Miyama tightens AI rules after union protest") == (("policy", "policy revised"),)
    assert stages("ミヤマ工業、業績予想を上方修正") == ()  # a forecast, not a policy
    first, revised = fingerprint_texts(
        [
            ("ミヤマ工業、生成AI利用方針を公表 設計図面の2割に", ""),
            ("ミヤマ工業、生成AI方針を修正 社外委員会を設置", ""),
        ],
        encoder,
    )
    later = judged_second(first, revised, T0, timedelta(hours=24))
    assert later.kind != "duplicate", later.reason


# A loan sought (in Japanese, its sum written "1兆2千億円"), then signed for more (in English).
LOAN_TALKS_JA = (
    "楽天G、データセンター担保に1兆2千億円の借り入れ交渉",
    "楽天グループがデータセンター資産を担保に、国内外の銀行と1兆2千億円の借り入れを交渉している"
    "ことが12日、関係者への取材で分かった。AI投資に充てる。",
)
LOAN_SIGNED_EN = (
    "Rakuten Group lands $10.7 billion loan backed by data centres",
    "Rakuten Group has signed a ¥1.65 trillion loan with 12 banks secured by its data-centre "
    "assets, more than it first sought, to fund its AI investments.",
)
LOAN_TALKS_SHORT_EN = ("Rakuten seeks $7.8 billion loan backed by data centres", "")
LOAN_TALKS_FULL_EN = (
    "Rakuten seeks 1.2 tril. yen loan backed by data centres to fund AI bets",
    "TOKYO (Kyodo) -- Rakuten Group Inc. is in talks with banks for a 1.2 trillion yen loan "
    "backed by its data-centre assets, sources said Wednesday.",
)


def test_the_loan_signed_is_a_development_of_the_loan_sought(encoder) -> None:
    assert stages(LOAN_SIGNED_EN[0]) == (("deal", "agreed"),)
    assert stages("ソフトバンクＧ、１兆円の融資契約 アーム株担保") == (("deal", "agreed"),)
    assert stages("Plane lands safely at Haneda after engine warning") == ()
    assert stages("契約社員の待遇を改善") == ()
    talks, signed = fingerprint_texts([LOAN_TALKS_JA, LOAN_SIGNED_EN], encoder)
    assert Fact("JPY", 1.2e12) in talks.head_amounts
    # Never folded under the talks: a new story, or the talks' follow-up.
    later = judged_second(talks, signed, T0, timedelta(hours=24))
    assert later.kind in ("new", "follow-up"), later.reason


def test_a_fuller_report_of_a_headline_in_the_other_currency_is_its_copy(encoder) -> None:
    # "$7.8 billion" is 1.2 trillion yen at a plausible rate; "to fund AI bets" adds no name.
    short, full = fingerprint_texts([LOAN_TALKS_SHORT_EN, LOAN_TALKS_FULL_EN], encoder)
    second = judged_second(short, full, T0, timedelta(minutes=40))
    assert second.kind == "duplicate", second.reason


# An unknown maker written in kanji in Japanese copy and in romaji in English copy, and another
# maker of the same beat reporting the same morning in the same template.
OGURA_JA = (
    "小倉精機、今期純利益27.5%増 半導体向けAI外観検査が伸びる",
    "半導体向けのAI外観検査装置を手がける小倉精機は9日、今期の純利益が前期比27.5%増になる"
    "見通しだと発表した。生成AI向けの先端パッケージ検査の受注が伸びた。",
)
OGURA_EN = (
    "Ogura Seiki sees profit up 27.5% on AI inspection orders",
    "Ogura Seiki, a Japanese maker of AI-based inspection machines for chip packages, said on "
    "Thursday it expects net profit to rise 27.5% this year as orders tied to generative AI "
    "chips grow.",
)
SHIROYAMA_JA = (
    "城山電機、今期純利益27.5%増 AIサーバー向け電源が好調",
    "AIサーバー向け電源を手がける城山電機は9日、今期の純利益が前期比27.5%増になる見通しだと"
    "発表した。データセンター向けの受注が伸びた。",
)


def test_a_name_in_kanji_reads_as_its_romaji() -> None:
    assert shared_name(OGURA_JA[0], OGURA_EN[0])  # 小倉精機 = Ogura Seiki
    # 東雲 = Shinonome
    assert shared_name("東雲AIが60億円を調達", "Shinonome AI raises $40 million")
    assert not shared_name(SHIROYAMA_JA[0], OGURA_EN[0])
    # A place the table knows names the company only with its business word: 東京 is Tokyo.
    assert not shared_name("東京精機、純利益12%増", "Tokyo stocks rise 12% in a week")
    assert shared_name("東京精機、純利益12%増", "Tokyo Seiki profit rises 12%")
    # A bank by the press's short form: 鶴見銀 = Tsurumi Bank.
    assert shared_name("鶴見銀、AI融資審査を導入", "Tsurumi Bank adopts AI loan screening")
    # A trade name in 堂 (as 任天堂): 銀河堂 = Gingado.
    assert shared_name("銀河堂、AIで和菓子の需要予測", "Gingado uses AI to forecast sweets demand")


def test_a_kanji_named_makers_results_in_two_languages_fold_and_a_rivals_do_not(encoder) -> None:
    ja, en, rival = fingerprint_texts([OGURA_JA, OGURA_EN, SHIROYAMA_JA], encoder)
    assert "one company" in link_reason(ja, en)
    assert judged_second(ja, en, T0, timedelta(hours=2)).kind == "duplicate"
    assert link_reason(rival, en) == ""
    assert judged_second(rival, en, T0, timedelta(hours=2)).kind == "new"


def test_tokyos_daily_price_limit_is_a_share_move_in_either_language(encoder) -> None:
    ja = (
        "小倉精機がストップ高 今期の最高益見通しを好感",
        "9日の東京株式市場で小倉精機株が買い気配のままストップ高となった。前日に今期の純利益が"
        "27.5%増える見通しを発表し、AI検査装置の受注拡大を好感した買いが集まった。",
    )
    en = (
        "Ogura Seiki shares hit daily limit after record-profit forecast",
        "Shares of Ogura Seiki jumped by their daily limit in Tokyo on Friday, a day after the "
        "maker of AI inspection machines forecast record profit on chip-package orders.",
    )
    assert share_move(en[0]) and share_move("Ogura Seiki limit-up on forecast")
    assert not share_move("Japan to limit AI chip exports")
    move_ja, move_en, results_en = fingerprint_texts([ja, en, OGURA_EN], encoder)
    assert judged_second(move_ja, move_en, T0, timedelta(hours=1)).kind == "duplicate"
    assert judged_second(results_en, move_en, T0, timedelta(hours=20)).kind != "duplicate"


def test_a_scoop_cited_to_a_paper_is_no_market_report_and_the_venture_set_up_follows_it(
    encoder,
) -> None:
    scoop = (
        "Sony, Astellas plan AI drug-discovery venture, Nikkei says",
        "Sony Group and Astellas Pharma plan to set up a joint venture that uses AI to design "
        "drug candidates, the Nikkei newspaper reported on Tuesday.",
    )
    market = (
        "Japan's Nikkei edges up at midday; Astellas, Sony gain on AI venture",
        "TOKYO, Sept 15 (Reuters) - Japan's Nikkei share average edged up 0.3% by the midday "
        "break, as Astellas and Sony rose after a report on an AI drug-discovery venture.",
    )
    set_up = (
        "Sony and Astellas set up AI drug-discovery venture",
        "Sony Group and Astellas Pharma said on Wednesday they set up a joint venture that "
        "uses AI to design drug candidates.",
    )
    # "Nikkei says" names the paper, not the index: only one of the two is a market report.
    assert market_move(scoop[0]) == ("", "")
    scoop_fp, market_fp, set_up_fp = fingerprint_texts([scoop, market, set_up], encoder)
    assert "a market report (tokyo stocks)" in apart_reason(market_fp, scoop_fp, 2.0)
    assert stages(scoop[0]) == (("deal", "talks"),)
    assert (
        stages(set_up[0])
        == stages("ソニーとアステラス、AI創薬の新会社を設立")
        == (("deal", "agreed"),)
    )
    assert stages("ソニーとアステラス、AI創薬で新会社設立へ 関係者") == (("deal", "talks"),)
    later = judged_second(scoop_fp, set_up_fp, T0, timedelta(hours=24))
    assert later.kind == "follow-up", later.reason


def test_a_storys_stage_is_any_of_its_reports_not_only_the_one_matched(encoder) -> None:
    # The scoop in two reports: an aggregator's English headline says "plan ..., Nikkei says"
    # (the talks); the Japanese one states only the sum. The venture set up next day matches the
    # Japanese report alone, and still follows the story: its talks are the story's.
    talks_en = ("Sony, Astellas plan AI drug-discovery venture, Nikkei says", "")
    talks_ja = (
        "ソニーG、アステラス製薬とAI創薬の新会社 1000億円規模",
        "ソニーグループはアステラス製薬と、AIで新薬候補を設計する新会社をつくる。"
        "出資は1000億円規模になる見通し。",
    )
    set_up = ("Sony and Astellas Set Up $700 Million Venture to Design Drugs With AI", "")
    en, ja, done = fingerprint_texts([talks_en, talks_ja, set_up], encoder)
    verdict = judged_in_stories(
        [("talks_en", T0, en, "talks"), ("talks_ja", T0 + timedelta(minutes=30), ja, "talks")],
        done,
        T0 + timedelta(hours=24),
    )
    assert verdict.kind == "follow-up", verdict.reason
    assert "the deal agreed after the talks" in verdict.reason


def test_another_report_of_the_days_share_move_is_its_copy_not_a_follow_up(encoder) -> None:
    # The deal, then the shares' jump the next morning, then an aggregator's headline of the
    # same jump that names more ("Most Since 2021", the investors' mood): one day's move of one
    # company's shares is one event, whatever facts one report adds.
    headline = "Sony Jumps Most Since 2021 as Investors Cheer Kestrel Game Deal - Bloomberg.com"
    agreed, shares, again = fingerprint_texts(
        [AGREED_EN, SHARES_EN, (headline, headline.replace(" - ", " "))], encoder
    )
    verdict = judged_in_stories(
        [("agreed", T0, agreed, "agreed"), ("shares", T0 + timedelta(hours=20), shares, "shares")],
        again,
        T0 + timedelta(hours=21),
    )
    assert verdict.kind == "duplicate", verdict.reason
    assert verdict.matched == "shares", verdict.reason


def test_a_sum_raised_in_dollars_is_news_against_the_dollars_offered(encoder) -> None:
    # The offer in dollars and in yen, then the sale priced and upsized. $2.2 billion is
    # 2950億円 at 134 yen a dollar, inside the band a conversion may use, but the story's own
    # dollar headline says $1.9 billion: the sum raised is a development, not a copy.
    offer_en, offer_ja, priced = fingerprint_texts(
        [
            ("Sony Offers $1.9 Billion of Kioxia Shares in Overnight Block Sale", ""),
            ("ソニーG、キオクシア株の一部売却へ 約2950億円規模＝報道", ""),
            ("Sony Raises $2.2 Billion Selling Part of Kioxia Stake", ""),
        ],
        encoder,
    )
    verdict = judged_in_stories(
        [
            ("offer_en", T0, offer_en, "offer"),
            ("offer_ja", T0 + timedelta(minutes=50), offer_ja, "offer"),
        ],
        priced,
        T0 + timedelta(hours=6),
    )
    assert verdict.kind != "duplicate", verdict.reason


def test_one_headlines_percentage_in_the_others_lead_links_one_company(encoder) -> None:
    ja, en, rival = fingerprint_texts(
        [
            ("伊予銀、融資稟議の作成に生成AI 全店で作業時間4割減", ""),
            (
                "Iyo Bank to use generative AI for loan memos at all 150 branches",
                "MATSUYAMA (Kyodo) -- Iyo Bank said Tuesday it will use generative AI to draft "
                "loan memos at all its branches, aiming to cut the time staff spend by about 40 "
                "percent.",
            ),
            (
                "Hachijuni Bank to use generative AI for loan memos at all 60 branches",
                "NAGANO (Kyodo) -- Hachijuni Bank said Tuesday it will use generative AI to draft "
                "loan memos, aiming to cut the time staff spend by about 40 percent.",
            ),
        ],
        encoder,
    )
    assert "the other's lead's" in link_reason(ja, en, 1.0)
    assert link_reason(ja, rival, 1.0) == ""  # another bank's template


def test_a_reports_own_conversion_settles_its_sum_in_the_other_currency(encoder) -> None:
    # 2950億円 is $2.2 billion at 134 yen a dollar, but the Japanese report converts its own sum:
    # "約19億ドル（約2950億円）". Against the $2.2 billion raised it states another amount.
    offer_ja, offer_en, priced = fingerprint_texts(
        [
            (
                "ソニーG、キオクシア株の一部売却へ 約2950億円規模＝報道",
                "ソニーグループがキオクシア株の一部を売却する手続きを始めたと報じられた。"
                "売却額は約19億ドル（約2950億円）。",
            ),
            ("Sony Offers $1.9 Billion of Kioxia Shares in Block Sale", ""),
            ("Sony Raises $2.2 Billion Selling Part of Kioxia Stake", ""),
        ],
        encoder,
    )
    assert link_reason(offer_ja, priced, 4.0) == ""
    assert "one amount of one company" in link_reason(offer_ja, offer_en, 1.0)


def test_a_valuation_in_dollars_restates_the_stories_yen_figure(encoder) -> None:
    # The round in yen with its valuation, a Korean copy headlining the round in dollars, then
    # a rewrite headlining both in dollars: $4 billion is 6000億円 at 150 yen a dollar. The
    # story's one dollar figure is the round, an order of magnitude off: no revision of it.
    round_ja, round_ko, rewrite = fingerprint_texts(
        [
            ("Kiri AI、シリーズCで480億円を調達 企業評価額は約6000億円", ""),
            ("日 키리AI, 3억2000만 달러 투자 유치", ""),
            ("Kiri AI Raises $320 Million at $4 Billion Valuation", ""),
        ],
        encoder,
    )
    verdict = judged_in_stories(
        [
            ("round_ja", T0, round_ja, "round"),
            ("round_ko", T0 + timedelta(minutes=30), round_ko, "round"),
        ],
        rewrite,
        T0 + timedelta(hours=1),
    )
    assert verdict.kind == "duplicate", verdict.reason


def test_one_companys_forecast_raised_links_its_reports_and_not_another_companys(
    encoder,
) -> None:
    # A company revises its forecast once on a results day: a headline-only pool copy in other
    # words, or the Japanese report, is that revision; a peer raising its own forecast the same
    # day is another event.
    wire, pool, peer, japanese = fingerprint_texts(
        [
            ("Screen Holdings raises annual profit forecast on AI chip demand",
             "TOKYO, Feb 6 (Reuters) - Screen Holdings raised its full-year operating profit "
             "forecast on Tuesday to 142 billion yen from 126 billion yen, citing stronger orders "
             "for wafer-cleaning tools used to make chips for AI servers. Operating profit for "
             "April-December rose 24% to 109 billion yen."),
            ("Screen Holdings Lifts Profit Outlook as AI Chip Tool Orders Climb", ""),
            ("Tokyo Electron raises annual profit forecast on AI chip demand",
             "TOKYO, Feb 6 (Reuters) - Tokyo Electron raised its full-year operating profit "
             "forecast to 735 billion yen on Tuesday, citing demand for AI chip equipment."),
            ("ＳＣＲＥＥＮ、今期営業利益予想を１４２０億円に上方修正 ＡＩ向け需要",
             "ＳＣＲＥＥＮホールディングスは６日、今期の営業利益予想を１４２０億円に上方修正した。"),
        ],
        encoder,
    )  # fmt: skip
    assert link_reason(wire, pool) == "one company's forecast revised up in both"
    assert judged_second(wire, japanese, T0, timedelta(minutes=20)).kind == "duplicate"
    assert link_reason(wire, peer) == ""
    assert judged_second(wire, peer, T0, timedelta(minutes=5)).kind != "duplicate"
    assert link_reason(pool, japanese) == "one company's forecast revised up in both"
    # A cut is not the raise: "Screen cuts profit forecast" would be another revision.
    assert link_reason(wire, fingerprint_texts([("Screen Holdings cuts annual profit forecast",
                                                 "")], encoder)[0]) == ""  # fmt: skip


def test_two_operators_counting_their_homes_otherwise_are_two_rollouts(encoder) -> None:
    # One template in one script, two unknown operators and two counts: two events, whatever
    # stage ("導入") both headlines state.
    first, second = fingerprint_texts(
        [
            ("介護大手さくらんぼケア、ＡＩ見守りロボを85施設に導入 夜間の転倒検知",
             "介護大手のさくらんぼケアは、ＡＩで夜間の転倒を検知する見守りロボットを85施設に"
             "導入すると発表した。"),
            ("ひなたライフケア、AI見守りロボを230施設に 夜勤の負担軽減",
             "介護施設を運営するひなたライフケアは、ＡＩで入居者を見守るロボットを230施設に導入する"
             "と発表した。"),
        ],
        encoder,
    )  # fmt: skip
    assert apart_reason(first, second) == "other counts (85 facilities, not 230)"
    assert judged_second(first, second, T0, timedelta(minutes=30)).kind != "duplicate"
