"""Per-document work in worker processes gives what the same work gives in this process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from conftest import REPO, seed_text

from monitor import novelty
from monitor.config import load
from monitor.model import Document
from monitor.prepare import Workers, _prepare_in_worker, prepare_document
from monitor.relevance import compile_profile

NOW = datetime(2025, 5, 13, 9, 0, tzinfo=UTC)


def _documents() -> list[Document]:
    off_topic = "<p>The city council approved a new budget for parks and roads on Monday.</p>"
    bodies = [(seed_text("000"), "text"), (seed_text("003"), "text"), (off_topic, "html")]
    return [
        Document("corpus", "corpus", f"doc-{i}", body, kind, NOW)  # type: ignore[arg-type]
        for i, (body, kind) in enumerate(bodies)
    ]


def test_a_worker_extracts_scores_and_fingerprints_as_this_process_does(tmp_path: Path) -> None:
    settings = load(REPO / "config.toml")
    profile = compile_profile(settings.relevance)
    encoder = novelty.Encoder()
    with Workers(settings.relevance, tmp_path / "cache") as workers:
        assert workers.want(1, 1)
        futures = [workers.submit(_prepare_in_worker, d, 1.0) for d in _documents()]
        bare = [f.result(timeout=120) for f in futures]
        keys = [d.key for d in _documents()]
        # Fingerprints are made once every document is prepared, in chunks across them.
        assert not any(p.fingerprints for p in bare)
        remote = workers.fingerprint(keys, bare)
        # A document judged before, or a second copy of one in this run, is not encoded.
        again = workers.fingerprint([*keys, keys[0]], [*bare, bare[0]], known={keys[1]})
    local = [prepare_document(profile, d) for d in _documents()]
    relevant = 0
    for there, here in zip(remote, local, strict=True):
        assert there.stories == here.stories and there.notes == here.notes
        assert [r.score for r in there.relevance] == [r.score for r in here.relevance]
        # One per story, or none at all when no story is relevant.
        prints = there.fingerprints or (None,) * len(there.stories)
        for story, rel, made in zip(here.stories, here.relevance, prints, strict=True):
            if not rel.relevant:
                assert made is None
                continue
            relevant += 1
            (mine,) = novelty.fingerprint_texts([(story.title, story.text)], encoder)
            theirs = novelty.Fingerprint.from_bytes(made)
            assert novelty.compare(theirs, mine).verdict == "copy"
            assert theirs.minhash == mine.minhash and theirs.facts == mine.facts
    assert relevant >= 2
    assert again[0].fingerprints == remote[0].fingerprints and any(remote[1].fingerprints)
    assert again[1] is bare[1] and again[3] is bare[0]
