"""Backlog stories are fingerprinted without their encoder views (no encoder is loaded for them),
which are added once a later story is judged against them: the later story's verdict is what it
was with the views."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, seed_text

from monitor import novelty
from monitor.config import load
from monitor.fingerprint import NotEncoded, index_view, is_encoded, with_views
from monitor.judging import RunStats, judge_novelty
from monitor.model import Document, Item, Relevance
from monitor.prepare import Workers, _prepare_in_worker
from monitor.store import ItemRecord, Store

T0 = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)
ON_TOPIC = Relevance(0.9, True, (), "on topic")


def _story(name: str) -> tuple[str, str]:
    title, _, text = seed_text(name).strip().partition("\n")
    return title.strip(), text.strip()


@pytest.fixture(scope="module")
def encoder() -> novelty.Encoder:
    return novelty.Encoder()


@pytest.fixture(scope="module")
def settings(tmp_path_factory):  # type: ignore[no-untyped-def]
    # The state path says where the judge pass's encoder keeps its cache: one for the module.
    state = tmp_path_factory.mktemp("encoder") / "state.db"
    return replace(load(REPO / "config.toml"), state=state)


def test_a_fingerprint_without_its_lead_view_is_completed_to_the_full_one(encoder) -> None:
    texts = [_story("003"), _story("000")]
    full = novelty.fingerprint_texts(texts, encoder)
    bare = novelty.fingerprint_texts(texts, encoder, views=False)
    for made, whole in zip(bare, full, strict=True):
        assert not made.encoded and made.embedding == bytes(len(whole.embedding))
        assert made.head_embedding == bytes(len(whole.head_embedding))
        # Everything but the two encoder views is made as before.
        views = {"embedding": whole.embedding, "head_embedding": whole.head_embedding}
        assert replace(made, **views, encoded=True) == whole
        blob = made.to_bytes()
        assert not is_encoded(blob) and novelty.Fingerprint.from_bytes(blob) == made
        # The index never files it as it is: its loader completes it first.
        with pytest.raises(NotEncoded):
            index_view(blob)
    completed = with_views(bare, texts, encoder)
    for done, whole in zip(completed, full, strict=True):
        assert done.encoded and is_encoded(done.to_bytes())
        assert novelty.compare(done, whole).semantic == pytest.approx(1.0, abs=0.01)
        heads = [np.frombuffer(fp.head_embedding, np.int8).astype(float) for fp in (done, whole)]
        assert heads[0] @ heads[1] / np.linalg.norm(heads[0]) / np.linalg.norm(heads[1]) > 0.99
        assert (
            replace(done, embedding=whole.embedding, head_embedding=whole.head_embedding) == whole
        )


def test_a_version_2_fingerprint_reads_as_it_did(encoder) -> None:
    (whole,) = novelty.fingerprint_texts([_story("004")], encoder)
    blob = bytearray(whole.to_bytes())
    assert blob[4] == 3
    blob[4] = 2  # what the monitor before version 3 wrote: the same layout, no lead flag
    assert novelty.Fingerprint.from_bytes(bytes(blob)) == whole
    view = (whole.minhash, whole.bands, whole.shingles, whole.embedding, whole.facts, whole.cjk)
    assert index_view(bytes(blob)) == view and is_encoded(bytes(blob))


def _stored(tmp_path: Path) -> Store:
    store = Store(tmp_path / "state.db")
    with store.transaction():
        store.ensure_source("corpus", "corpus", "local corpus", T0)
    return store


def _item(name: str, when: datetime, backlog: bool) -> Item:
    title, text = _story(name)
    return Item(name, f"doc-{name}", 0, "corpus", "seeds", None, title, text, "en", when, when,
                backlog)  # fmt: skip


def _keep(store: Store, records: list[ItemRecord], when: datetime) -> None:
    for r in records:
        store.record_document(r.item.doc_key, "corpus", None, None, when, "")
        store.record_item(r)


def _later_copy_judged(
    tmp_path: Path, settings, encoder, lead: bool
) -> tuple[ItemRecord, bytes, bytes]:
    """A backlog report of a story (003, its fingerprint made with or without its encoder views),
    then, a day later, another outlet's rewrite of it (004) judged: (verdict, the backlog
    report's stored fingerprint before and after)."""
    backlog, later = _item("003", T0, True), _item("004", T0 + timedelta(days=1), False)
    (made,) = novelty.fingerprint_texts([(backlog.title, backlog.text)], encoder, views=lead)
    with _stored(tmp_path) as store:
        with store.transaction():
            first = judge_novelty([(backlog, ON_TOPIC)], {backlog.id: made.to_bytes()}, store,
                                  settings, T0, RunStats())  # fmt: skip
            assert [r.status for r in first] == ["backlog"]
            _keep(store, first, T0)
        before = next(iter(store.fingerprints_since(T0 - timedelta(days=1))))[3]
        with store.transaction():
            (judged,) = judge_novelty([(later, ON_TOPIC)], {}, store, settings,
                                      later.published, RunStats())  # fmt: skip
        after = next(iter(store.fingerprints_since(T0 - timedelta(days=1))))[3]
    return judged, bytes(before), bytes(after)


