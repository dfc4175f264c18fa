"""Per-document work in worker processes gives what the same work gives in this process."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO, seed_text

from monitor import novelty
from monitor.config import load
from monitor.model import Document, PageHints
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


def test_one_text_in_two_documents_is_fingerprinted_once_for_both(tmp_path: Path) -> None:
    settings = load(REPO / "config.toml")
    docs = _documents()
    # The same wire story under a second outlet's link: another document, the same text.
    docs.append(Document("feed:b", "Outlet B", "doc-b", docs[0].body, "text", NOW))
    with Workers(settings.relevance, tmp_path / "cache") as workers:
        assert workers.want(1, 1)
        bare = [workers.submit(_prepare_in_worker, d, 1.0).result(timeout=120) for d in docs]
        pending = workers.start_fingerprints([d.key for d in docs], bare)
        sent = sum(len(texts) for texts, _ in pending._chunks)
        made = pending.wait()
    relevant = {(i, j) for i, p in enumerate(bare) for j, r in enumerate(p.relevance) if r.relevant}
    assert pending.positions == relevant and set(made) == relevant
    copies = [j for i, j in relevant if i == 0]
    assert copies and all(made[(3, j)] == made[(0, j)] for j in copies)
    assert sent == len(relevant) - len(copies)


def test_the_judge_pass_takes_the_fingerprints_the_workers_were_still_making(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor import pipeline
    from monitor.store import Store

    settings = replace(load(REPO / "config.toml"), state=tmp_path / "state.db")
    docs = _documents()
    with Workers(settings.relevance, tmp_path / "cache") as workers:
        assert workers.want(1, 1)
        bare = [workers.submit(_prepare_in_worker, d, 1.0).result(timeout=120) for d in docs]
        pending = workers.start_fingerprints([d.key for d in docs], bare)

    # The pool is closed without waiting for them; this process never encodes.
    def no_encoding(*args: object) -> None:
        raise AssertionError("fingerprinted in the judging process")

    monkeypatch.setattr(novelty, "fingerprint_texts", no_encoding)
    monkeypatch.setattr(pipeline, "prefetch_encoder", no_encoding)
    collection = pipeline.Collection(tuple(docs), (), prepared=tuple(bare), fingerprinting=pending)
    with Store(settings.state) as store, store.transaction():
        pipeline.judge(collection, store, settings, NOW, pipeline.RunStats())
        rows = store.db.execute("SELECT status, fingerprint IS NOT NULL FROM items").fetchall()
    judged = [status for status, has in rows if has]
    assert len(judged) >= 2 and "irrelevant" not in judged
    assert {status for status, has in rows if not has} == {"irrelevant"}


def test_what_workers_send_back_comes_back_equal_through_pickle() -> None:
    import pickle

    from monitor.sources.feedparse import ParsedEntry, ParsedFeed

    settings = load(REPO / "config.toml")
    prepared = [prepare_document(compile_profile(settings.relevance), d) for d in _documents()]
    assert any(r.evidence for p in prepared for r in p.relevance)
    hints = PageHints(outlets=frozenset({"reuters"}), template_lines=frozenset({"Share this"}))
    entry = ParsedEntry("k", "https://e.example/a", "Title", "<p>x</p>", NOW, hints)
    for value in (*prepared, ParsedFeed("Feed", (entry,), "a warning"), hints):
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == value and type(back) is type(value)
