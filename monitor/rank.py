"""Ranking: the order of stories in a digest.

    score = relevance_weight * relevance
          + novelty_weight   * novelty
          + recency_weight   * 0.5 ** (age_hours / recency_half_life_hours)

relevance and novelty are in [0, 1] (see ``relevance`` and ``novelty``); age is
measured from the item's publication time (first-seen time when it has none)
to the digest time, never negative. A follow-up carries its own novelty score,
which is lower than a fresh story's because it resembles something known.
Ties are broken by publication time (newest first), then by item id, so the
same inputs always give the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from monitor.model import Item, Novelty, RankedItem, Relevance
from monitor.settings import RankSettings


def recency(item: Item, now: datetime, half_life_hours: float) -> float:
    """1.0 for an item published now, halving every ``half_life_hours``."""
    age_hours = max((now - item.published).total_seconds() / 3600.0, 0.0)
    return float(0.5 ** (age_hours / half_life_hours))


def score(
    item: Item, relevance: Relevance, novelty: Novelty, settings: RankSettings, now: datetime
) -> float:
    """The rank score of one item, by the formula in the module docstring."""
    value = (
        settings.relevance_weight * relevance.score
        + settings.novelty_weight * novelty.score
        + settings.recency_weight * recency(item, now, settings.recency_half_life_hours)
    )
    return round(value, 6)


def rank(
    judged: Iterable[tuple[Item, Relevance, Novelty]], settings: RankSettings, now: datetime
) -> list[RankedItem]:
    """Score every item and return them best first, ties broken deterministically."""
    ranked = [
        RankedItem(item, relevance, novelty, score(item, relevance, novelty, settings, now))
        for item, relevance, novelty in judged
    ]
    ranked.sort(key=lambda r: (-r.score, -r.item.published.timestamp(), r.item.id))
    return ranked
