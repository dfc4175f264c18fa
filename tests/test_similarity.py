"""Same-story judgement: amounts across units and scripts, the fitted model, and the folds a
reader notices (a Japanese report of an English story, templated wire stories, syndicated
copies behind page chrome)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from conftest import judged_second
from hypothesis import given
from hypothesis import strategies as st

from monitor import similarity as sim
from monitor.facts import Fact, agreement, amounts, same_value
from monitor.novelty import (
    Fingerprint,
    StaleFingerprint,
    compare,
    fingerprint_texts,
    pair_features,
)

T0 = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)

# --- amounts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("$40 billion", Fact("USD", 4e10)),
        ("$40bln", Fact("USD", 4e10)),
        ("US$40bn", Fact("USD", 4e10)),
        ("400億ドル", Fact("USD", 4e10)),
        ("400亿美元", Fact("USD", 4e10)),
        ("2億ドル", Fact("USD", 2e8)),
        ("$200 million", Fact("USD", 2e8)),
        ("3,740億円", Fact("JPY", 3.74e11)),
        ("３，７４０億円", Fact("JPY", 3.74e11)),
        ("¥374 billion", Fact("JPY", 3.74e11)),
        ("374 billion yen", Fact("JPY", 3.74e11)),
        ("1兆5000億円", Fact("JPY", 1.5e12)),
        ("50 bln yen", Fact("JPY", 5e10)),
        ("€3.2m", Fact("EUR", 3.2e6)),
        ("3.5%", Fact("%", 3.5)),
        ("3.5 percent", Fact("%", 3.5)),
        ("３．５％", Fact("%", 3.5)),
        ("Aug. 20", Fact("date", 820)),
        ("August 20th", Fact("date", 820)),
        ("8月20日", Fact("date", 820)),
    ],
)
def test_amounts_are_normalised_across_units_scales_and_scripts(text, fact):
    assert amounts(f"Reported on Tuesday: {text} in all.") == [fact]


def test_bare_numbers_are_not_facts():
    assert amounts("In 2026, 40 people met 3 times.") == []


@given(
    st.integers(min_value=1, max_value=9999),
    st.sampled_from([("million", "mln", 1e6), ("billion", "bln", 1e9), ("billion", "bn", 1e9)]),
)
def test_long_and_short_scale_words_agree(n, scale):
    word, short, factor = scale
    (a,) = amounts(f"a ${n} {word} deal")
    (b,) = amounts(f"a ${n}{short} deal")
    assert a == b == Fact("USD", n * factor)


@given(st.integers(min_value=1, max_value=99_999))
def test_oku_yen_equals_the_english_scale(n):
    (ja,) = amounts(f"{n:,}億円を投資")
    (en,) = amounts(f"invest {n * 100 / 1000:g} billion yen")
    assert same_value(ja, en)


def test_agreement_counts_shared_and_conflicting_units():
    a = [Fact("JPY", 3.74e11), Fact("%", 5.0)]
    b = [Fact("JPY", 5e10), Fact("%", 5.0)]
    assert agreement(a, b) == (1, 1)


# --- the model -----------------------------------------------------------------------


def test_shipped_model_loads_and_is_monotone_in_the_encoder_views():
    model = sim.load_model()
    rows = np.zeros((11, len(sim.FEATURES)))
    rows[:, 0] = rows[:, 1] = np.linspace(0.0, 1.0, 11)
    similarity, story = model.score(rows)
    assert similarity.min() >= 0.0 and similarity.max() <= 1.0
    assert similarity[-1] > similarity[0] + 0.5
    assert story[-1] > story[0]


def test_a_conflicting_headline_amount_lowers_the_same_story_probability():
    model = sim.load_model()
    row = np.zeros((2, len(sim.FEATURES)))
    row[:, :5] = (0.8, 0.8, 0.6, 0.5, 0.5)
    row[1, sim.FEATURES.index("amt_conflict")] = 1
    _, story = model.score(row)
    assert story[1] < story[0]


def test_a_model_for_other_features_is_refused():
    text = sim.load_model().to_json().replace('"cos_head"', '"cos_body"', 1)
    with pytest.raises(ValueError, match="refit"):
        sim.model_from_json(text)


def test_language_guess_separates_scripts_and_latin_languages():
    assert sim.language("SoftBank said on Tuesday that the fund was closed.") == "en"
    assert (
        sim.language("Die Bank hat am Dienstag mitgeteilt, dass der Fonds geschlossen ist.") == "de"
    )
    assert sim.language("ソフトバンクは火曜日、ファンドを閉じたと発表した。") == "ja"
    assert sim.language("软银周二表示，该基金已经关闭。") == "zh"


# --- folds a reader notices ---------------------------------------------------------------

CHIP_EN = (
    "Tokyo Electron to spend 1.5 trillion yen on R&D as AI chip demand soars",
    "Tokyo Electron said on Thursday it will spend 1.5 trillion yen on research and development "
    "over the next five years, a record for the chip equipment maker, as demand for tools used to "
    "make artificial intelligence chips surges. The company also raised its operating profit "
    "target for the fiscal year to March 2027 and said it would hire 10,000 engineers in Japan, "
    "mainly at its plants in Miyagi and Kumamoto.",
)
CHIP_JA = (
    "東京エレクトロン、研究開発に1兆5000億円　AI半導体需要で過去最高",
    "半導体製造装置大手の東京エレクトロンは木曜日、今後5年間で研究開発に過去最高となる1兆5000億円を"
    "投じると発表した。人工知能（AI）向け半導体をつくる装置の需要が急増していることに対応する。"
    "2027年3月期の営業利益目標も引き上げ、宮城と熊本の工場を中心に国内で技術者1万人を採用する方針。",
)
CHIP_DE = (
    "Tokyo Electron investiert 1,5 Billionen Yen in Forschung, weil die Nachfrage nach KI-Chips "
    "steigt",
    "Tokyo Electron hat am Donnerstag angekündigt, in den nächsten fünf Jahren 1,5 Billionen Yen "
    "in Forschung und Entwicklung zu investieren, ein Rekord für den Hersteller von "
    "Chip-Anlagen, da die Nachfrage nach Werkzeugen für Chips der künstlichen Intelligenz "
    "stark steigt. Das Unternehmen hob zudem sein Ziel für den operativen Gewinn im Geschäftsjahr "
    "bis März 2027 an und will in Japan 10.000 Ingenieure einstellen, vor allem in seinen Werken "
    "in Miyagi und Kumamoto.",
)
TEMPLATE_A = (
    "Japan backs Fujitsu with 120 billion yen for AI supercomputer",
    "Japan's industry ministry will provide Fujitsu with up to 120 billion yen to build a "
    "supercomputer for artificial intelligence research, the ministry said on Friday, part of a "
    "push to secure domestic computing power for generative AI.",
)
TEMPLATE_B = (
    "Japan backs Sakura Internet with 45 billion yen for AI supercomputer",
    "Japan's industry ministry will provide Sakura Internet with up to 45 billion yen to build a "
    "supercomputer for artificial intelligence research, the ministry said on Friday, part of a "
    "push to secure domestic computing power for generative AI.",
)
BOND = (
    "SoftBank Group prices $6 billion of hybrid notes to fund OpenAI stake",
    "SoftBank Group has priced $6 billion of hybrid notes in dollars and euros, it said on "
    "Wednesday, adding to the cash it is raising for its investment in OpenAI. The notes pay "
    "coupons of 7.5% to 8% and can be called after six years.",
)
BOND_SYNDICATED = (
    "SoftBank Group prices $6bln of hybrid notes to fund OpenAI stake",
    "Skip to main content\nMarkets\nBusiness\nSign in\nSubscribe\nShare this article\n"
    "SoftBank Group has priced $6bln of hybrid notes in dollars and euros, it said on "
    "Wednesday, adding to the cash it is raising for its investment in OpenAI. The notes pay "
    "coupons of 7.5% to 8% and can be called after six years.",
)


def test_japanese_report_of_an_english_story_folds(encoder):
    english, japanese = fingerprint_texts([CHIP_EN, CHIP_JA], encoder)
    similarity = compare(japanese, english)
    assert similarity.verdict == "same story"
    novelty = judged_second(english, japanese, T0, timedelta(hours=2))
    assert (novelty.kind, novelty.matched) == ("duplicate", "first")
    assert "translated" in novelty.reason


def test_a_german_report_of_an_english_story_folds_and_is_in_the_same_script(encoder):
    # Across languages of one script the shared names (Tokyo Electron, Miyagi, Kumamoto)
    # count; across scripts they are never compared.
    english, japanese, german = fingerprint_texts([CHIP_EN, CHIP_JA, CHIP_DE], encoder)
    cross, script = sim.FEATURES.index("cross"), sim.FEATURES.index("cross_script")
    assert pair_features(german, english)[[cross, script]].tolist() == [1.0, 0.0]
    assert pair_features(japanese, english)[[cross, script]].tolist() == [1.0, 1.0]
    assert compare(german, english).verdict == "same story"


def test_templated_reports_about_other_companies_and_amounts_do_not_fold(encoder):
    a, b = fingerprint_texts([TEMPLATE_A, TEMPLATE_B], encoder)
    similarity = compare(b, a)
    assert similarity.lexical >= 0.5  # most of the wording is shared
    assert similarity.verdict in ("related", "different")
    assert judged_second(a, b, T0, timedelta(hours=2)).kind == "new"


def test_same_headline_with_bln_and_page_chrome_folds_as_a_copy(encoder):
    original, syndicated = fingerprint_texts([BOND, BOND_SYNDICATED], encoder)
    assert original.head_amounts == syndicated.head_amounts == (Fact("USD", 6e9),)
    similarity = compare(syndicated, original)
    assert similarity.verdict in ("copy", "same story")
    novelty = judged_second(original, syndicated, T0, timedelta(hours=2))
    assert (novelty.kind, novelty.matched) == ("duplicate", "first")


def test_version_1_fingerprints_are_reported_stale(encoder):
    (fp,) = fingerprint_texts([BOND], encoder)
    blob = bytearray(fp.to_bytes())
    blob[4] = 1
    with pytest.raises(StaleFingerprint):
        Fingerprint.from_bytes(bytes(blob))


def test_a_state_with_version_1_fingerprints_still_folds_a_copy(cli, project):
    # A database written by an older monitor: every stored fingerprint says version 1.
    import shutil
    import sqlite3

    assert cli("run-once").exit_code == 0
    with sqlite3.connect(project / "state" / "monitor.db") as db:
        rows = db.execute("SELECT id, fingerprint FROM items WHERE fingerprint IS NOT NULL")
        for item_id, blob in rows.fetchall():
            old = bytearray(blob)
            old[4] = 1
            db.execute("UPDATE items SET fingerprint = ? WHERE id = ?", (bytes(old), item_id))
    (seed_003,) = (project / "seeds").glob("003_*.txt")
    shutil.copy(seed_003, project / "seeds" / "006_republished.txt")
    # The stored reports are fingerprinted again from their text, so the copy is folded.
    assert preview_json(cli)["stories"] == []


def preview_json(cli) -> dict:
    import json

    result = cli("preview", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_judges_vectorised_scorer_gives_the_per_pair_features_scores_and_verdicts(encoder):
    # NoveltyIndex.judge scores all candidates of a query at once; compare() one pair at a time.
    from dataclasses import replace

    from monitor.novelty import pair_features_many, similarities_of

    texts = [CHIP_EN, CHIP_JA, TEMPLATE_A, TEMPLATE_B, BOND, BOND_SYNDICATED]
    prints = fingerprint_texts(texts, encoder)
    # Views a headline-only entry or an older record leaves empty: no headline, no 3-grams.
    prints.append(replace(prints[4], headline="", minhash3=bytes(128), lead_entities=()))
    for query in prints:
        many = pair_features_many(query, prints)
        one = np.stack([pair_features(query, other) for other in prints])
        np.testing.assert_allclose(many, one, rtol=0, atol=1e-6)
        for fast, slow in zip(
            similarities_of(many), [compare(query, o) for o in prints], strict=True
        ):
            assert fast.verdict == slow.verdict
            assert fast.same_story == pytest.approx(slow.same_story, abs=1e-6)
            assert fast.score == pytest.approx(slow.score, abs=1e-6)
    assert {s.verdict for s in similarities_of(pair_features_many(prints[4], prints))} >= {
        "copy",
        "different",
    }


def test_the_spline_basis_is_one_ramp_per_knot_interval_and_cross_language_copies_of_some():
    # The reference: each ramp clip(v - lo, 0, hi - lo) built one at a time, in basis_names order.
    rng = np.random.default_rng(0)
    x = rng.random((40, len(sim.FEATURES)))
    x[:, sim.FEATURES.index("cross")] = cross = rng.random(40) < 0.5
    x[:, sim.FEATURES.index("cross_script")] = cross & (rng.random(40) < 0.5)
    col = {name: x[:, i] for i, name in enumerate(sim.FEATURES)}
    col["cos_prod"] = np.clip(col["cos_lead"], 0, 1) * np.clip(col["cos_head"], 0, 1)
    col["cos_max"] = np.maximum(col["cos_lead"], col["cos_head"])
    scope = {
        "cross": col["cross"], "cross_script": col["cross_script"],
        "cross_one_script": col["cross"] - col["cross_script"],
    }  # fmt: skip
    want = []
    for name, knots in sim.KNOTS.items():
        edges = (0.0, *knots, 1.0)
        for lo, hi in itertools.pairwise(edges):
            ramp = np.clip(col[name] - lo, 0.0, hi - lo)
            want.append(ramp * (1.0 - col["cross"]))
            if name in sim.CROSS_COPIES:
                want.append(ramp * scope[sim.CROSS_COPIES[name]])
    want += [col["amt_shared"], col["ent_shared"], -col["amt_conflict"], -col["ent_conflict"]]
    want.append(col["cross"])
    got = sim.basis(x)
    assert got.shape[1] == len(sim.basis_names())
    np.testing.assert_array_equal(got, np.stack(want, axis=1))


def test_languages_differ_by_language_and_by_script():
    assert sim.languages_differ("en", "en") == (False, False)
    assert sim.languages_differ("en", "de") == (True, False)
    assert sim.languages_differ("en", "ja") == (True, True)
    assert sim.languages_differ("ja", "zh") == (True, True)
    assert sim.languages_differ("und", "ja") == (False, False)
