"""An entry that names nothing of the topic skips extraction, and its verdict stays the same.

The check runs on every entry of the labelled snapshot sets kept in ``bench/data``
(English and Japanese feeds, page chrome, outlet suffixes, glued stories), parsed
by the product's own feed parser, each prepared with the gate and without it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import REPO

from monitor.config import load
from monitor.prepare import UNNAMED_NOTE, prepare
from monitor.relevance import Profile, compile_profile
from monitor.sources.feedparse import parse_feed

SNAPSHOTS = sorted((REPO / "bench" / "data").glob("*/feeds/*/*.xml"))


@pytest.fixture(scope="module")
def profile() -> Profile:
    return compile_profile(load(REPO / "config.toml").relevance)


def _gated(prepared: object) -> bool:
    return UNNAMED_NOTE in prepared.notes  # type: ignore[attr-defined]


def test_every_entry_the_gate_passes_by_is_irrelevant_with_full_extraction_too(
    profile: Profile,
) -> None:
    assert len(SNAPSHOTS) > 100
    entries = gated = 0
    for path in SNAPSHOTS:
        feed = parse_feed(
            path.read_bytes(), url=f"https://example.com/{path.name}", content_type=None,
            source_id=path.stem,
        )  # fmt: skip
        for entry in feed.entries:
            entries += 1
            fast = prepare(profile, entry.body, "html", entry.title, entry.hints)
            full = prepare(profile, entry.body, "html", entry.title, entry.hints, gate=False)
            if not _gated(fast):
                assert replace(fast, seconds=full.seconds) == full
                continue
            gated += 1
            assert not any(r.evidence for r in full.relevance), entry.title
            (story,) = fast.stories
            (verdict,) = fast.relevance
            assert not verdict.relevant and verdict.score == 0.0
            assert {verdict.reason} == {r.reason for r in full.relevance}
            assert story.title == (full.stories[0].title if full.stories else story.title)
    # These sets were written around the topic, yet some of their entries name nothing of it
    # (a general news feed has mostly such entries: 95% of the feed farm's).
    assert gated >= 100 and entries > 2000


def test_a_name_split_by_inline_markup_still_reaches_extraction(profile: Profile) -> None:
    body = "<p><b>Soft</b>Bank Group said on Tuesday it would build an AI data centre.</p>"
    prepared = prepare(profile, body, "html", "Investment plan announced")
    assert not _gated(prepared)
    assert prepared.relevance[0].relevant


def test_an_off_topic_entry_keeps_its_text_and_says_why_it_was_not_extracted(
    profile: Profile,
) -> None:
    body = "<p>The city council approved a budget for parks.</p><p>Share this article</p>"
    prepared = prepare(profile, body, "html", "Council passes budget - Example News")
    (story,) = prepared.stories
    assert _gated(prepared)
    assert story.text == "The city council approved a budget for parks.\n\nShare this article"
    assert story.lang == "en"
    assert prepared.relevance[0].reason == "no term or name of the topic profile"
    # A Japanese entry about another subject is read the same way.
    japanese = prepare(profile, "<p>市議会は公園の予算を可決した。</p>", "html", "市議会が予算可決")
    assert _gated(japanese) and japanese.stories[0].lang == "ja"


def test_an_entry_without_text_or_title_is_extracted_as_before(profile: Profile) -> None:
    assert not _gated(prepare(profile, "", "html", "Council passes budget"))
    assert not _gated(prepare(profile, "<p>The council met.</p>", "html", None))
    assert not _gated(prepare(profile, "The council met.", "text", "Council"))
