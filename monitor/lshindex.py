"""Numpy index structures behind ``NoveltyIndex``: candidates without a pairwise scan.

Rows are numbered 0, 1, ... in the order items were added; these structures
answer "which rows might be close to this query" and hold what is needed to
check it.

``BandIndex`` (lexical tier): for each of the 16 MinHash LSH bands, the band
keys in a sorted ``uint32`` array with row numbers beside it; a query is a
``searchsorted`` per band. New rows wait in an unsorted tail (compared by
brute force, at most 4,096 rows), which is sorted into a small run, which is
merged into the big run (``np.insert``, O(n)) when it passes 1/8 of it.

``VectorIndex`` (semantic tier): every vector as 4-bit codes in row order
(256 bytes a row; cosine error sd 0.004 against float32 on USE vectors).
Candidates come from an inverted file: k-means cells over a 64-d PCA
projection (retrained with n/128 cells each time the index doubles). A query
takes the nearest cells until it holds ``SCAN_ROWS`` rows, ranks those by the
Hamming distance of 512 sign bits of ``x - mean`` (SimHash, 64 bytes a row,
kept per cell so that a probe is a slice) and scores the ``RERANK`` nearest
exactly. Rows added since the last filing (under 1,024; every row while there
are fewer than 4,096) are scored exactly.

The cost per query is fixed; the recall is not. A same-story pair at cosine
0.75-0.85 is only a moderately near neighbour (unrelated items of one beat sit
at 0.2-0.6), and its cell is not always among the nearest. On the synthetic
histories of bench/bench_novelty.py, planted same-story reports (half of them
also copies, which the lexical tier finds anyway) are found 100 % at 10^4
items, 95 % at 10^5 and 83 % at 10^6. Raising ``SCAN_ROWS`` buys recall for
time. Graph indexes were measured against it (bench/bench_ann.py; figures in
the README): HNSW (usearch) finds more at 10^5, fewer at 10^6, and takes
minutes to build there, so it would have to be kept on disk.

``Column`` grows a numpy array in place (``ndarray.resize``: realloc, so no
second copy of a large column while it grows).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

DIM = 512
PCA_DIM = 64
TRAIN_MIN = 4096  # rows before the first k-means; below it the exact tail is fast enough
ROWS_PER_LIST = 128  # at training time; lists reach ~256 rows before the next retrain
SCAN_ROWS = 12_000  # rows ranked by sign bits per query (~0.5 ms)
MAX_PROBE = 512
RERANK = 256  # rows scored exactly after the sign-bit estimate
BLOCK = 4096  # rows per distance block: 4096 x 4096 lists x 4 B = 64 MB at most
PCA_SAMPLE = 16_384
KMEANS_SAMPLE = 65_536  # 16 a cell at 4,096 cells: enough for coarse cells, and cheap
TAIL_FLUSH = 1024
MAX_BUCKET = 256  # candidates per band key; a boilerplate-heavy key keeps its newest rows
KMEANS_ITERS = 8
# Semantic candidates per query, nearest first (lexical band hits come on top of these).
MAX_SEMANTIC_CANDIDATES = 16
_STEP = 2.0 / np.sqrt(DIM) / 7.5  # 4-bit step: +-2 sd of a unit vector's coordinate


class Column:
    """An append-only numpy array with amortised growth; ``values`` is a view of the rows."""

    def __init__(self, dtype: np.dtype | type, width: tuple[int, ...] = ()) -> None:
        self._arr = np.zeros((0, *width), dtype=dtype)
        self.n = 0

    @property
    def values(self) -> np.ndarray:
        return self._arr[: self.n]

    def extend(self, block: np.ndarray) -> None:
        need = self.n + len(block)
        if need > len(self._arr):
            cap = max(need, int(len(self._arr) * 1.125) + 16)
            # Safe: the array owns its data and no view outlives a method call.
            self._arr.resize((cap, *self._arr.shape[1:]), refcheck=False)
        self._arr[self.n : need] = block
        self.n = need

    def keep(self, mask: np.ndarray, renumber: np.ndarray | None = None) -> None:
        """Keep the rows where ``mask`` is true, mapping values through ``renumber`` if given."""
        kept = self.values[mask]
        self._arr = renumber[kept].astype(self._arr.dtype) if renumber is not None else kept.copy()
        self.n = len(self._arr)

    def clear(self) -> None:
        self._arr = self._arr[:0].copy()
        self.n = 0


class Strings:
    """Many short strings in one UTF-8 buffer: ~20 bytes an id instead of ~75 as objects."""

    def __init__(self) -> None:
        self.data = Column(np.uint8)
        self.ends = Column(np.int64)

    def __len__(self) -> int:
        return self.ends.n

    def extend(self, items: list[str]) -> None:
        encoded = [item.encode("utf-8") for item in items]
        base = int(self.ends.values[-1]) if self.ends.n else 0
        lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
        self.ends.extend(base + np.cumsum(lengths))
        self.data.extend(np.frombuffer(b"".join(encoded), np.uint8))

    def __getitem__(self, i: int) -> str:
        start = int(self.ends.values[i - 1]) if i else 0
        return self.data.values[start : int(self.ends.values[i])].tobytes().decode("utf-8")

    def keep(self, mask: np.ndarray) -> None:
        lengths = np.diff(self.ends.values, prepend=0)
        self.data.keep(np.repeat(mask, lengths))
        kept = np.cumsum(lengths[mask])
        self.ends.clear()
        self.ends.extend(kept)


class BandIndex:
    """MinHash LSH over band keys held in sorted arrays: a big run, a small run and a tail."""

    def __init__(self, bands: int) -> None:
        self.bands = bands
        # runs[0] is the big one; runs[1] takes the tail and is merged into runs[0] when it
        # passes 1/8 of it, so a bulk load costs O(n) per merge, not a re-sort of everything.
        self.runs = [_empty_run(bands), _empty_run(bands)]
        self.tail_keys = Column(np.uint32, (bands,))
        self.tail_rows = Column(np.int32)

    def add(self, rows: np.ndarray, keys: np.ndarray) -> None:
        self.tail_keys.extend(keys)
        self.tail_rows.extend(rows)
        if self.tail_rows.n >= TAIL_FLUSH * 4:
            tail = []
            for b in range(self.bands):
                order = np.argsort(self.tail_keys.values[:, b], kind="stable")
                tail.append((self.tail_keys.values[order, b], self.tail_rows.values[order]))
            for b in range(self.bands):
                self.runs[1][b] = _merge(self.runs[1][b], tail[b])
            self.tail_keys.clear()
            self.tail_rows.clear()
            if len(self.runs[1][0][0]) * 8 >= len(self.runs[0][0][0]):
                for b in range(self.bands):  # band by band: one band's copy at a time
                    self.runs[0][b] = _merge(self.runs[0][b], self.runs[1][b])
                    self.runs[1][b] = (self.runs[1][b][0][:0], self.runs[1][b][1][:0])

    def query(self, keys: np.ndarray) -> np.ndarray:
        """Rows sharing at least one band key with ``keys``."""
        found = [self.tail_rows.values[(self.tail_keys.values == keys).any(axis=1)]]
        for run in self.runs:
            for b, (bkeys, brows) in enumerate(run):
                lo = bkeys.searchsorted(keys[b], "left")
                hi = bkeys.searchsorted(keys[b], "right")
                if hi > lo:
                    found.append(brows[max(lo, hi - MAX_BUCKET) : hi])
        return np.unique(np.concatenate(found))

    def keep(self, mask: np.ndarray, renumber: np.ndarray) -> None:
        """Drop rows where ``mask`` is false; ``renumber`` maps old row -> new row."""
        for run in self.runs:
            for b, (bkeys, brows) in enumerate(run):
                live = mask[brows]
                run[b] = (bkeys[live], renumber[brows[live]].astype(np.int32))
        live = mask[self.tail_rows.values]
        self.tail_keys.keep(live)
        self.tail_rows.keep(live, renumber)


def _empty_run(bands: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.zeros(0, np.uint32), np.zeros(0, np.int32)) for _ in range(bands)]


def _merge(old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]):
    """Merge two sorted (keys, rows) runs in O(n); equal keys keep the older rows first."""
    at = old[0].searchsorted(new[0], "right")
    return np.insert(old[0], at, new[0]), np.insert(old[1], at, new[1])


def quantise4(vecs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors -> (packed 4-bit codes (n, 256), 1 / norm of the centred codes)."""
    codes = np.clip(np.floor(vecs / _STEP + 8.0), 0, 15).astype(np.uint8)
    centred = codes.astype(np.float32) - 7.5
    inv = 1.0 / np.maximum(np.linalg.norm(centred, axis=1), 1e-6)
    return codes[:, 0::2] | (codes[:, 1::2] << 4), inv.astype(np.float32)


