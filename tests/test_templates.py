"""Stories of one template about other subjects stay apart; a copy of one story still folds.

The fixtures are written for these tests (fictional events about invented and real
institutions), not taken from any data set.
"""

from __future__ import annotations

from datetime import UTC, datetime

from conftest import judged_second

from monitor.eventkeys import head_counts, headline_subject, template_difference
from monitor.eventrules import link_reason
from monitor.novelty import fingerprint_texts

T0 = datetime(2027, 6, 2, 2, 0, tzinfo=UTC)

# A wire's template, two regional banks 25 minutes apart.
KAMOME = (
    "Kamome Bank to Use AI to Cut SME Loan Screening to 2 Days",
    "TOKYO, June 2 (Jiji Press)--Kamome Bank said Wednesday that it will introduce artificial "
    "intelligence to screen loans to small and midsize companies from July, cutting the review "
    "period to two days from about 10 days.",
)
TSUBAME = (
    "Tsubame Bank to Use AI to Cut SME Loan Screening to 3 Days",
    "TOKYO, June 2 (Jiji Press)--Tsubame Bank said Wednesday that it will introduce artificial "
    "intelligence to screen loans to small and midsize companies from August, cutting the "
    "review period to three days from about 12 days.",
)
# Two cities, one template: other subjects, other counts.
NARA_JA = ("奈良市 職員3200人に生成AI導入へ 6月から", "奈良市は全職員3200人に生成AIを導入する。")
OTSU_JA = ("大津市 職員2800人に生成AI導入へ 7月から", "大津市は全職員2800人に生成AIを導入する。")
# A syndicated copy of the first: its outlet's title case and suffix.
KAMOME_COPY = (
    "Kamome Bank To Use AI To Cut SME Loan Screening To 2 Days - Jiji Press",
    KAMOME[1],
)


def test_a_headline_opens_on_its_subject() -> None:
    assert headline_subject(KAMOME[0]) == "kamome bank"
    assert headline_subject("UPDATE 1-SoftBank to buy chip designer") == "softbank"
    assert headline_subject("【速報】奈良市、生成AIを導入") == "奈良市"
    assert headline_subject("「AI」で変わる職場") == ""
    # Counts are no money: Kyodo's "bil." and the Korean and Chinese scales are money.
    assert head_counts("Kobe to give AI to all 9,500 staff") == {9500}
    assert head_counts("SoftBank to buy U.S. firm for 510 bil. yen") == frozenset()
    assert head_counts("코어위브, 일본에 42억달러 투자") == frozenset()


def test_one_template_about_other_subjects_or_counts_is_other_events() -> None:
    assert template_difference(KAMOME[0], TSUBAME[0]).startswith("another subject")
    assert template_difference(NARA_JA[0], OTSU_JA[0]).startswith("another subject")
    assert template_difference(
        "Nara to give generative AI to all 3,200 city staff",
        "Nara to give generative AI to all 2,800 city staff",
    ).startswith("other counts")
    # A copy, and two reports of one story told differently, are no template of two.
    assert template_difference(KAMOME[0], KAMOME_COPY[0]) == ""
    assert not template_difference(
        "Equinix to invest $2.5 billion in Osaka AI data centers",
        "U.S. firm Equinix to invest 395 bil. yen in Osaka",
    )


def test_templated_stories_are_never_folded_as_copies(encoder) -> None:
    kamome, tsubame, copy, nara, otsu = fingerprint_texts(
        [KAMOME, TSUBAME, KAMOME_COPY, NARA_JA, OTSU_JA], encoder
    )
    apart = judged_second(kamome, tsubame, T0)
    assert apart.kind == "new", apart.reason
    assert "another subject" in apart.reason
    assert judged_second(nara, otsu, T0).kind == "new"
    folded = judged_second(kamome, copy, T0)
    assert (folded.kind, folded.matched) == ("duplicate", "first")


# One prefecture's news in two languages: the place opens both headlines, the sum and the
# count agree; the country is no such place.
NARA_PREF_EN = (
    "Nara Pref. to spend 600 mil. yen on generative AI for all 7,000 staff",
    "NARA (Kyodo) -- Nara Prefecture will spend 600 million yen to give generative AI to all "
    "of its some 7,000 employees by fiscal 2028.",
)
NARA_PREF_JA = ("奈良県、全職員7000人に生成AI 6億円", "奈良県は全職員7000人に生成AIを導入する。")


def test_one_places_news_in_two_languages_is_one_event(encoder) -> None:
    en, ja, yields, services = fingerprint_texts(
        [
            NARA_PREF_EN,
            NARA_PREF_JA,
            ("Japan 10-Year Yield Rises to 1.9% Ahead of Bond Auction", "Yields rose."),
            ("Japan Services Activity Grows at Fastest Pace in 10 Months", "Activity grew."),
        ],
        encoder,
    )
    assert link_reason(en, ja) == "the headlines state one amount of one place"
    folded = judged_second(en, ja, T0)
    assert (folded.kind, folded.matched) == ("duplicate", "first")
    assert link_reason(yields, services) == ""  # "10" in both, and Japan is no local government


def test_a_hyphenated_subject_names_each_of_its_companies() -> None:
    assert not template_difference(
        "SoftBank-OpenAI venture to supply AI agents to Tokyo government staff",
        "SoftBank, OpenAI venture to provide AI agents to Tokyo metro gov't staff",
    )
