"""Ranking: the documented formula, and a deterministic order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.model import Item, Novelty, Relevance
from monitor.rank import rank, recency
from monitor.settings import RankSettings

NOW = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def item(item_id: str, hours_old: float) -> Item:
    published = NOW - timedelta(hours=hours_old)
    return Item(
        item_id, "doc", 0, "corpus", "src", None, f"title {item_id}", "text", "en", published, NOW
    )


def rel(value: float) -> Relevance:
    return Relevance(value, True, (), "")


def nov(value: float) -> Novelty:
    return Novelty("new", value)


def test_recency_halves_every_half_life() -> None:
    assert recency(item("a", 0), NOW, 36) == 1.0
    assert abs(recency(item("a", 36), NOW, 36) - 0.5) < 1e-9
    assert recency(item("a", -5), NOW, 36) == 1.0  # a future date counts as now


def test_formula_and_order() -> None:
    settings = RankSettings(
        relevance_weight=0.5, novelty_weight=0.3, recency_weight=0.2, recency_half_life_hours=24
    )
    ranked = rank(
        [
            (item("old", 48), rel(1.0), nov(1.0)),
            (item("fresh", 0), rel(0.6), nov(1.0)),
            (item("copy", 0), rel(1.0), nov(0.2)),
        ],
        settings,
        NOW,
    )
    scores = {r.item.id: r.score for r in ranked}
    assert abs(scores["old"] - (0.5 + 0.3 + 0.2 * 0.25)) < 1e-6
    assert abs(scores["fresh"] - (0.3 + 0.3 + 0.2)) < 1e-6
    assert [r.item.id for r in ranked] == ["old", "fresh", "copy"]


def test_ties_are_broken_by_date_then_id() -> None:
    settings = RankSettings(relevance_weight=1.0, novelty_weight=0.0, recency_weight=0.0)
    entries = [
        (item(name, hours), rel(0.5), nov(1.0)) for name, hours in [("b", 1), ("a", 1), ("c", 0)]
    ]
    assert [r.item.id for r in rank(entries, settings, NOW)] == ["c", "a", "b"]
    assert [r.item.id for r in rank(list(reversed(entries)), settings, NOW)] == ["c", "a", "b"]
