"""Relevance: the topic profile keeps Japanese-AI and SoftBank stories, and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load
from monitor.relevance import Profile, compile_profile, score

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def profile() -> Profile:
    return compile_profile(load(REPO / "config.toml").relevance)


def test_softbank_alone_is_enough(profile: Profile) -> None:
    result = score(
        profile,
        "SoftBank raises its stake",
        "SoftBank Group said on Monday it would buy more shares.",
    )
    assert result.relevant
    assert any(e.term == "SoftBank" and e.in_title for e in result.evidence)
    assert "softbank" in result.reason


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
