"""Batch reads and writes for the judge pass: a few queries per run, not a few per item.

The judge pass reads what it needs once (which documents are known and their
items, the stories of matched items, which stories went into a digest),
judges in memory, and writes every source, document, item, item source and
story with one ``executemany`` each, inside the run's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from monitor.model import Item
from monitor.store.records import PENDING_ROWS, ItemRecord, StoredJudgement
from monitor.timeutil import parse_time, to_text

_CHUNK = 500  # bound parameters per IN (...) query


def chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    """``values`` in slices small enough for one ``IN (...)`` query each."""
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


class JudgedMixin:
    """The judge pass's batch access (mixed into ``Store``)."""

    db: Any
    _ITEM_COLUMNS: str

    def _judgement(self, row: tuple) -> StoredJudgement: ...

    def items_of_documents(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """Item ids of each of these documents, in part order (documents without items absent)."""
        out: dict[str, list[str]] = {}
        for chunk in chunks(list(dict.fromkeys(keys))):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT doc_key, id FROM items WHERE doc_key IN ({marks}) ORDER BY doc_key, part",
                list(chunk),
            )
            for key, item_id in rows:
                out.setdefault(key, []).append(item_id)
        return out

    def story_ids(self, item_ids: Sequence[str]) -> dict[str, str | None]:
        """The story each of these stored items belongs to (None for one in no story)."""
        out: dict[str, str | None] = {}
        for chunk in chunks(list(dict.fromkeys(item_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT id, story_id FROM items WHERE id IN ({marks})", list(chunk)
            )
            out.update((item_id, story) for item_id, story in rows)
        return out

    def window_since(
        self, cutoff: datetime
    ) -> list[tuple[str, datetime, datetime, bytes, str, str]]:
        """(id, published, first seen, fingerprint, title, start of the text) of every judged
        item first seen at or after ``cutoff``, oldest first, in one query: the novelty
        window (fingerprints) and the headline-only copy check (titles) together. Items
        still pending are not judged yet: the leader's pass adds them."""
        rows = self.db.execute(
            "SELECT id, published, first_seen, fingerprint, title, substr(body, 1, 400)"
            f" FROM items WHERE fingerprint IS NOT NULL AND NOT {PENDING_ROWS}"
            " AND first_seen >= ? ORDER BY first_seen, id",
            (to_text(cutoff),),
        )
        return [(r[0], parse_time(r[1]), parse_time(r[2]), bytes(r[3]), r[4], r[5]) for r in rows]

    def stories_in_digests(self, story_ids: Sequence[str]) -> set[str]:
        """Which of these stories already went into a digest (sent or waiting)."""
        found: set[str] = set()
        for chunk in chunks(list(dict.fromkeys(story_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT story_id FROM digest_stories WHERE story_id IN ({marks})", list(chunk)
            )
            found.update(row[0] for row in rows)
        return found

    def record_judged(
        self,
        now: datetime,
        sources: Sequence[tuple[str, str, str]],
        documents: Sequence[tuple[str, str, str | None, str | None, str]],
        records: Sequence[ItemRecord],
        links: Sequence[tuple[str, str, str | None]],
    ) -> None:
        """Write one judge pass: sources (id, kind, name), documents (key, source id, url,
        title, notes), judged items, and extra (item id, source id, url) links for known
        documents that arrived again. Rows already stored are left as they were."""
        when = to_text(now)
        # Rows in key order: two workers writing overlapping documents at once then wait
        # for each other in the same order, and never deadlock.
        documents = sorted(documents)
        records = sorted(records, key=lambda r: r.item.id)
        links = sorted(links, key=lambda link: (link[0], link[1]))
        self.db.executemany(
            "INSERT INTO sources (id, kind, name, added_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [(source_id, kind, name, when) for source_id, kind, name in sources],
        )
        self.db.executemany(
            "INSERT INTO documents (key, source_id, url, title, first_seen, notes)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            [(k, source, url, title, when, notes) for k, source, url, title, notes in documents],
        )
        self.db.executemany(
            "INSERT INTO items (id, doc_key, part, source_id, source_name, url, title, body, lang,"
            " published, first_seen, relevance, relevance_json, status, novelty, novelty_json,"
            " matched_item, story_id, fingerprint)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                (
                    r.item.id, r.item.doc_key, r.item.part, r.item.source_id, r.item.source_name,
                    r.item.url, r.item.title, r.item.text, r.item.lang, to_text(r.item.published),
                    to_text(r.item.first_seen), r.relevance, r.relevance_json, r.status,
                    r.novelty, r.novelty_json, r.matched_item, r.story_id, r.fingerprint,
                )
                for r in records
            ],
        )  # fmt: skip
        self.db.executemany(
            "INSERT INTO item_sources (item_id, source_id, url, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (item_id, source_id) DO NOTHING",
            [(r.item.id, r.item.source_id, r.item.url, to_text(r.item.first_seen)) for r in records]
            + [(item_id, source_id, url, when) for item_id, source_id, url in links],
        )
        self._insert_new_stories(records)

    def _insert_new_stories(self, records: Sequence[ItemRecord]) -> None:
        """A story row for every record that leads its own story."""
        self.db.executemany(
            "INSERT INTO stories (id, lead_item, first_seen) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            [
                (r.item.id, r.item.id, to_text(r.item.first_seen))
                for r in records
                if r.story_id == r.item.id
            ],
        )

    # -- what workers prepared, for the judging leader --------------------------------

    def pending_items(self) -> list[tuple[Item, str, bytes | None]]:
        """(item, relevance JSON, fingerprint) of every item waiting for the novelty pass,
        in arrival order."""
        rows = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS}, fingerprint FROM items WHERE {PENDING_ROWS}"
            " ORDER BY first_seen, doc_key, part"
        ).fetchall()
        out = []
        for row in rows:
            judged = self._judgement(tuple(row[:-1]))
            out.append((judged.item, judged.relevance_json, bytes(row[-1]) if row[-1] else None))
        return out

    def record_verdicts(self, records: Sequence[ItemRecord]) -> None:
        """Write the novelty pass's verdicts over pending items (their relevance and
        fingerprint stay as prepared), and the new stories."""
        records = sorted(records, key=lambda r: r.item.id)
        self.db.executemany(
            "UPDATE items SET status = ?, novelty = ?, novelty_json = ?, matched_item = ?,"
            f" story_id = ? WHERE id = ? AND {PENDING_ROWS}",
            [
                (r.status, r.novelty, r.novelty_json, r.matched_item, r.story_id, r.item.id)
                for r in records
            ],
        )  # the fingerprint stays the one the worker stored
        self._insert_new_stories(records)

    def set_fingerprints(self, fingerprints: Sequence[tuple[str, bytes]]) -> None:
        """Replace the stored fingerprint of each (item id, fingerprint): one completed since
        (``fingerprint.with_views``)."""
        if not fingerprints:
            return
        self.db.executemany(
            "UPDATE items SET fingerprint = ? WHERE id = ?",
            [(blob, item_id) for item_id, blob in sorted(fingerprints)],
        )

    def judging_term(self) -> int:
        """The judging leaders' term: it moves whenever judging changes hands."""
        row = self.db.execute("SELECT term FROM judging WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def judging_leader(self) -> tuple[int, str | None, datetime | None]:
        """(term, the worker that started it, when): the current judging leader, unless it
        died since (the next leader starts a new term within a minute) or the term ended."""
        row = self.db.execute("SELECT term, leader, since FROM judging WHERE id = 1").fetchone()
        if not row:
            return 0, None, None
        return int(row[0]), row[1], parse_time(row[2]) if row[2] else None

    def start_judging_term(self, leader: str, now: datetime) -> int:
        """Begin a new term led by ``leader`` (inside the exclusive transaction); its number."""
        term = self.judging_term() + 1
        self.db.execute(
            "INSERT INTO judging (id, term, leader, since) VALUES (1, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET term = excluded.term, leader = excluded.leader,"
            " since = excluded.since",
            (term, leader, to_text(now)),
        )
        return term

    def end_judging_term(self) -> None:
        """Items were judged outside any leader's term (`run-once`): a kept window is stale."""
        self.db.execute(
            "INSERT INTO judging (id, term, leader) VALUES (1, 1, NULL)"
            " ON CONFLICT (id) DO UPDATE SET term = judging.term + 1, leader = NULL"
        )
