"""bench/similarity.py chooses the same-story thresholds the way the product folds.

Pairs ``novelty.events_differ`` keeps apart (other trading sessions, other
countries) are never folded whatever their score; a threshold raised to keep
them apart only loses real folds (English and Japanese reports of one event).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from monitor import similarity as sim
from monitor.novelty import Encoder, fingerprint_texts

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench_similarity():
    """bench/similarity.py as a module (it is a script, not part of the package)."""
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("bench_similarity", REPO / "bench/similarity.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_pairs_kept_apart_do_not_raise_the_threshold(bench_similarity) -> None:
    # Three reports of one event at 0.70; four other stories at 0.60; five other
    # countries' releases at 0.85, which the product never folds.
    p = np.array([0.70] * 3 + [0.60] * 4 + [0.85] * 5)
    same = np.array([True] * 3 + [False] * 9)
    apart = np.array([False] * 7 + [True] * 5)
    # Scored alone, no threshold folds the three reports more often right than wrong.
    assert bench_similarity.best_threshold(p, same) == 0.9
    # The way the product decides: above the four other stories, the three fold.
    assert bench_similarity.best_threshold(p, same, apart=apart) == 0.62


def test_a_same_story_pair_kept_apart_is_never_a_right_fold(bench_similarity) -> None:
    p = np.array([0.95, 0.30])
    same = np.array([True, False])
    # Its score is high, but the product keeps it apart: no threshold makes a right fold.
    assert bench_similarity.best_threshold(p, same, apart=np.array([True, False])) == 0.9


def test_kept_apart_names_the_rule_that_keeps_each_pair_apart(
    bench_similarity, encoder: Encoder
) -> None:
    texts = [
        ("Japan's factory activity shrinks for fifth month - PMI",
         "Japan's manufacturing PMI fell to 48.2 in November from 48.7, a survey showed."),
        ("Germany's factory activity shrinks for fifth month - PMI",
         "Germany's manufacturing PMI fell to 45.1 in November from 46.0, a survey showed."),
        ("日経平均前引け、続落 半導体株に売り", "東京株式市場で日経平均株価は前引けで続落した。"),
        ("日経平均大引け、続落 半導体株に売り", "東京株式市場で日経平均株価は大引けで続落した。"),
        ("Kioxia to spend 1 trillion yen on Kitakami plant",
         "Kioxia will invest 1 trillion yen to expand its Kitakami memory plant."),
        ("キオクシア、北上工場に1兆円投資", "キオクシアは北上工場に1兆円を投資する。"),
    ]  # fmt: skip
    prints = fingerprint_texts(texts, encoder)
    pairs = [(prints[0], prints[1]), (prints[2], prints[3]), (prints[4], prints[5])]
    apart, rules = bench_similarity.kept_apart(pairs)
    assert apart.tolist() == [True, True, False]
    assert rules["another country"].tolist() == [True, False, False]
    assert rules["another trading session"].tolist() == [False, True, False]


def test_a_conflict_keeps_two_languages_apart_whatever_the_score() -> None:
    model = sim.load_model()
    high = max(model.same_story, model.same_story_cross) + 0.1
    # One language: the model's word decides (its inputs include the conflict).
    assert model.verdict(0.0, 0.9, high, conflict=True) == "same story"
    # Two languages: a conflicting amount or principal is not one story on the score alone.
    assert model.verdict(0.0, 0.9, high, conflict=True, cross=True) == "related"
    assert model.verdict(0.0, 0.9, high, conflict=False, cross=True) == "same story"
