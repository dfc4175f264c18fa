"""English and Japanese reports of one event fold; templated stories about others do not.

The fixtures are written for these tests (fictional events about real companies), not
taken from any data set.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from conftest import judged_second

from monitor import similarity as sim
from monitor.counted import counted
from monitor.eventrules import LINK_HOURS, apart_reason, link_reason
from monitor.facts import market_move, session, session_by_clock
from monitor.namesakes import entity_kin, shared_site
from monitor.novelty import NoveltyIndex, compare, fingerprint_texts

T0 = datetime(2026, 10, 6, 6, 0, tzinfo=UTC)

RENESAS_EN = (
    "Renesas to spend 500 billion yen on Kofu plant as AI lifts power chip demand",
    "TOKYO, Oct 6 (Reuters) - Renesas Electronics will invest 500 billion yen to expand its "
    "Kofu factory in Yamanashi prefecture, the chipmaker said on Tuesday, betting that data "
    "centres built for artificial intelligence will need more of its power management chips. "
    "Production on the new line is due to start in 2028.",
)
RENESAS_JA = (
    "ルネサス、甲府工場に5000億円投資 AIデータセンター向け半導体を増産",
    "ルネサスエレクトロニクスは6日、山梨県の甲府工場に5000億円を投じて生産能力を増強すると発表した。"
    "人工知能（AI）向けデータセンターで需要が伸びる電源管理用の半導体を増産する。"
    "新ラインは2028年の稼働を目指す。",
)
# The same template, another company and amount (a rival's plan the same week).
HITACHI_JA = (
    "日立、AIデータセンター向け設備に3000億円投資 電力機器を増産",
    "日立製作所は6日、AI向けデータセンターで需要が伸びる電力機器の増産に3000億円を投じると発表した。"
    "国内2工場の生産能力を増強し、2028年の稼働を目指す。",
)
# Another company, the same amount: still another story.
FUJITSU_JA = (
    "富士通、甲府に5000億円投資 AIデータセンターを新設",
    "富士通は6日、山梨県甲府市に5000億円を投じてAI向けデータセンターを新設すると発表した。"
    "2028年の稼働を目指す。",
)
SBCORP_EN = (
    "SoftBank Corp to add 80 billion yen to Sakai AI data centre",
    "SoftBank Corp, the Japanese telecoms arm of SoftBank Group, said on Tuesday it would invest "
    "an extra 80 billion yen in its artificial intelligence data centre in Sakai, Osaka, to "
    "train large language models, bringing the project's total cost to 230 billion yen.",
)
SBCORP_JA = (
    "ソフトバンク、堺のAIデータセンターに800億円追加投資",
    "ソフトバンクは6日、大阪府堺市のAIデータセンターに800億円を追加投資すると発表した。"
    "大規模言語モデルの開発に使う計算基盤を増強する。総事業費は2300億円となる。",
)
CLOSE_EN = (
    "Japan's Nikkei ends higher as Renesas, chip stocks rally",
    "TOKYO, Oct 6 (Reuters) - Japan's Nikkei share average closed 1.1% higher on Tuesday as "
    "chip stocks rallied, led by Renesas Electronics after it announced a 500 billion yen "
    "plant expansion. The broader Topix rose 0.6%.",
)
CLOSE_JA = (
    "日経平均大引け、続伸 ルネサスが急伸",
    "6日の東京株式市場で日経平均株価は続伸し、前日比510円高で取引を終えた。"
    "甲府工場への大型投資を発表したルネサスエレクトロニクスが急伸し、半導体株が相場を押し上げた。",
)
MIDDAY_EN = (
    "Japan's Nikkei rises in morning trade as Renesas jumps on expansion plan",
    "TOKYO, Oct 6 (Reuters) - Japan's Nikkei share average rose 0.9% in morning trade on "
    "Tuesday, as Renesas Electronics jumped after announcing a 500 billion yen plant "
    "expansion and other chip stocks followed.",
)


def test_english_and_japanese_reports_of_one_investment_fold(encoder):
    en, ja = fingerprint_texts([RENESAS_EN, RENESAS_JA], encoder)
    assert en.lang != ja.lang
    assert "one amount of one company" in link_reason(en, ja)
    assert compare(en, ja).verdict == "same story"
    novelty = judged_second(en, ja, T0)
    assert novelty.kind == "duplicate"
    assert novelty.matched == "first"
    # What made it one story is said in words (the pair model's figures alone say less).
    assert "one event: the headlines state one amount of one company" in novelty.reason


def test_templated_stories_about_other_companies_or_amounts_stay_apart(encoder):
    en, hitachi, fujitsu = fingerprint_texts([RENESAS_EN, HITACHI_JA, FUJITSU_JA], encoder)
    assert link_reason(en, hitachi) == ""  # another company and amount
    assert link_reason(en, fujitsu) == ""  # the same amount, another company
    for other in (hitachi, fujitsu):
        assert compare(en, other).verdict not in ("copy", "same story")
        assert judged_second(en, other, T0).kind == "new"


def test_a_companys_short_japanese_name_is_its_namesakes_too(encoder):
    # ソフトバンク is SoftBank Corp in a Japanese paper; the table gives it to the group.
    assert "softbank-corp" in entity_kin("softbank-group")
    assert entity_kin("mizuho") == frozenset()
    en, ja = fingerprint_texts([SBCORP_EN, SBCORP_JA], encoder)
    assert en.head_entities[0] != ja.head_entities[0]
    assert sim.principal_conflict(
        en.head_entities, en.lead_entities, ja.head_entities, ja.lead_entities
    ) == 0  # fmt: skip
    assert judged_second(en, ja, T0).kind == "duplicate"


def test_a_link_is_for_reports_of_one_day(encoder):
    en, ja = fingerprint_texts([RENESAS_EN, RENESAS_JA], encoder)
    assert link_reason(en, ja, LINK_HOURS + 1) == ""


def test_markets_and_their_moves_are_read_from_headlines() -> None:
    assert market_move(CLOSE_EN[0]) == ("tokyo stocks", "up")
    assert market_move(CLOSE_JA[0]) == ("tokyo stocks", "up")
    assert market_move("日経平均は反落、ＳＢＧやアドテストが重し") == ("tokyo stocks", "down")
    # The market's own move comes first; a stock's follows.
    assert market_move("Nikkei slips as Renesas jumps") == ("tokyo stocks", "down")
    assert market_move("日経平均大引け、反落 ルネサスが急伸") == ("tokyo stocks", "down")
    assert market_move(RENESAS_EN[0]) == ("", "")
    # Reuters' Japanese wrap names the market by its session's label; a company is no market.
    assert market_move("東京株式（前引け）＝反発、半導体株が押し上げ") == ("tokyo stocks", "up")
    assert market_move("東京株式会社、AI翻訳を導入") == ("", "")
    # A move pared says no way: the market may still have closed lower, so it is no conflict.
    assert market_move("Japan's Nikkei pares losses as chip stocks rebound") == ("tokyo stocks", "")
    assert market_move("日経平均、下げ幅縮小 半導体株が反発") == ("tokyo stocks", "")
    assert session("後場の東京株式市場で日経平均は上げ幅を拡大した") == "afternoon"
    assert session("日経平均は反落し取引を終えた。後場は売りが先行した") == "close"


def test_the_close_folds_across_languages_past_a_closer_report_of_another_session(encoder):
    close_en, close_ja, midday = fingerprint_texts([CLOSE_EN, CLOSE_JA, MIDDAY_EN], encoder)
    assert (close_en.session, close_ja.session, midday.session) == ("close", "close", "midday")
    assert "close report of one day" in link_reason(close_en, close_ja)
    # Opposite moves are two days' closes, not one.
    lower = (CLOSE_JA[0].replace("続伸", "反落"), CLOSE_JA[1])
    (close_lower,) = fingerprint_texts([lower], encoder)
    assert link_reason(close_en, close_lower) == ""
    # The midday report reads closer to the English close than the Japanese close does;
    # it is ruled apart (another session), and the Japanese close is still found.
    index = NoveltyIndex()
    index.add("midday", T0, midday)
    index.add("close-ja", T0 + timedelta(hours=3), close_ja)
    later = T0 + timedelta(hours=4)
    novelty = index.judge(close_en, later, later)
    assert novelty.kind == "duplicate"
    assert novelty.matched == "close-ja"
    assert "one event: one market's close report of one day (tokyo stocks)" in novelty.reason


# Bloomberg's Tokyo wrap names no session: its time says which one it reports.
WRAP_EN = (
    "Japan Stocks Climb as Renesas Leads Chipmakers Higher",
    "Japanese stocks rose, with Renesas Electronics leading chipmakers higher after it unveiled "
    "a 500 billion yen plan to expand its Kofu plant.",
)


def test_a_market_report_naming_no_session_is_of_the_session_its_time_says(encoder):
    wrap, close_en, midday = fingerprint_texts([WRAP_EN, CLOSE_EN, MIDDAY_EN], encoder)
    assert wrap.session == "" and midday.session == "midday" and close_en.session == "close"
    lunch, evening = (
        T0.replace(hour=2, minute=40),
        T0.replace(hour=7, minute=10),
    )  # JST 11:40, 16:10
    index = NoveltyIndex()
    index.add("midday", lunch, midday)
    # Published after the close, the wrap is the close's report, not the midday one again ...
    after = index.judge(wrap, evening, evening + timedelta(hours=1))
    assert after.kind != "duplicate", after.reason
    # ... and one market's close of that day, as the wire's close report is.
    clocked = replace(wrap, session=session_by_clock(evening))
    assert clocked.session == "close"
    assert "one market's close report" in link_reason(clocked, close_en, 0.3)
    assert session_by_clock(lunch) == "midday"
    assert session_by_clock(T0.replace(hour=1)) == ""  # 10:00 in Tokyo: trading goes on
    assert session_by_clock(evening + timedelta(days=4)) == ""  # a Saturday


# No number at all: only the company's name, in both scripts, ties the two reports.
MISTRAL_EN = (
    "Mistral AI opens Tokyo office to build Japanese language models",
    "TOKYO, June 3 (Reuters) - French artificial intelligence start-up Mistral AI said on "
    "Wednesday it had opened an office in Tokyo, its first in Asia, where engineers will train "
    "models for Japanese business customers. It did not say how many staff it would hire.",
)
MISTRAL_JA_HEADLINE = "仏ミストラル、東京にアジア初の拠点 日本企業向けAI開発"
MISTRAL_JA_MODEL = (
    "仏ミストラルAI、新型モデル「ラージ4」を公開 推論性能を向上",
    "フランスのAI新興企業ミストラルAIは3日、新しい大規模言語モデル「ラージ4」を公開した。"
    "推論性能を高め、企業向けに提供する。",
)


def test_two_languages_of_one_company_fold_on_a_headline_alone(encoder):
    # A headline-only Japanese copy scores 0.6-0.7 against the English report: above one
    # language's same-story threshold, below the stricter one of two. The shared principal
    # (ミストラル = Mistral AI) is what lets it fold; another event of the company does not.
    en, ja, other = fingerprint_texts(
        [MISTRAL_EN, (MISTRAL_JA_HEADLINE, MISTRAL_JA_HEADLINE), MISTRAL_JA_MODEL], encoder
    )
    same = compare(en, ja)
    assert sim.load_model().same_story <= same.same_story < sim.load_model().same_story_cross
    assert same.verdict == "same story"
    folded = judged_second(en, ja, T0)
    assert folded.kind == "duplicate"
    assert "one company in both languages" in folded.reason
    assert compare(en, other).verdict not in ("copy", "same story")
    assert judged_second(en, other, T0).kind == "new"


def test_sharing_the_beats_own_company_lowers_no_threshold(encoder):
    # Nearly every story of the digest names SoftBank: two languages naming it are held to
    # the stricter threshold.
    en = fingerprint_texts([MISTRAL_EN], encoder)[0]
    a = replace(en, head_entities=("softbank-group",), lead_entities=("softbank-group",))
    b = replace(
        fingerprint_texts([(MISTRAL_JA_HEADLINE, MISTRAL_JA_HEADLINE)], encoder)[0],
        head_entities=("softbank-group",), lead_entities=("softbank-group",),
    )  # fmt: skip
    assert compare(a, b).verdict != "same story"


def test_the_principals_floor_is_for_two_languages_only(encoder):
    # One language, one company, two of its events: `compare` holds the pair to one
    # language's threshold, as the judge does (0.49 here: not one story).
    office, hire = fingerprint_texts(
        [
            ("Mistral AI picks Tokyo for first Asian office",) * 2,
            ("Mistral AI hires Tokyo country head", "Mistral AI named a country head for Japan."),
        ],
        encoder,
    )
    similar = compare(office, hire)
    assert sim.PRINCIPAL_SAME_STORY <= similar.same_story < sim.load_model().same_story
    assert similar.verdict != "same story"
    assert judged_second(office, hire, T0).kind == "new"


# A regional bank's plan in English and Japanese, no figure of money in either headline: the
# pair model's same-story score (0.76) alone must fold it.
LOANS_EN = (
    "Kawaguchi Bank to use AI to screen small-business loans in two days",
    "TOKYO -- Kawaguchi Bank will use generative AI to cut screening of loans to small "
    "businesses to two days from two weeks, starting in April, the regional lender said on Monday.",
)
LOANS_JA = (
    "川口銀行、中小企業融資の審査にAI 2日に短縮",
    "川口銀行は、中小企業向け融資の審査に生成AIを導入し、審査期間を2週間から2日に短縮すると発表した。"
    "4月から始める。",
)


def test_a_translation_the_model_scores_likely_one_story_folds(encoder):
    en, ja = fingerprint_texts([LOANS_EN, LOANS_JA], encoder)
    verdict = compare(en, ja)
    assert sim.load_model().same_story_cross <= verdict.same_story < 0.78
    novelty = judged_second(en, ja, T0, timedelta(minutes=40))
    assert novelty.kind == "duplicate", novelty.reason
    assert "translated" in novelty.reason


# A ministry's grant: Japanese copy opens on the ministry, English on the university it picked.
GRANT_JA = (
    "文科省、東北大のAI材料研究拠点に10年で64億円",
    "文部科学省は9日、AIを使った新材料研究の拠点に東北大学を選び、10年間で64億円を支援すると"
    "発表した。",
)
GRANT_EN = (
    "Tohoku University picked for 6.4 bil. yen AI materials research hub",
    "SENDAI (Kyodo) -- Tohoku University will receive 6.4 billion yen over 10 years to run a "
    "research hub that uses artificial intelligence to find new materials.",
)
OTHER_GRANT_EN = (
    "Hokkaido University picked for 3.9 bil. yen AI agriculture research hub",
    "SAPPORO (Kyodo) -- Hokkaido University will receive 3.9 billion yen over 10 years to run "
    "a research hub that uses artificial intelligence for farming.",
)


def test_a_ministrys_grant_and_its_grantee_first_are_one_story(encoder):
    ja, en, other = fingerprint_texts([GRANT_JA, GRANT_EN, OTHER_GRANT_EN], encoder)
    assert "mext" in ja.head_entities and "mext" not in en.lead_entities
    folded = judged_second(ja, en, T0)
    assert folded.kind == "duplicate", folded.reason
    assert "one amount" in folded.reason
    assert judged_second(ja, other, T0).kind == "new"


# A city's news in two languages: the city, named in both headlines, ties them.
SENDAI_DEEPFAKE_JA = (
    "仙台市長の偽音声がSNSで拡散 生成AIで作成か 市が警察に相談",
    "仙台市は6日、市長が増税を表明したように聞こえる偽の音声がSNSで拡散していると発表した。"
    "生成AIで作られたとみられ、市は警察に相談した。",
)
SENDAI_DEEPFAKE_EN = (
    "Sendai warns residents over deepfake mayor clip",
    "SENDAI (Jiji Press) -- The city of Sendai urged residents on Thursday not to share a video "
    "clip circulating online in which its mayor appears to announce higher taxes. City officials "
    "believe the clip was created with generative AI.",
)
SENDAI_STAFF_AI_JA = (
    "仙台市、全職員に生成AIを導入 議事録の作成を効率化",
    "仙台市は6日、全職員約1万人が使える生成AIを来月から導入すると発表した。"
    "議事録の作成や問い合わせ対応に使う。",
)


def test_two_languages_naming_one_city_in_their_headlines_fold(encoder):
    # The encoder scores the pair 0.36 across languages, below the threshold of two
    # languages; the city both headlines name lowers it to the principal's floor.
    ja, en, staff = fingerprint_texts(
        [SENDAI_DEEPFAKE_JA, SENDAI_DEEPFAKE_EN, SENDAI_STAFF_AI_JA], encoder
    )
    same = compare(ja, en)
    assert sim.PRINCIPAL_SAME_STORY <= same.same_story < sim.load_model().same_story_cross
    assert same.verdict == "same story"
    folded = judged_second(ja, en, T0)
    assert folded.kind == "duplicate"
    assert "one place (sendai) in both languages" in folded.reason
    # The city's other news the same day stays a story of its own.
    assert compare(staff, en).verdict not in ("copy", "same story")
    assert judged_second(staff, en, T0).kind == "new"


def test_the_capital_is_no_shared_site():
    # Most of the beat's news is made in Tokyo: naming it says nothing of one event.
    assert shared_site("仙台市長の偽音声がSNSで拡散", "Sendai warns over deepfake") == "sendai"
    assert shared_site("東京都知事の偽音声がSNSで拡散", "Tokyo warns over deepfake") == ""
    # A city and its prefecture are one place.
    assert shared_site("Miyagi Pref. to trial AI buses", "仙台でAIバス実験") == "miyagi"


# One template, two hospital groups: only the count tells them apart across scripts.
STROKE_TRIAL_EN = (
    "Minato Medical begins AI stroke triage trial at 9 hospitals",
    "TOKYO (Kyodo) -- Minato Medical said Monday it has begun a trial of an artificial "
    "intelligence system that reads brain scans to flag possible strokes for emergency doctors, "
    "at nine of its hospitals in the Tokai region.",
)
STROKE_TRIAL_OTHER_JA = (
    "ひなた医療会、ＡＩで脳卒中を判定 １４病院で試験運用",
    "ひなた医療会は１５日、脳の画像から脳卒中の恐れをＡＩが判定し救急医に知らせる仕組みの"
    "試験運用を、九州の１４病院で始めたと発表した。",
)
STROKE_TRIAL_JA = (
    "みなと医療、ＡＩで脳卒中を判定 ９病院で試験運用",
    "みなと医療は１５日、脳の画像から脳卒中の恐れをＡＩが判定し救急医に知らせる仕組みの"
    "試験運用を、東海地方の９病院で始めたと発表した。",
)


def test_two_languages_counting_one_thing_differently_are_two_events(encoder):
    en, other, same = fingerprint_texts(
        [STROKE_TRIAL_EN, STROKE_TRIAL_OTHER_JA, STROKE_TRIAL_JA], encoder
    )
    # The encoder reads the template: 0.86 for either Japanese report.
    apart = compare(en, other)
    assert apart.same_story >= sim.load_model().same_story_cross
    assert apart.verdict not in ("copy", "same story")
    assert judged_second(other, en, T0).kind == "new"
    assert "other counts (9 hospitals, not 14)" in apart_reason(en, other)
    # The same trial, counted alike ("9 hospitals", "９病院"), is one story.
    assert compare(en, same).verdict == "same story"
    assert judged_second(same, en, T0).kind == "duplicate"


def test_counts_of_one_thing_read_alike_in_both_languages():
    assert counted("Seven-Eleven to put AI cameras in all 21,000 stores") == {("stores", 21000)}
    assert counted("セブン、全2万1000店にAIカメラ") == {("stores", 21000)}
    assert counted("Sony to hire 500 AI engineers") == {("people", 500)}
    assert counted("広島県、全職員1万2000人に生成AI 12億円") == {("people", 12000)}
    # Money before the thing is no count of it.
    assert counted("Clinic chain to spend 12 billion yen on hospitals") == frozenset()


def test_a_union_federations_demand_folds_across_languages(encoder) -> None:
    # The spring wage talks' actors are Japan's union federations and employers' groups: the
    # English report names the federation in its lead, the Japanese one in its headline.
    english, japanese = fingerprint_texts(
        [
            ("Electronics unions to seek say in AI deployment in spring wage talks",
             "TOKYO (Kyodo) -- The Japanese Electrical Electronic & Information Union, or Denki "
             "Rengo, said Tuesday it will ask employers for prior consultation before introducing "
             "artificial intelligence that changes jobs, alongside a monthly base pay demand of "
             "17,000 yen."),
            ("電機連合 春闘でＡＩ導入の事前協議を要求へ ベア月１万７０００円",
             "電機連合は６日、今年の春闘で、仕事の内容を変えるＡＩの導入について事前協議を求める"
             "方針を決めました。ベースアップは月１万７０００円を要求します。"),
        ],
        encoder,
    )  # fmt: skip
    assert "denki-rengo" in english.lead_entities and "denki-rengo" in japanese.head_entities
    assert judged_second(english, japanese, T0, timedelta(hours=5)).kind == "duplicate"