def _dot4(packed: np.ndarray, inv: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cosine of the float unit vector ``q`` with rows stored as 4-bit codes."""
    even = (packed & 15).astype(np.float32) @ q[0::2]
    odd = (packed >> 4).astype(np.float32) @ q[1::2]
    return (even + odd - 7.5 * float(q.sum())) * inv


def dequantise4(packed: np.ndarray, inv: np.ndarray) -> np.ndarray:
    out = np.empty((len(packed), DIM), dtype=np.float32)
    out[:, 0::2] = packed & 15
    out[:, 1::2] = packed >> 4
    out -= 7.5
    out *= inv[:, None]
    return out


class VectorIndex:
    """Cosine search above a floor: IVF lists of rows, sign-bit ranking, exact 4-bit re-rank."""

    def __init__(self) -> None:
        # Row-ordered columns: 4-bit codes and 1/norm of the centred codes.
        self.codes = Column(np.uint8, (DIM // 2,))
        self.inv = Column(np.float32)
        self.tail = Column(np.float32, (DIM,))  # rows filed..n-1, exact until filed
        self.filed = 0
        self.trained_at = 0
        self.mean = np.zeros(DIM, np.float32)
        self.proj = np.zeros((DIM, PCA_DIM), np.float32)
        self.centroids = np.zeros((0, PCA_DIM), np.float32)
        self.cent_sq = np.zeros(0, np.float32)
        # Per k-means cell, contiguous so that a probe is a slice: the sign bits of
        # x - mean (SimHash) and the row numbers.
        self.lists: list[tuple[Column, Column]] = []
        self.rng = np.random.default_rng(7)

    @property
    def n(self) -> int:
        return self.codes.n

    def add(self, rows: np.ndarray, vecs: np.ndarray) -> None:
        """Add unit vectors for rows numbered ``self.n, self.n + 1, ...``."""
        assert len(rows) == 0 or rows[0] == self.n, "rows must be added in order"
        packed, inv = quantise4(vecs)
        self.codes.extend(packed)
        self.inv.extend(inv)
        self.tail.extend(vecs)
        if self.n >= max(TRAIN_MIN, 2 * self.trained_at):
            self._train()
        elif self.trained_at and self.tail.n >= TAIL_FLUSH:
            cells, bits = self._place(self.tail.values)
            for cell in np.unique(cells):
                sel = np.flatnonzero(cells == cell)
                self.lists[cell][0].extend(bits[sel])
                self.lists[cell][1].extend(self.filed + sel)
            self.filed = self.n
            self.tail.clear()

    def _place(self, vecs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cell, sign bits) of each float vector."""
        centred = vecs - self.mean
        return _nearest(centred @ self.proj, self.centroids, self.cent_sq), _signs(centred)

    def _rows(self, start: int, stop: int) -> np.ndarray:
        return dequantise4(self.codes.values[start:stop], self.inv.values[start:stop])

    def _train(self) -> None:
        """(Re)build PCA and the coarse quantiser from samples, then refile every row."""
        with _one_blas_thread():
            self._train_now()

    def _train_now(self) -> None:
        nlist = max(8, self.n // ROWS_PER_LIST)
        pick = np.sort(self.rng.choice(self.n, min(self.n, PCA_SAMPLE), replace=False))
        sample = dequantise4(self.codes.values[pick], self.inv.values[pick])
        self.mean = sample.mean(0)
        sample -= self.mean
        # float32 throughout: float64 eigh of this 512x512 matrix took seconds here
        _, vec = np.linalg.eigh((sample.T @ sample) / len(sample))
        self.proj = np.ascontiguousarray(vec[:, ::-1][:, :PCA_DIM], dtype=np.float32)
        del sample
        pick = np.sort(self.rng.choice(self.n, min(self.n, KMEANS_SAMPLE), replace=False))
        x = np.concatenate(
            [
                (dequantise4(self.codes.values[part], self.inv.values[part]) - self.mean)
                @ self.proj
                for part in np.array_split(pick, max(1, len(pick) // BLOCK))
            ]
        )  # only the 64-d projections of the k-means sample are held
        self.centroids = _kmeans(x, nlist, self.rng)
        self.cent_sq = (self.centroids**2).sum(1)
        del x
        self.lists = []  # the old lists go before the new ones are built
        cells = np.empty(self.n, np.int32)
        bits = np.empty((self.n, DIM // 64), np.uint64)  # a 64 MB transient at 10^6 rows
        for start in range(0, self.n, BLOCK):
            cut = slice(start, start + BLOCK)
            cells[cut], bits[cut] = self._place(self._rows(start, start + BLOCK))
        order = np.argsort(cells, kind="stable").astype(np.int32)
        bounds = np.searchsorted(cells[order], np.arange(nlist + 1))
        for cell in range(nlist):
            members = order[bounds[cell] : bounds[cell + 1]]
            cell_bits, cell_rows = Column(np.uint64, (DIM // 64,)), Column(np.int32)
            cell_bits.extend(bits[members])
            cell_rows.extend(members)
            self.lists.append((cell_bits, cell_rows))
        del bits
        self.filed = self.n
        self.tail.clear()
        self.trained_at = self.n

    def search(self, q: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of stored vectors with cosine >= ``floor`` among those probed."""
        cand = [np.arange(self.filed, self.n, dtype=np.int32)]  # the tail: all of it
        if self.lists:
            d = self.cent_sq - 2.0 * (self.centroids @ ((q - self.mean) @ self.proj))
            near = np.argpartition(d, min(MAX_PROBE, len(d)) - 1)[:MAX_PROBE]
            near = near[np.argsort(d[near])]
            # Nearest cells first, until SCAN_ROWS rows: a fixed cost per query whatever n is.
            # (Counted as they are taken: a few dozen cells, not all MAX_PROBE sizes.)
            taken = total = 0
            for c in near.tolist():
                taken += 1
                total += self.lists[c][1].n
                if total >= SCAN_ROWS:
                    break
            probe = near[:taken]
            rows = np.concatenate([self.lists[p][1].values for p in probe])
            if len(rows) > RERANK:
                # Hamming distance of sign bits estimates the angle in all 512 dimensions
                # (SimHash); only the closest RERANK rows are scored exactly.
                bits = np.concatenate([self.lists[p][0].values for p in probe])
                far = _hamming(bits, _signs((q - self.mean)[None, :]))
                rows = rows[np.argpartition(far, RERANK)[:RERANK]]
            cand.append(rows)
        rows = np.concatenate(cand)
        cos = self.cosines(q, rows)
        hit = cos >= floor
        return rows[hit], cos[hit]

    def cosines(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosines of ``q`` with the given rows (4-bit codes: error sd ~0.004)."""
        return _dot4(self.codes.values[rows], self.inv.values[rows], q)

    def keep(self, mask: np.ndarray, renumber: np.ndarray) -> None:
        """Drop rows where ``mask`` is false; ``renumber`` maps old row -> new row."""
        self.tail.keep(mask[self.filed :])
        self.filed = int(mask[: self.filed].sum())
        self.codes.keep(mask)
        self.inv.keep(mask)
        for bits, rows in self.lists:
            live = mask[rows.values]
            bits.keep(live)
            rows.keep(live, renumber)
        # Retrain once the index has doubled from what is left, not from what was.
        self.trained_at = min(self.trained_at, self.n)


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run BLAS single-threaded if threadpoolctl is installed.

    On a busy 2-core machine multithreaded OpenBLAS spin-waits: the 512x512
    eigh took 2.6 s with two threads against 0.1 s with one.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _signs(x: np.ndarray) -> np.ndarray:
    """Sign bits of each row, packed into uint64 words."""
    return np.packbits(x > 0, axis=1).view(np.uint64)


_POP8 = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


def _hamming(words: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamming distance of each row of packed bits to ``q`` (np.bitwise_count from numpy 2)."""
    x = words ^ q
    if not hasattr(np, "bitwise_count"):
        return _POP8[x.view(np.uint8)].sum(1, dtype=np.int32)
    counts = np.bitwise_count(x)
    out = counts[:, 0].astype(np.int32)
    for col in range(1, counts.shape[1]):  # column adds: faster than sum(axis=1) on 8 columns
        out += counts[:, col]
    return out


def _nearest(x: np.ndarray, cent: np.ndarray, cent_sq: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid for each row, in blocks to bound the distance matrix."""
    out = np.empty(len(x), dtype=np.int64)
    for start in range(0, len(x), BLOCK):
        block = x[start : start + BLOCK]
        out[start : start + BLOCK] = (cent_sq - 2.0 * (block @ cent.T)).argmin(axis=1)
    return out


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Lloyd's k-means from a random start; an emptied centroid jumps to a random point."""
    k = min(k, len(x))
    cent = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(KMEANS_ITERS):
        label = _nearest(x, cent, (cent**2).sum(1))
        counts = np.bincount(label, minlength=k)
        order = np.argsort(label, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        empty = counts == 0
        sums = np.add.reduceat(x[order], starts[~empty], axis=0)
        cent[~empty] = sums / counts[~empty, None]
        cent[empty] = x[rng.choice(len(x), int(empty.sum()), replace=False)]
    return cent.astype(np.float32)


class RowStore:
    """The per-row columns ``NoveltyIndex`` needs, plus the two candidate indexes."""

    def __init__(self, num_perm: int, bands: int, max_facts: int) -> None:
        self.minhash = Column(np.uint8, (num_perm,))
        self.shingles = Column(np.uint32)
        self.facts = Column(np.uint16, (max_facts,))
        self.n_facts = Column(np.uint8)
        self.cjk = Column(np.bool_)
        self.published = Column(np.int64)
        self.bands = BandIndex(bands)
        self.vectors = VectorIndex()
        self.max_facts = max_facts

    def add(self, published, minhash, bands, shingles, embedding, facts, cjk) -> None:
        """Append a batch of rows given as lists of per-item values (bytes as in Fingerprint)."""
        n, start = len(published), self.published.n
        rows = np.arange(start, start + n, dtype=np.int32)
        self.published.extend(np.asarray(published, np.int64))
        self.minhash.extend(np.frombuffer(b"".join(minhash), np.uint8).reshape(n, -1))
        sizes = np.asarray(shingles, np.uint32)
        self.shingles.extend(sizes)
        self.cjk.extend(np.asarray(cjk, np.bool_))
        padded = np.zeros((n, self.max_facts), np.uint16)
        counts = np.zeros(n, np.uint8)
        for i, f in enumerate(facts):
            counts[i] = len(f) // 2
            padded[i, : counts[i]] = np.frombuffer(f, "<u2")
        self.facts.extend(padded)
        self.n_facts.extend(counts)
        keys = np.frombuffer(b"".join(bands), "<u4").reshape(n, -1)
        lexical = sizes > 0  # an empty text has no shingles to match on
        self.bands.add(rows[lexical], keys[lexical])
        vecs = np.frombuffer(b"".join(embedding), np.int8).reshape(n, -1).astype(np.float32)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        self.vectors.add(rows, vecs)

    def facts_of(self, row: int) -> tuple[bytes, bool]:
        return self.facts.values[row, : self.n_facts.values[row]].tobytes(), bool(
            self.cjk.values[row]
        )

    def candidates(self, fp, q: np.ndarray, floor: float, cutoff: int):
        """(rows, semantic cosine) of in-window rows either index proposes for ``fp``.

        Scoring the pairs is the caller's (``monitor.novelty``): this module
        imports nothing of it, so the two do not import each other.
        """
        rows, sem = self.vectors.search(q, floor)
        if len(rows) > MAX_SEMANTIC_CANDIDATES:
            # Only the nearest: on a busy beat hundreds of items clear the floor, and each
            # candidate costs the pair scorer ~0.2 ms; a same story is among the nearest.
            near = np.argpartition(-sem, MAX_SEMANTIC_CANDIDATES - 1)[:MAX_SEMANTIC_CANDIDATES]
            rows, sem = rows[near], sem[near]
        if fp.shingles:
            extra = np.setdiff1d(self.bands.query(np.frombuffer(fp.bands, "<u4")), rows)
            if len(extra):
                rows = np.concatenate([rows, extra])
                sem = np.concatenate([sem, self.vectors.cosines(q, extra)])
        live = self.published.values[rows] >= cutoff
        return rows[live], sem[live].astype(np.float64)

    def keep(self, mask: np.ndarray) -> None:
        """Drop the rows where ``mask`` is false and renumber the rest from 0."""
        renumber = (np.cumsum(mask) - 1).astype(np.int32)
        for col in (
            self.minhash,
            self.shingles,
            self.facts,
            self.n_facts,
            self.cjk,
            self.published,
        ):
            col.keep(mask)
        self.bands.keep(mask, renumber)
        self.vectors.keep(mask, renumber)
