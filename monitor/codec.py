"""Judgements to and from JSON, for the store and for `preview --format json`."""

from __future__ import annotations

import json
from typing import Any

from monitor.model import Evidence, Novelty, Relevance, Similarity


def relevance_to_dict(relevance: Relevance) -> dict[str, Any]:
    return {
        "score": relevance.score,
        "relevant": relevance.relevant,
        "reason": relevance.reason,
        "evidence": [
            {"group": e.group, "term": e.term, "count": e.count, "in_title": e.in_title,
             "weight": e.weight, "where": e.where}
            for e in relevance.evidence
        ],
    }  # fmt: skip


def relevance_from_json(text: str) -> Relevance:
    data = json.loads(text)
    return Relevance(
        score=data["score"],
        relevant=data["relevant"],
        reason=data["reason"],
        evidence=tuple(Evidence(**e) for e in data["evidence"]),
    )


def similarity_to_dict(similarity: Similarity) -> dict[str, Any]:
    return {
        "lexical": round(similarity.lexical, 4),
        "semantic": round(similarity.semantic, 4),
        "score": round(similarity.score, 4),
        "verdict": similarity.verdict,
        "same_story": round(similarity.same_story, 4),
    }


def novelty_to_dict(novelty: Novelty) -> dict[str, Any]:
    return {
        "kind": novelty.kind,
        "score": novelty.score,
        "matched": novelty.matched,
        "reason": novelty.reason,
        "similarity": similarity_to_dict(novelty.similarity) if novelty.similarity else None,
    }


def novelty_from_json(text: str) -> Novelty:
    data = json.loads(text)
    similarity = Similarity(**data["similarity"]) if data.get("similarity") else None
    return Novelty(
        kind=data["kind"],
        score=data["score"],
        matched=data["matched"],
        similarity=similarity,
        reason=data["reason"],
    )
