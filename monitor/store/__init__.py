"""The state database: every SQL statement monitor runs lives in this package.

An SQLite file (the default) or a PostgreSQL database, behind one ``Store``.
The SQL here is written once, with ``?`` placeholders and portable syntax;
what differs per database lives in one module per backend (``sqlite.py``,
``postgres.py``: connecting, transactions, locks, column types, the odd
clause). Every write happens inside an explicit ``with store.transaction():``
block. The schema is versioned by ``migrations.MIGRATIONS``; a database from a
newer monitor is refused.

    Store
    ├── items, documents, stories   (this module: what was seen and judged)
    ├── FeedStateMixin              (store/feeds.py: per-feed HTTP state, health)
    ├── OutboxMixin                 (store/outbox.py: digests waiting or sent)
    ├── WorkerMixin                 (store/workers.py: workers and their feed leases)
    └── JudgedMixin                 (store/judged.py: the judge pass, in batches)

The records it hands out and takes in (``StoredJudgement``, ``ItemRecord``) and the
pending statuses live in store/records.py, so that the mixins need not import this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from monitor.errors import StoreError
from monitor.model import Document, Item
from monitor.settings import PostgresTarget
from monitor.store.feeds import FeedStateMixin
from monitor.store.judged import JudgedMixin, chunks
from monitor.store.migrations import MIGRATIONS, SCHEMA_VERSION
from monitor.store.outbox import OutboxMixin
from monitor.store.records import PENDING as PENDING  # for callers, as the others are
from monitor.store.records import PENDING_BACKLOG, PENDING_ROWS, ItemRecord, StoredJudgement
from monitor.store.workers import WorkerMixin
from monitor.timeutil import parse_time, to_text


class Store(FeedStateMixin, OutboxMixin, WorkerMixin, JudgedMixin):
    """Owns the database connection and all reads and writes of monitor's state.

    ``target`` is an SQLite file or a ``PostgresTarget``; ``db`` offers
    ``execute``/``executemany`` with ``?`` placeholders on either.
    """

    def __init__(
        self, target: Path | PostgresTarget, *, readonly: bool = False, migrate: bool = True
    ):
        self.target = target
        self.path = target  # the name messages use for the database
        if isinstance(target, PostgresTarget):
            from monitor.store import postgres as backend
        else:
            from monitor.store import sqlite as backend
        self.backend: Any = backend
        self.db: Any = backend.connect(target, readonly=readonly)
        try:
            if migrate:
                self._migrate(readonly)
            else:
                self._check_not_newer(self.schema_version())
        except StoreError:
            self.db.close()
            raise
        except backend.database_errors() as exc:
            self.db.close()
            raise StoreError(f"{target}: cannot use the state database: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, exclusive: bool = True) -> Iterator[Any]:
        """One explicit write transaction: all of it is committed, or none.

        Exclusive (the default) transactions run one at a time across every
        process on the database; ``exclusive=False`` is for short ones that
        lock only the rows they touch (lease claims).
        """
        with self.backend.transaction(self.db, exclusive=exclusive):
            yield self.db

    @contextmanager
    def try_lock(self, purpose: str) -> Iterator[bool]:
        """Whether this process may do ``purpose`` now (one at a time), for the block."""
        with self.backend.try_lock(self.db, purpose) as got:
            yield got

    def schema_version(self) -> int:
        """The schema version the database is at (0: empty)."""
        if not self.backend.has_table(self.db, "schema_version"):
            return 0
        row = self.db.execute("SELECT version FROM schema_version").fetchone()
        return int(row[0]) if row else 0

    def _check_not_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.target}: written by a newer monitor (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); upgrade monitor"
            )

    def _migrate(self, readonly: bool) -> None:
        version = self.schema_version()
        self._check_not_newer(version)
        if version == SCHEMA_VERSION:
            return
        if readonly and self.backend.NAME == "postgresql":
            raise StoreError(
                f"{self.target}: needs a schema upgrade (at {version}, this monitor "
                f"needs {SCHEMA_VERSION}); run `monitor migrate` first"
            )
        if readonly and isinstance(self.target, Path) and self.target.exists():
            raise StoreError(f"{self.target}: needs a schema upgrade; run `monitor run-once` first")
        if readonly:
            # An in-memory stand-in for a database that does not exist yet.
            self.db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        with self.transaction() as db, self.backend.migration_lock(db):
            # Another process may have migrated while this one waited for the lock.
            version = self.schema_version()
            self._check_not_newer(version)
            if version == SCHEMA_VERSION:
                return
            if version == 0 and not readonly:
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    db.execute(statement.format_map(self.backend.TYPES))
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    # -- sources and documents -------------------------------------------------

    def ensure_source(self, source_id: str, kind: str, name: str, now: datetime) -> None:
        """Record a source the first time it is seen."""
        self.db.execute(
            "INSERT INTO sources (id, kind, name, added_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            (source_id, kind, name, to_text(now)),
        )

    def known_documents(self, keys: list[str]) -> set[str]:
        """Which of these document keys were already processed."""
        known: set[str] = set()
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT key FROM documents WHERE key IN ({marks})", chunk)
            known.update(row[0] for row in rows)
        return known

    def record_document(
        self,
        key: str,
        source_id: str,
        url: str | None,
        title: str | None,
        now: datetime,
        notes: str,
    ) -> None:
        self.db.execute(
            "INSERT INTO documents (key, source_id, url, title, first_seen, notes) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (key, source_id, url, title, to_text(now), notes),
        )

    def record_feed_documents(self, documents: Sequence[Document], now: datetime) -> None:
        """Record feed documents as seen, without judging them (feed tests and benchmarks)."""
        known = self.known_documents([d.key for d in documents])
        for document in documents:
            self.ensure_source(document.source_id, "feed", document.source_name, now)
            if document.key not in known:
                known.add(document.key)
                self.record_document(
                    document.key, document.source_id, document.url, document.title, now, ""
                )

    def document_notes(self, key: str) -> str | None:
        row = self.db.execute("SELECT notes FROM documents WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- items -------------------------------------------------------------------

    def record_item(self, record: ItemRecord) -> None:
        """Store one judged item, its source link and, for a new story, the story."""
        item = record.item
        self.db.execute(
            "INSERT INTO items (id, doc_key, part, source_id, source_name, url, title, body, lang,"
            " published, first_seen, relevance, relevance_json, status, novelty, novelty_json,"
            " matched_item, story_id, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (
                item.id, item.doc_key, item.part, item.source_id, item.source_name, item.url,
                item.title, item.text, item.lang, to_text(item.published),
                to_text(item.first_seen), record.relevance, record.relevance_json, record.status,
                record.novelty, record.novelty_json, record.matched_item, record.story_id,
                record.fingerprint,
            ),
        )  # fmt: skip
        self.add_item_source(item.id, item.source_id, item.url, item.first_seen)
        if record.story_id == item.id:
            self.db.execute(
                "INSERT INTO stories (id, lead_item, first_seen) VALUES (?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                (item.id, item.id, to_text(item.first_seen)),
            )

    def add_item_source(self, item_id: str, source_id: str, url: str | None, now: datetime) -> None:
        """Note that an item (also) arrived from this source."""
        self.db.execute(
            "INSERT INTO item_sources (item_id, source_id, url, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (item_id, source_id) DO NOTHING",
            (item_id, source_id, url, to_text(now)),
        )

    def item_sources(self, item_id: str) -> list[tuple[str, str | None]]:
        rows = self.db.execute(
            "SELECT s.name, i.url FROM item_sources i JOIN sources s ON s.id = i.source_id"
            " WHERE i.item_id = ? ORDER BY i.seen_at, s.name",
            (item_id,),
        )
        return [(row[0], row[1]) for row in rows]

    def fingerprints_since(
        self, cutoff: datetime
    ) -> Iterator[tuple[str, datetime, datetime, bytes]]:
        """(id, published, first seen, fingerprint) of every judged item first seen at or
        after ``cutoff``, oldest first (items still pending are not judged yet)."""
        rows = self.db.execute(
            "SELECT id, published, first_seen, fingerprint FROM items"
            f" WHERE fingerprint IS NOT NULL AND NOT {PENDING_ROWS} AND first_seen >= ?"
            " ORDER BY first_seen, id",
            (to_text(cutoff),),
        )
        for item_id, published, first_seen, blob in rows:
            yield item_id, parse_time(published), parse_time(first_seen), bytes(blob)

    def headlines_since(self, cutoff: datetime) -> list[tuple[str, str, str, datetime]]:
        """(id, title, start of the text, published) of every judged item first seen at or
        after ``cutoff``, oldest first: for matching headline-only copies."""
        rows = self.db.execute(
            "SELECT id, title, substr(body, 1, 400), published FROM items"
            f" WHERE fingerprint IS NOT NULL AND NOT {PENDING_ROWS} AND first_seen >= ?"
            " ORDER BY first_seen, id",
            (to_text(cutoff),),
        )
        return [(row[0], row[1], row[2], parse_time(row[3])) for row in rows]

    _ITEM_COLUMNS = (
        "id, doc_key, part, source_id, source_name, url, title, body, lang, published,"
        " first_seen, status, relevance, relevance_json, novelty, novelty_json, matched_item,"
        " story_id"
    )

    def _judgement(self, row: tuple) -> StoredJudgement:
        item = Item(
            id=row[0], doc_key=row[1], part=row[2], source_id=row[3], source_name=row[4],
            url=row[5], title=row[6], text=row[7], lang=row[8], published=parse_time(row[9]),
            first_seen=parse_time(row[10]), backlog=row[11] in ("backlog", PENDING_BACKLOG),
        )  # fmt: skip
        return StoredJudgement(item, row[11], row[12], row[13], row[14], row[15], row[16], row[17])

    def judgement(self, item_id: str) -> StoredJudgement | None:
        row = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)
        ).fetchone()
        return self._judgement(row) if row else None

    def judgements(self) -> list[StoredJudgement]:
        """Every item ever judged, in arrival order (for audits and the judgement bench)."""
        rows = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items ORDER BY first_seen, doc_key, part"
        )
        return [self._judgement(row) for row in rows]

    def find_items(self, prefix: str) -> list[str]:
        """Item ids starting with ``prefix`` (lets users type a short id)."""
        clause, params = self.backend.prefix_match("id", prefix)
        rows = self.db.execute(f"SELECT id FROM items WHERE {clause} ORDER BY id LIMIT 10", params)
        return [row[0] for row in rows]

    def judgements_of(self, ids: Sequence[str]) -> list[StoredJudgement]:
        """The stored judgements of these items, in the order given."""
        found = [self.judgement(item_id) for item_id in ids]
        return [judged for judged in found if judged is not None]

    def items_at_url(self, urls: Sequence[str]) -> list[str]:
        """Ids of items published at any of ``urls`` (by any of their sources)."""
        if not urls:
            return []
        marks = ",".join("?" * len(urls))
        rows = self.db.execute(
            f"SELECT id FROM items WHERE url IN ({marks})"
            f" UNION SELECT item_id FROM item_sources WHERE url IN ({marks}) ORDER BY 1",
            (*urls, *urls),
        )
        return [row[0] for row in rows]

    def items_titled(self, fragment: str, limit: int = 50) -> list[str]:
        """Ids of items whose headline contains ``fragment`` (case-insensitive), oldest first."""
        pattern = _contains(fragment)
        rows = self.db.execute(
            "SELECT id FROM items WHERE LOWER(title) LIKE ? ESCAPE '\\'"
            " ORDER BY first_seen, id LIMIT ?",
            (pattern, limit),
        )
        return [row[0] for row in rows]

    def list_items(
        self,
        statuses: Sequence[str] = (),
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 10_000,
    ) -> list[StoredJudgement]:
        """Judged items, oldest first, with this status, from a source whose name or id
        contains ``source``, first seen in [since, until)."""
        where, params = [], []
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            params.extend(statuses)
        if source:
            pattern = _contains(source)
            where.append(
                "(LOWER(source_name) LIKE ? ESCAPE '\\' OR LOWER(source_id) LIKE ? ESCAPE '\\')"
            )
            params.extend([pattern, pattern])
        if since:
            where.append("first_seen >= ?")
            params.append(to_text(since))
        if until:
            where.append("first_seen < ?")
            params.append(to_text(until))
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items{clause}"
            " ORDER BY first_seen, doc_key, part LIMIT ?",
            (*params, limit),
        )
        return [self._judgement(row) for row in rows]

    def items_of_document(self, doc_key: str) -> list[str]:
        rows = self.db.execute("SELECT id FROM items WHERE doc_key = ? ORDER BY part", (doc_key,))
        return [row[0] for row in rows]

    # -- stories -------------------------------------------------------------------

    def undelivered_stories(self) -> list[StoredJudgement]:
        """Lead items of stories not yet in any digest (sent or waiting)."""
        rows = self.db.execute(
            f"SELECT {', '.join('i.' + c.strip() for c in self._ITEM_COLUMNS.split(','))}"
            " FROM stories s JOIN items i ON i.id = s.lead_item"
            " WHERE s.digest_id IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM digest_stories d WHERE d.story_id = s.id)"
            " ORDER BY s.first_seen, s.id"
        )
        return [self._judgement(row) for row in rows]

    def story_members(self, story_id: str) -> list[StoredJudgement]:
        """Every item folded into a story, the lead included, in arrival order."""
        rows = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE story_id = ? ORDER BY first_seen, id",
            (story_id,),
        )
        return [self._judgement(row) for row in rows]

    def story_digest(self, story_id: str) -> tuple[str, str] | None:
        """The digest (id, status) a story went into, if any."""
        row = self.db.execute(
            "SELECT d.id, d.status FROM digest_stories ds JOIN digests d ON d.id = ds.digest_id"
            " WHERE ds.story_id = ?",
            (story_id,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT status, COUNT(*) FROM items GROUP BY status")
        return {status: count for status, count in rows}


def probe(target: Path | PostgresTarget) -> int | None:
    """The schema version of a state database without changing it (None: no SQLite file yet).

    Reaches the server for a PostgreSQL state, so check-config can tell it works.
    """
    if isinstance(target, Path) and not target.exists():
        return None
    with Store(target, readonly=True, migrate=False) as store:
        return store.schema_version()


def _contains(fragment: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') for text containing ``fragment``, lower-cased."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", fragment.lower()) + "%"


def dumps(value: object) -> str:
    """JSON for a stored column: compact, stable, Unicode kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
