"""The semantic tier: near vectors are found among many, through training, adds and evictions."""

from __future__ import annotations

import numpy as np

from monitor.vectorindex import TRAIN_MIN, VectorIndex

DIM = 512


def beat(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unit vectors of one anisotropic beat: a shared direction, topics, falling variance
    (along random axes, as a sentence encoder spreads its coordinates)."""
    spread = np.arange(1.0, DIM + 1) ** -0.4 / np.sqrt((np.arange(1.0, DIM + 1) ** -0.8).mean())
    basis = np.linalg.qr(rng.standard_normal((DIM, DIM)))[0]
    domain = unit(rng.standard_normal(DIM))
    topics = unit((rng.standard_normal((max(1, n // 50), DIM)) * spread) @ basis)
    noise = unit((rng.standard_normal((n, DIM)) * spread) @ basis)
    return unit(0.45 * domain + 0.55 * topics[rng.integers(0, len(topics), n)] + 0.7 * noise)


def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def near(rng: np.random.Generator, v: np.ndarray, cos: float) -> np.ndarray:
    """A unit vector at cosine ``cos`` from ``v``."""
    noise = rng.standard_normal(DIM).astype(np.float32)
    noise = unit(noise - (noise @ v) * v)
    return unit(cos * v + np.sqrt(1 - cos**2) * noise)


def add(index: VectorIndex, vecs: np.ndarray) -> None:
    for start in range(0, len(vecs), 4096):
        part = vecs[start : start + 4096]
        index.add(np.arange(index.n, index.n + len(part), dtype=np.int32), part)


def found(index: VectorIndex, vecs: np.ndarray, rows: np.ndarray, rng) -> float:
    """Share of ``rows`` whose vector is found from a query at cosine 0.78 to it."""
    hits = 0
    for row in rows:
        got, cos = index.search(near(rng, vecs[row], 0.78), 0.55)
        hits += int(row in set(got[np.argsort(-cos)[:16]].tolist()))
    return hits / len(rows)


def test_small_index_is_scanned_exactly():
    rng = np.random.default_rng(1)
    vecs = beat(rng, TRAIN_MIN - 1)
    index = VectorIndex()
    add(index, vecs)
    assert index.ivf is None
    rows, cos = index.search(vecs[17], 0.55)
    assert 17 in rows.tolist()
    assert abs(float(cos[rows.tolist().index(17)]) - 1.0) < 0.02
    assert found(index, vecs, rng.choice(len(vecs), 40, replace=False), rng) == 1.0


def test_near_vectors_are_found_through_training_adds_and_evictions():
    rng = np.random.default_rng(2)
    vecs = beat(rng, 40_000)
    index = VectorIndex()
    add(index, vecs[:30_000])  # trained at 16,384; the rest filed into its cells
    assert index.ivf is not None and index.trained_at == 16_384
    assert found(index, vecs, rng.choice(30_000, 100, replace=False), rng) >= 0.97

    # Evict every third row: the rest are renumbered, and an evicted row is never proposed.
    keep = np.arange(30_000) % 3 != 0
    index.keep(keep, (np.cumsum(keep) - 1).astype(np.int32))
    left = vecs[:30_000][keep]
    assert index.n == len(left) == 20_000
    for row in (0, 1, 2, 3):  # rows 0 and 3 were evicted; 1 and 2 are now rows 0 and 1
        got, _ = index.search(vecs[row], 0.9)
        assert got.tolist() == ([] if row % 3 == 0 else [row - 1 - row // 3])
    assert found(index, left, rng.choice(len(left), 100, replace=False), rng) >= 0.97

    # Rows added after the eviction, then after a retraining, are found under their new numbers.
    add(index, vecs[30_000:])
    assert index.trained_at == 32_768 or index.n < 2 * 20_000
    both = np.concatenate([left, vecs[30_000:]])
    assert found(index, both, np.arange(len(left), len(both), 200), rng) >= 0.97
