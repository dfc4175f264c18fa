"""The novelty window read from the store: one query, index columns without parsing the rest,
and the same judgements as fingerprints kept in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import SEEDS

from monitor import prepare
from monitor.fingerprint import index_view
from monitor.model import Item, Prepared, Relevance
from monitor.novelty import Encoder, Fingerprint, NoveltyIndex, StaleFingerprint, fingerprint_texts
from monitor.store import ItemRecord, Store

T0 = datetime(2026, 8, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeds() -> list[tuple[str, Fingerprint]]:
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        title, _, text = path.read_text(encoding="utf-8").strip().partition("\n")
        texts.append((path.stem, (title.strip(), text.strip())))
    prints = fingerprint_texts([t for _, t in texts], Encoder())
    return [(name, fp) for (name, _), fp in zip(texts, prints, strict=True)]


def _store(path: Path, seeds: list[tuple[str, Fingerprint]]) -> Store:
    store = Store(path)
    with store.transaction():
        store.ensure_source("corpus", "corpus", "local corpus", T0)
        for i, (name, fp) in enumerate(seeds):
            when = T0 + timedelta(hours=i)
            store.record_document(f"doc-{name}", "corpus", None, None, when, "")
            item = Item(name, f"doc-{name}", 0, "corpus", "seeds", None, fp.headline, "body",
                        fp.lang, when, when)  # fmt: skip
            store.record_item(ItemRecord(item, "new", 0.9, "{}", fingerprint=fp.to_bytes()))
    return store


def test_the_window_read_from_the_store_judges_as_fingerprints_in_memory_do(tmp_path, seeds):
    # Stored reports are filed by their index columns; the rest is parsed only for the items a
    # judgement scores. The verdicts (matches, scores, reasons) must be the same.
    with _store(tmp_path / "state.db", seeds) as store:
        window = store.window_since(T0 - timedelta(days=1))
        assert [(r[0], r[1], r[2], r[3]) for r in window] == list(
            store.fingerprints_since(T0 - timedelta(days=1))
        )
        assert [(r[0], r[4], r[5], r[1]) for r in window] == store.headlines_since(
            T0 - timedelta(days=1)
        )
    stored, kept = NoveltyIndex(), NoveltyIndex()
    for (item_id, published, seen, blob, _, _), (name, fp) in zip(window, seeds, strict=True):
        assert item_id == name
        stored.add_stored(item_id, published, blob, seen)
        kept.add(name, published, fp, seen)
    now = T0 + timedelta(days=1)
    judged = [stored.judge(fp, now, now) for _, fp in seeds]
    assert judged == [kept.judge(fp, now, now) for _, fp in seeds]
    # Each seed matches itself as a copy, and 004 its sibling story in 003 or itself.
    assert all(n.kind == "duplicate" for n in judged)


def test_index_columns_of_a_stored_fingerprint_are_what_the_full_parse_gives(seeds):
    for _, fp in seeds:
        blob = fp.to_bytes()
        full = Fingerprint.from_bytes(blob)
        view = (full.minhash, full.bands, full.shingles, full.embedding, full.facts, full.cjk)
        assert index_view(blob) == view
    blob = bytearray(seeds[0][1].to_bytes())
    with pytest.raises(ValueError, match="corrupt"):
        index_view(bytes(blob[:-3]))
    with pytest.raises(ValueError, match="magic"):
        index_view(b"XXXX" + bytes(blob[4:]))
    blob[4] = 1
    with pytest.raises(StaleFingerprint):
        index_view(bytes(blob))


def test_a_relevant_story_from_a_worker_starts_loading_the_judge_and_others_do_not(monkeypatch):
    # The judge pass will need numpy, the index and the model; a worker's relevant story
    # says so while the poll still waits on the network, so they load in the background.
    monkeypatch.setattr(prepare, "_WARMING", None)
    off, on = Relevance(0.1, False, (), "off topic"), Relevance(0.9, True, (), "on topic")
    irrelevant = Prepared((), (off,))
    assert not prepare._holds_relevant(irrelevant)
    assert not prepare._holds_relevant(("parsed feed", (irrelevant,)))
    relevant = Prepared((), (off, on))
    assert prepare._holds_relevant(("parsed feed", (irrelevant, relevant)))
    assert prepare._holds_relevant(relevant)

    class Done:
        def __init__(self, result: object) -> None:
            self._result = result

        def cancelled(self) -> bool:
            return False

        def exception(self) -> None:
            return None

        def result(self) -> object:
            return self._result

    prepare._note_result(Done(("parsed feed", (irrelevant,))))  # type: ignore[arg-type]
    assert prepare._WARMING is None
    prepare._note_result(Done(("parsed feed", (relevant,))))  # type: ignore[arg-type]
    assert prepare._WARMING is not None
    prepare._WARMING.join(timeout=60)
    assert not prepare._WARMING.is_alive()


def test_the_warm_up_judges_its_made_up_copy_as_a_duplicate():
    # It runs in a background thread that swallows errors (it is only a head start), so
    # a warm-up broken by a change to the judging code shows here, not as a slow pass.
    from monitor import novelty

    novelty.warm_up()
