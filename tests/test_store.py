"""The store: one SQLite file, versioned schema, all-or-nothing transactions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import StoreError
from monitor.model import Item
from monitor.store import ItemRecord, Store
from monitor.store.migrations import SCHEMA_VERSION

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def record(item_id: str, story: str | None, status: str = "new") -> ItemRecord:
    item = Item(
        item_id, f"doc-{item_id}", 0, "corpus", "seeds/x.txt", None, "T", "body", "en", NOW, NOW
    )
    fingerprint = None if status == "irrelevant" else b"fp"
    return ItemRecord(item, status, 0.9, "{}", story_id=story, fingerprint=fingerprint)


def add(store: Store, *records: ItemRecord) -> None:
    with store.transaction():
        store.ensure_source("corpus", "corpus", "local corpus", NOW)
        for entry in records:
            store.record_document(entry.item.doc_key, "corpus", None, None, NOW, "")
            store.record_item(entry)


def test_new_database_is_wal_and_current(tmp_path: Path) -> None:
    path = tmp_path / "state" / "monitor.db"
    with Store(path) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_database_from_a_newer_monitor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 999")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer monitor"):
        Store(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use the state database"):
        Store(path)


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "monitor.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.ensure_source("corpus", "corpus", "local corpus", NOW)
            store.record_document("doc-a", "corpus", None, None, NOW, "")
            store.record_item(record("a", "a"))
            raise RuntimeError("crash in the middle")
        assert store.known_documents(["doc-a"]) == set()
        assert store.undelivered_stories() == []


def test_stories_fold_members_and_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    with Store(path) as store:
        add(store, record("a", "a"), record("b", "a", "duplicate"), record("c", None, "irrelevant"))
    with Store(path, readonly=True) as store:
        assert [s.item.id for s in store.undelivered_stories()] == ["a"]
        assert [m.item.id for m in store.story_members("a")] == ["a", "b"]
        assert store.counts() == {"new": 1, "duplicate": 1, "irrelevant": 1}
        assert [fp[0] for fp in store.fingerprints_since(NOW)] == ["a", "b"]


def test_readonly_store_on_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with Store(path, readonly=True) as store:
        assert store.undelivered_stories() == []
    assert not path.exists()
