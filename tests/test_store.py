"""The store on both backends (SQLite file, PostgreSQL): versioned schema, all-or-nothing
transactions, the same answers."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest_pg import pg_server, pg_target, state_target

from monitor.errors import StoreError
from monitor.model import Item
from monitor.settings import PostgresTarget
from monitor.store import ItemRecord, Store
from monitor.store.migrations import SCHEMA_VERSION

__all__ = ["pg_server", "pg_target", "state_target"]  # fixtures, used by name

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


def test_database_from_a_newer_monitor_is_refused(state_target: Path | PostgresTarget) -> None:
    with Store(state_target) as store, store.transaction():
        store.db.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match="newer monitor"):
        Store(state_target)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use the state database"):
        Store(path)


def test_a_failed_transaction_leaves_nothing(state_target: Path | PostgresTarget) -> None:
    with Store(state_target) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.ensure_source("corpus", "corpus", "local corpus", NOW)
            store.record_document("doc-a", "corpus", None, None, NOW, "")
            store.record_item(record("a", "a"))
            raise RuntimeError("crash in the middle")
        assert store.known_documents(["doc-a"]) == set()
        assert store.undelivered_stories() == []


def test_known_documents_are_found_among_more_keys_than_one_query_takes(
    state_target: Path | PostgresTarget,
) -> None:
    # 1,201 keys take three IN (...) queries of at most 500 bound parameters each.
    keys = [f"doc-{n}" for n in range(1201)]
    with Store(state_target) as store:
        with store.transaction():
            store.ensure_source("corpus", "corpus", "local corpus", NOW)
            for key in keys[::100]:
                store.record_document(key, "corpus", None, None, NOW, "")
        assert store.known_documents(keys) == set(keys[::100])
        assert store.known_documents(keys[1:100]) == set()


def test_stories_fold_members_and_survive_reopening(state_target: Path | PostgresTarget) -> None:
    path = state_target
    with Store(path) as store:
        add(store, record("a", "a"), record("b", "a", "duplicate"), record("c", None, "irrelevant"))
    with Store(path, readonly=True) as store:
        assert [s.item.id for s in store.undelivered_stories()] == ["a"]
        assert [m.item.id for m in store.story_members("a")] == ["a", "b"]
        assert store.counts() == {"new": 1, "duplicate": 1, "irrelevant": 1}
        assert [fp[0] for fp in store.fingerprints_since(NOW)] == ["a", "b"]
        assert store.judgement("b").item.first_seen == NOW
        assert store.find_items("a") == ["a"]


def test_readonly_store_on_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with Store(path, readonly=True) as store:
        assert store.undelivered_stories() == []
    assert not path.exists()


def test_fingerprints_and_times_come_back_as_written(state_target: Path | PostgresTarget) -> None:
    later = datetime(2026, 11, 22, 7, 0, 0, 123456, tzinfo=UTC)
    blob = bytes(range(256))
    item = Item("x", "doc-x", 0, "corpus", "n", None, "T", "body", "en", later, later)
    with Store(state_target) as store:
        add(store, ItemRecord(item, "new", 0.123456789, "{}", story_id="x", fingerprint=blob))
        ((item_id, published, seen, fingerprint),) = store.fingerprints_since(later)
        assert (item_id, published, seen, fingerprint) == ("x", later, later, blob)
        assert store.judgement("x").relevance == 0.123456789  # a double, not a float4
        assert list(store.fingerprints_since(later.replace(microsecond=123457))) == []


def test_postgresql_columns_are_timestamptz_and_bytea(pg_target: PostgresTarget) -> None:
    with Store(pg_target) as store:
        rows = store.db.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'items' AND column_name IN ('first_seen', 'fingerprint')"
            " ORDER BY column_name"
        ).fetchall()
    assert rows == [("fingerprint", "bytea"), ("first_seen", "timestamp with time zone")]


def test_two_workers_starting_together_migrate_once(pg_target: PostgresTarget) -> None:
    import threading

    errors: list[BaseException] = []

    def start() -> None:
        try:
            Store(pg_target).close()
        except BaseException as exc:  # a second migration would fail on CREATE TABLE
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(pg_target, readonly=True) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 1


def test_a_readonly_store_on_an_empty_postgresql_database_says_to_migrate(
    pg_target: PostgresTarget,
) -> None:
    with pytest.raises(StoreError, match="run `monitor migrate` first"):
        Store(pg_target, readonly=True)


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    from conftest_smtp import free_port

    target = PostgresTarget(f"postgresql://monitor@127.0.0.1:{free_port()}/x", "t", tmp_path)
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server") as caught:
        Store(target)
    assert "\n" not in str(caught.value)


def test_items_are_found_by_headline_words_url_and_filters(
    state_target: Path | PostgresTarget,
) -> None:
    from dataclasses import replace

    def titled(item_id: str, title: str, status: str, url: str | None = None) -> ItemRecord:
        base = record(item_id, item_id if status == "new" else None, status)
        return replace(base, item=replace(base.item, title=title, url=url))

    with Store(state_target) as store:
        add(
            store,
            titled("a", "SoftBank 100% AI_plan", "new", "https://example.com/a"),
            titled("b", "ソフトバンク、生成AIで新会社", "irrelevant"),
            titled("c", "Softbank again", "new"),
        )
        assert store.items_titled("softbank") == ["a", "c"]
        assert store.items_titled("100% ai_") == ["a"]
        assert store.items_titled("0%") == ["a"] and store.items_titled("x_p") == []
        assert store.items_titled("生成AI") == ["b"]
        assert store.items_at_url(["https://example.com/a"]) == ["a"]
        assert [j.item.id for j in store.list_items(["irrelevant"])] == ["b"]
        assert len(store.list_items(source="CORPUS")) == 3
        assert store.list_items(since=NOW.replace(hour=8)) == []
        assert len(store.list_items(since=NOW, until=NOW.replace(hour=8))) == 3
