"""Backlog stories are fingerprinted without their headline + lead view, which is added once a
later story is judged against them: the later story's verdict is what it was with the view."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO, seed_text

from monitor import novelty
from monitor.config import load
from monitor.fingerprint import NoLeadView, has_lead, index_view, with_leads
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
    bare = novelty.fingerprint_texts(texts, encoder, lead=False)
    for made, whole in zip(bare, full, strict=True):
        assert not made.has_lead and made.embedding == bytes(len(whole.embedding))
        # Everything but the headline + lead view is made as before.
        assert replace(made, embedding=whole.embedding, has_lead=True) == whole
        blob = made.to_bytes()
        assert not has_lead(blob) and novelty.Fingerprint.from_bytes(blob) == made
        # The index never files it as it is: its loader completes it first.
        with pytest.raises(NoLeadView):
            index_view(blob)
    completed = with_leads(bare, texts, encoder)
    for done, whole in zip(completed, full, strict=True):
        assert done.has_lead and has_lead(done.to_bytes())
        assert novelty.compare(done, whole).semantic == pytest.approx(1.0, abs=0.01)
        assert replace(done, embedding=whole.embedding) == whole


def test_a_version_2_fingerprint_reads_as_it_did(encoder) -> None:
    (whole,) = novelty.fingerprint_texts([_story("004")], encoder)
    blob = bytearray(whole.to_bytes())
    assert blob[4] == 3
    blob[4] = 2  # what the monitor before version 3 wrote: the same layout, no lead flag
    assert novelty.Fingerprint.from_bytes(bytes(blob)) == whole
    view = (whole.minhash, whole.bands, whole.shingles, whole.embedding, whole.facts, whole.cjk)
    assert index_view(bytes(blob)) == view and has_lead(bytes(blob))


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
    """A backlog report of a story (003, its fingerprint made with or without the lead view),
    then, a day later, another outlet's rewrite of it (004) judged: (verdict, the backlog
    report's stored fingerprint before and after)."""
    backlog, later = _item("003", T0, True), _item("004", T0 + timedelta(days=1), False)
    (made,) = novelty.fingerprint_texts([(backlog.title, backlog.text)], encoder, lead=lead)
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
    assert not has_lead(bare) and has_lead(whole) and kept == whole
    # The later report joins the backlog story, with the same scores and reason.
    assert without.status == "duplicate" and without.matched_item == "003"
    assert (without.status, without.novelty, without.novelty_json, without.matched_item) == (
        with_view.status, with_view.novelty, with_view.novelty_json, with_view.matched_item,
    )  # fmt: skip
    # The view was added to the stored fingerprint, once: a later load does not encode it again.
    assert has_lead(completed)
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
    leads = lambda prepared: [has_lead(b) for p in prepared for b in p.fingerprints if b]  # noqa: E731
    assert leads(all_backlog) and not any(leads(all_backlog))
    # A story judged in this pass is compared with the backlog ones: they all get the view.
    assert leads(one_new) and all(leads(one_new))


def test_a_report_folded_after_a_load_that_completed_backlog_joins_its_story(
    tmp_path: Path, settings, encoder
) -> None:
    # A story (003) with a rewrite folded into it (004); then a backlog-only pass, whose report
    # (000) is stored without its lead view. The next pass's window load completes it, and must
    # still know every stored report's story: a second outlet's copy of the rewrite joins 003's
    # story, not a story of the rewrite's own.
    story, rewrite = _item("003", T0, False), _item("004", T0 + timedelta(hours=1), False)
    backlog = _item("000", T0 + timedelta(hours=3), True)
    (bare,) = novelty.fingerprint_texts([(backlog.title, backlog.text)], encoder, lead=False)
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
        assert not has_lead(stored["000"])
        when = T0 + timedelta(days=1)
        copy = replace(rewrite, id="004-copy", doc_key="doc-004-copy", published=when,
                       first_seen=when)  # fmt: skip
        with store.transaction():
            (judged,) = judge_novelty([(copy, ON_TOPIC)], {}, store, settings, when, RunStats())
        stored = {row[0]: bytes(row[3]) for row in store.fingerprints_since(T0 - timedelta(days=1))}
        assert has_lead(stored["000"])  # the load completed the backlog report, and kept it
        assert judged.status == "duplicate" and judged.matched_item == "004"
        assert judged.story_id == "003"
