"""The values the store hands out and takes in, apart from the SQL that reads and writes them.

``Store`` (``store/__init__.py``) and its ``JudgedMixin`` (``store/judged.py``) both
use them; kept here, neither has to import the other for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model import Item

#: Statuses of items a worker prepared (relevance and fingerprint kept) that wait for the
#: judging leader's novelty pass; a backlog item waits as PENDING_BACKLOG.
PENDING, PENDING_BACKLOG = "pending", "pending-backlog"
#: The SQL condition of the pending rows (the partial index items_pending has the same).
PENDING_ROWS = "status IN ('pending', 'pending-backlog')"


@dataclass(frozen=True, slots=True)
class StoredJudgement:
    """An item as stored, with the judgements made when it was first seen."""

    item: Item
    status: str
    relevance: float
    relevance_json: str
    novelty: float | None
    novelty_json: str | None
    matched_item: str | None
    story_id: str | None


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """Everything to persist about one newly judged item."""

    item: Item
    status: str
    relevance: float
    relevance_json: str
    novelty: float | None = None
    novelty_json: str | None = None
    matched_item: str | None = None
    story_id: str | None = None
    fingerprint: bytes | None = None
