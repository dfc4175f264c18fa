"""Digests on their way out: written here before delivery, marked sent after.

A digest is inserted as 'pending' together with the stories it holds, so no
other digest can take them; the transaction that marks it 'sent' also marks its
stories delivered. A crash in between leaves it pending, and the next run sends
the same stored bytes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.timeutil import parse_time, to_text


@dataclass(frozen=True, slots=True)
class OutboxDigest:
    """A digest as stored in the outbox."""

    id: str
    day: str
    created_at: str
    message_id: str
    subject: str
    story_count: int
    html: str
    text: str
    json: str
    eml: bytes | None
    status: str
    attempts: int
    last_error: str | None
    next_attempt: str | None


def _text(moment: str | datetime) -> str:
    """A stored moment in the store's text form (PostgreSQL hands back a datetime)."""
    return to_text(parse_time(moment))


class OutboxMixin:
    """SQL for the ``digests`` and ``digest_stories`` tables. Mixed into ``Store``."""

    db: Any

    _DIGEST_COLUMNS = (
        "id, day, created_at, message_id, subject, story_count, html, text, json, eml,"
        " status, attempts, last_error, next_attempt"
    )

    def digest_contents(self) -> list[tuple[str, str, str]]:
        """(id, created_at, JSON) of every digest built, sent or not, oldest first."""
        rows = self.db.execute("SELECT id, created_at, json FROM digests ORDER BY created_at, id")
        return [(row[0], row[1], row[2]) for row in rows]

    def add_digest(self, digest: OutboxDigest, story_ids: list[str]) -> None:
        """Put a built digest in the outbox and reserve its stories for it."""
        self.db.execute(
            f"INSERT INTO digests ({self._DIGEST_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                digest.id, digest.day, digest.created_at, digest.message_id, digest.subject,
                digest.story_count, digest.html, digest.text, digest.json, digest.eml,
                digest.status, digest.attempts, digest.last_error, digest.next_attempt,
            ),
        )  # fmt: skip
        self.db.executemany(
            "INSERT INTO digest_stories (digest_id, story_id, position) VALUES (?, ?, ?)",
            [(digest.id, story_id, position) for position, story_id in enumerate(story_ids)],
        )

    def pending_digests(self) -> list[OutboxDigest]:
        """Digests built but not yet delivered, oldest first."""
        rows = self.db.execute(
            f"SELECT {self._DIGEST_COLUMNS} FROM digests"
            " WHERE status <> 'sent' ORDER BY created_at, id"
        )
        return [
            OutboxDigest(
                *row[:2], _text(row[2]), *row[3:9], bytes(row[9]) if row[9] else None,
                *row[10:13], _text(row[13]) if row[13] else None,
            )
            for row in rows
        ]  # fmt: skip

    def any_digest(self) -> bool:
        """Whether a digest was ever built (sent or not)."""
        return self.db.execute("SELECT 1 FROM digests LIMIT 1").fetchone() is not None

    def digests_on_day(self, day: str) -> int:
        row = self.db.execute("SELECT COUNT(*) FROM digests WHERE day = ?", (day,)).fetchone()
        return int(row[0])

    def mark_digest_sent(self, digest_id: str, now: datetime) -> None:
        """Mark a digest delivered and its stories with it (call inside a transaction)."""
        self.db.execute(
            "UPDATE digests SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL, next_attempt = NULL WHERE id = ?",
            (to_text(now), digest_id),
        )
        self.db.execute(
            "UPDATE stories SET digest_id = ? WHERE id IN"
            " (SELECT story_id FROM digest_stories WHERE digest_id = ?)",
            (digest_id, digest_id),
        )

    def mark_digest_failed(
        self, digest_id: str, error: str, next_attempt: datetime | None, *, permanent: bool
    ) -> None:
        """Keep a digest in the outbox with the reason it could not be delivered."""
        self.db.execute(
            "UPDATE digests SET status = ?, attempts = attempts + 1, last_error = ?,"
            " next_attempt = ? WHERE id = ?",
            (
                "failed" if permanent else "pending",
                error,
                to_text(next_attempt) if next_attempt else None,
                digest_id,
            ),
        )

    def reopen_failed(self, digest_ids: list[str] | None = None) -> list[str]:
        """Put permanently failed digests back in line for delivery; return their ids."""
        rows = self.db.execute("SELECT id FROM digests WHERE status = 'failed' ORDER BY id")
        chosen = [row[0] for row in rows if digest_ids is None or row[0] in digest_ids]
        self.db.executemany(
            "UPDATE digests SET status = 'pending', next_attempt = NULL WHERE id = ?",
            [(digest_id,) for digest_id in chosen],
        )
        return chosen

    def record_digest_run(self, now: datetime, digest_id: str | None) -> None:
        """Note that a digest cycle ran at ``now`` (whether or not it found anything)."""
        self.db.execute(
            "INSERT INTO digest_runs (ran_at, digest_id) VALUES (?, ?)"
            " ON CONFLICT (ran_at) DO NOTHING",
            (to_text(now), digest_id),
        )

    def last_digest_run(self) -> datetime | None:
        """When the latest digest cycle ran, if one ever did."""
        row = self.db.execute("SELECT MAX(ran_at) FROM digest_runs").fetchone()
        return parse_time(row[0]) if row and row[0] else None