def test_a_later_report_of_a_backlog_story_is_folded_as_with_the_lead_view(
    tmp_path: Path, settings, encoder
) -> None:
    (tmp_path / "without").mkdir(), (tmp_path / "with").mkdir()
    without, bare, completed = _later_copy_judged(tmp_path / "without", settings, encoder, False)
    with_view, whole, kept = _later_copy_judged(tmp_path / "with", settings, encoder, True)
    assert not is_encoded(bare) and is_encoded(whole) and kept == whole
    # The later report joins the backlog story, with the same scores and reason.
    assert without.status == "duplicate" and without.matched_item == "003"
    assert (without.status, without.novelty, without.novelty_json, without.matched_item) == (
        with_view.status, with_view.novelty, with_view.novelty_json, with_view.matched_item,
    )  # fmt: skip
    # The view was added to the stored fingerprint, once: a later load does not encode it again.
    assert is_encoded(completed)
    done, full = novelty.Fingerprint.from_bytes(completed), novelty.Fingerprint.from_bytes(whole)
    assert replace(done, embedding=full.embedding) == full
    assert novelty.compare(done, full).semantic == pytest.approx(1.0, abs=0.01)


def test_workers_leave_the_lead_view_out_only_when_every_story_is_backlog(tmp_path) -> None:
    settings = load(REPO / "config.toml")
    docs = [
        Document("corpus", "corpus", f"doc-{name}", seed_text(name), "text", T0)  # type: ignore[arg-type]
        for name in ("000", "003")
    ]
    keys = [d.key for d in docs]
    with Workers(settings.relevance, tmp_path / "cache") as workers:
        assert workers.want(1, 1)
        ready = [workers.submit(_prepare_in_worker, d, 1.0).result(timeout=120) for d in docs]
        all_backlog = workers.fingerprint(keys, ready, backlog=[True, True])
        one_new = workers.fingerprint(keys, ready, backlog=[True, False])
    leads = lambda prepared: [is_encoded(b) for p in prepared for b in p.fingerprints if b]  # noqa: E731
    assert leads(all_backlog) and not any(leads(all_backlog))
    # A story judged in this pass is compared with the backlog ones: they all get the view.
    assert leads(one_new) and all(leads(one_new))


def test_a_report_folded_after_a_load_that_completed_backlog_joins_its_story(
    tmp_path: Path, settings, encoder
) -> None:
    # A story (003) with a rewrite folded into it (004); then a backlog-only pass, whose report
    # (000) is stored without its encoder views. The next pass's window load completes it, and must
    # still know every stored report's story: a second outlet's copy of the rewrite joins 003's
    # story, not a story of the rewrite's own.
    story, rewrite = _item("003", T0, False), _item("004", T0 + timedelta(hours=1), False)
    backlog = _item("000", T0 + timedelta(hours=3), True)
    (bare,) = novelty.fingerprint_texts([(backlog.title, backlog.text)], encoder, views=False)
    with _stored(tmp_path) as store:
        for batch, made, when in (
            ([story, rewrite], {}, T0 + timedelta(hours=2)),
            ([backlog], {backlog.id: bare.to_bytes()}, T0 + timedelta(hours=4)),
        ):
            with store.transaction():
                records = judge_novelty([(i, ON_TOPIC) for i in batch], made, store, settings,
                                        when, RunStats())  # fmt: skip
                _keep(store, records, when)
        assert store.story_ids(["003", "004"]) == {"003": "003", "004": "003"}
        stored = {row[0]: bytes(row[3]) for row in store.fingerprints_since(T0 - timedelta(days=1))}
        assert not is_encoded(stored["000"])
        when = T0 + timedelta(days=1)
        copy = replace(rewrite, id="004-copy", doc_key="doc-004-copy", published=when,
                       first_seen=when)  # fmt: skip
        with store.transaction():
            (judged,) = judge_novelty([(copy, ON_TOPIC)], {}, store, settings, when, RunStats())
        stored = {row[0]: bytes(row[3]) for row in store.fingerprints_since(T0 - timedelta(days=1))}
        assert is_encoded(stored["000"])  # the load completed the backlog report, and kept it
        assert judged.status == "duplicate" and judged.matched_item == "004"
        assert judged.story_id == "003"


def test_a_backlog_only_pass_never_loads_the_encoder(tmp_path: Path) -> None:
    # A first poll's backlog is fingerprinted without either view: the encoder's load (its
    # cache built on a fresh state directory) waits for the first pass that judges a story.
    fresh = novelty.Encoder(cache_dir=tmp_path / "cache")
    made = novelty.fingerprint_texts([_story("003"), _story("000")], fresh, views=False)
    assert not fresh.loaded and not any((tmp_path / "cache").glob("*"))
    assert all(not fp.encoded and fp.head_embedding == bytes(len(fp.head_embedding)) for fp in made)
