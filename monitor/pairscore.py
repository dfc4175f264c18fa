"""Pair scoring: the features of two fingerprints and the fitted model's verdict on them. Pure.

``monitor.novelty`` calls these for the candidates its index returns; ``monitor compare`` and the
benches call them on pairs directly. The rules that keep two alike reports apart or join two
unlike ones (``monitor.eventrules``) overrule its verdict here, in ``similarities_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitor import similarity as _sim
from monitor.eventrules import MARKET_LINK, events_differ, events_link, one_subject
from monitor.fingerprint import NUM_PERM, Fingerprint
from monitor.model import Similarity
from monitor.sketches import bbit_jaccard

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "compare",
    "embedding_vector",
    "index_scores",
    "lexical_similarity",
    "pair_features",
    "pair_features_many",
    "shared_amounts_many",
    "similarities_of",
    "similarity_of",
]


def lexical_similarity(
    minhash_a: np.ndarray, size_a: int, minhash_b: np.ndarray, size_b: np.ndarray
) -> np.ndarray:
    """max(Jaccard, containment) from b-bit MinHashes, vectorised over rows of ``minhash_b``."""
    import numpy as np

    size_b = np.asarray(size_b, dtype=np.float64)
    match = (minhash_b == minhash_a).mean(axis=-1)
    chance = 1.0 / 256  # two different minima share their low byte by chance
    jac = np.clip((match - chance) / (1 - chance), 0.0, 1.0)
    # Containment from Jaccard and the sizes, with Jaccard lowered by two
    # standard errors so that noise times a large size ratio is not "containment".
    low = np.clip(jac - 2 * np.sqrt(np.maximum(jac, 1 / NUM_PERM) * (1 - jac) / NUM_PERM), 0, 1)
    smaller = np.maximum(np.minimum(size_a, size_b), 1)
    contain = np.clip(low * (size_a + size_b) / ((1 + low) * smaller), 0.0, 1.0)
    out = np.maximum(jac, contain)
    return np.where((size_a == 0) | (size_b == 0), 0.0, out)


def embedding_vector(fp: Fingerprint) -> np.ndarray:
    """The fingerprint's embedding as a float32 unit vector."""
    import numpy as np

    vec = np.frombuffer(fp.embedding, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _vector(raw: bytes) -> np.ndarray:
    import numpy as np

    vec = np.frombuffer(raw, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def pair_features(a: Fingerprint, b: Fingerprint) -> np.ndarray:
    """The ``monitor.similarity.FEATURES`` of a pair, as one float64 row."""
    import numpy as np

    lex = float(
        lexical_similarity(
            np.frombuffer(a.minhash, np.uint8), a.shingles, np.frombuffer(b.minhash, np.uint8),
            np.asarray(b.shingles),
        )
    )  # fmt: skip
    cross, cross_script = _sim.languages_differ(a.lang, b.lang)
    amt_shared, amt_conflict = _sim.fact_features(
        a.head_amounts, a.lead_amounts, b.head_amounts, b.lead_amounts
    )
    ent_a, ent_b = set(a.lead_entities), set(b.lead_entities)
    # Jaccard of the entities (places left out) of headline + lead; unknown (0.5) when
    # either names none, as a headline-only entry often does.
    ent_shared = len(ent_a & ent_b) / len(ent_a | ent_b) if ent_a and ent_b else 0.5
    ent_conflict = _sim.principal_conflict(
        a.head_entities, a.lead_entities, b.head_entities, b.lead_entities
    )
    return np.array(
        [
            float(embedding_vector(a) @ embedding_vector(b)),
            float(_vector(a.head_embedding) @ _vector(b.head_embedding)),
            lex, bbit_jaccard(a.minhash3, b.minhash3), _sim.head_jaccard(a.headline, b.headline),
            float(cross), amt_shared, amt_conflict, ent_shared, ent_conflict, float(cross_script),
        ],
        dtype=np.float64,
    )  # fmt: skip


def pair_features_many(a: Fingerprint, others: Sequence[Fingerprint]) -> np.ndarray:
    """``pair_features`` of ``a`` against each of ``others``, as one (k, 11) float64 matrix.

    The judge's path: the array views (cosines, MinHash overlaps) are computed
    over all candidates at once; only the set-valued views (headline 3-grams,
    amounts, entities) stay per pair, with ``a``'s side computed once.
    """
    import numpy as np

    k = len(others)
    out = np.zeros((k, len(_sim.FEATURES)), dtype=np.float64)
    if not k:
        return out
    dim = len(a.embedding)

    def unit_rows(raw: list[bytes]) -> np.ndarray:
        m = np.frombuffer(b"".join(raw), np.int8).reshape(k, dim).astype(np.float32)
        norm = np.linalg.norm(m, axis=1, keepdims=True)
        return np.divide(m, norm, out=m, where=norm > 0)

    out[:, 0] = unit_rows([o.embedding for o in others]) @ embedding_vector(a)
    out[:, 1] = unit_rows([o.head_embedding for o in others]) @ _vector(a.head_embedding)
    mh = np.frombuffer(b"".join(o.minhash for o in others), np.uint8).reshape(k, -1)
    sizes = np.array([o.shingles for o in others])
    out[:, 2] = lexical_similarity(np.frombuffer(a.minhash, np.uint8), a.shingles, mh, sizes)
    mh3 = np.frombuffer(b"".join(o.minhash3 for o in others), np.uint8).reshape(k, -1)
    match = (mh3 == np.frombuffer(a.minhash3, np.uint8)).mean(axis=1)
    jac3 = np.clip((match - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)
    empty = not any(a.minhash3) or np.array([not any(o.minhash3) for o in others])
    out[:, 3] = np.where(empty, 0.0, jac3)
    grams_a = _sim.trigrams(a.headline)
    ent_a = set(a.lead_entities)
    for i, b in enumerate(others):
        grams_b = _sim.trigrams(b.headline)
        head3 = len(grams_a & grams_b) / len(grams_a | grams_b) if grams_a and grams_b else 0.0
        amt_shared, amt_conflict = _sim.fact_features(
            a.head_amounts, a.lead_amounts, b.head_amounts, b.lead_amounts
        )
        ent_b = set(b.lead_entities)
        ent_shared = len(ent_a & ent_b) / len(ent_a | ent_b) if ent_a and ent_b else 0.5
        ent_conflict = _sim.principal_conflict(
            a.head_entities, a.lead_entities, b.head_entities, b.lead_entities
        )
        cross, cross_script = _sim.languages_differ(a.lang, b.lang)
        out[i, 4:] = (
            head3, cross, amt_shared, amt_conflict, ent_shared, ent_conflict, cross_script
        )  # fmt: skip
    return out


def index_scores(sem: np.ndarray, lex: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """The same-story probability from the two index figures alone (headline view = lead view).

    For scans that hold only the index columns (bench/bench_novelty.py's exact
    reference); ``compare`` and ``NoveltyIndex.judge`` score every view. A ``cross``
    pair is scored as two languages of one script.
    """
    import numpy as np

    sem = np.asarray(sem, dtype=np.float64)
    x = np.zeros((len(sem), len(_sim.FEATURES)))
    x[:, 0] = x[:, 1] = sem
    x[:, 2] = lex
    x[:, 5] = cross
    return _sim.load_model().score(x)[1]


def compare(a: Fingerprint, b: Fingerprint) -> Similarity:
    """How alike two fingerprinted items are: the fitted scores and a verdict."""
    return similarities_of(
        pair_features(a, b)[None, :], [_sim.shared_amounts(a.text_amounts, b.text_amounts)],
        [events_differ(a, b)], [events_link(a, b)], [one_subject(a, b)],
    )[0]  # fmt: skip


def similarity_of(x: np.ndarray, facts: int = 0) -> Similarity:
    """Score one feature row (``pair_features``) with the shipped model."""
    return similarities_of(x[None, :], [facts])[0]


def shared_amounts_many(a: Fingerprint, others: Sequence[Fingerprint]) -> list[int]:
    """``monitor.similarity.shared_amounts`` of ``a`` against each of ``others``."""
    return [_sim.shared_amounts(a.text_amounts, o.text_amounts) for o in others]


def similarities_of(
    x: np.ndarray, facts: Sequence[int] = (), differ: Sequence[bool] = (),
    link: Sequence[bool | str] = (), principal: Sequence[bool | str] = (),
) -> list[Similarity]:  # fmt: skip
    """Score feature rows (``pair_features_many``) with one evaluation of the shipped model.

    ``facts``: the amounts each pair shares (``shared_amounts_many``; none when empty).
    ``differ``: whether each pair reports different events (``events_differ``): such a
    pair is at most ``related``, never folded. ``link``: whether each pair is one event
    by ``events_link``: such a pair is one story unless its amounts or principal
    entities conflict, it differs, or its lead cosine is below ``similarity.LINK_MIN_SEMANTIC``
    (``MARKET_LINK_MIN_SEMANTIC`` for a market's session).
    A link may be given as its ``link_reason``: one market's session report of one day is
    one event whichever company each headline names first (Topix, SoftBank Group).
    ``principal``: whether each pair names one principal company the beat is not itself
    about, or one site in both headlines (``eventrules.one_subject``, which may say which).
    Two languages of one such principal are one story from
    ``similarity.PRINCIPAL_SAME_STORY``, not the stricter threshold of two languages
    (``same_story_cross``): what makes a pair in two languages suspect is that the encoder
    scores any two reports of one beat alike across languages, and a shared principal
    rules most of those out.
    """
    model = _sim.load_model()
    sim, story = model.score(x)
    shared = list(facts) or [0] * len(x)
    other = list(differ) or [False] * len(x)
    linked = list(link) or [False] * len(x)
    one = list(principal) or [False] * len(x)
    out = []
    for row, s, p, n, other_event, one_event, same_principal in zip(
        x.tolist(), sim.tolist(), story.tolist(), shared, other, linked, one, strict=True
    ):
        lex = row[2]
        market = isinstance(one_event, str) and one_event.startswith(MARKET_LINK)
        conflict = bool(row[7] or (row[9] and not market))
        # The principal's floor is for two languages only (``compare`` passes any pair's).
        principal_across = bool(row[5]) and same_principal
        verdict = model.verdict(
            lex, s, p, conflict, bool(row[5]) and not principal_across,
            n if row[0] >= _sim.FACTS_MIN_SEMANTIC else 0,
        )  # fmt: skip
        if (
            principal_across
            and not conflict
            and verdict in ("related", "different")
            and p >= _sim.PRINCIPAL_SAME_STORY
        ):
            verdict = "same story"
        if (
            one_event
            and not conflict
            and verdict in ("related", "different")
            and row[0] >= (_sim.MARKET_LINK_MIN_SEMANTIC if market else _sim.LINK_MIN_SEMANTIC)
        ):
            verdict = "same story"
        if other_event and verdict in ("copy", "same story"):
            verdict = "related"
        out.append(
            Similarity(
                lexical=lex, semantic=min(1.0, max(0.0, row[0])), score=s,
                verdict=verdict,  # type: ignore[arg-type]
                same_story=p,
            )
        )  # fmt: skip
    return out
