"""Numpy index structures behind ``NoveltyIndex``: candidates without a pairwise scan.

Rows are numbered 0, 1, ... in the order items were added; these structures
only answer "which rows might be close to this query" and hold the columns
needed to check it.

``BandIndex`` (lexical tier): for each LSH band, the band keys of all rows in
one sorted ``uint32`` array with the row numbers beside it; a query is one
``searchsorted`` per band. New rows wait in a small unsorted tail (compared
by brute force) and are merged in when the tail passes 1/8 of the main part,
so merging costs O(n log n) amortised and never doubles all 16 bands at once.

``VectorIndex`` (semantic tier): an inverted file (IVF). Vectors are stored as
4-bit codes (256 bytes a row; cosine error sd 0.004 against float, measured on
USE vectors) in one contiguous array per list, so a probe is a slice, not a
gather. The coarse quantiser is k-means on a 64-d PCA projection of a sample
(cheap to train and to assign), retrained with n/256 lists each time the index
doubles. Until it is first trained (4,096 rows) and for rows added since, vectors
wait in a float32 tail searched exactly. Memory at 10^6 rows: ~260 MB codes.

``Column`` grows a numpy array in place (``ndarray.resize``: realloc, so no
second copy of a large column while it grows).
"""

from __future__ import annotations

import numpy as np

DIM = 512
PCA_DIM = 64
TRAIN_MIN = 4096  # rows before the first k-means; below it the exact tail is fast enough
ROWS_PER_LIST = 256  # at training time; lists reach ~512 rows before the next retrain
NPROBE = 8
TAIL_FLUSH = 1024
MAX_BUCKET = 256  # candidates per band key; a boilerplate-heavy key keeps its newest rows
KMEANS_ITERS = 10
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
            cap = max(need, int(len(self._arr) * 1.25) + 64)
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


class BandIndex:
    """MinHash LSH over band keys held in sorted arrays."""

    def __init__(self, bands: int) -> None:
        self.bands = bands
        self.keys = [np.zeros(0, np.uint32) for _ in range(bands)]
        self.rows = [np.zeros(0, np.int32) for _ in range(bands)]
        self.tail_keys = Column(np.uint32, (bands,))
        self.tail_rows = Column(np.int32)

    def add(self, rows: np.ndarray, keys: np.ndarray) -> None:
        self.tail_keys.extend(keys)
        self.tail_rows.extend(rows)
        if self.tail_rows.n >= max(4096, len(self.rows[0]) // 8):
            self._merge()

    def _merge(self) -> None:
        tk, tr = self.tail_keys.values, self.tail_rows.values
        for b in range(self.bands):
            keys = np.concatenate([self.keys[b], tk[:, b]])
            order = np.argsort(keys, kind="stable")  # stable: equal keys stay oldest-first
            self.keys[b] = keys[order]
            self.rows[b] = np.concatenate([self.rows[b], tr])[order]
        self.tail_keys.clear()
        self.tail_rows.clear()

    def query(self, keys: np.ndarray) -> np.ndarray:
        """Rows sharing at least one band key with ``keys``."""
        found = [self.tail_rows.values[(self.tail_keys.values == keys).any(axis=1)]]
        for b in range(self.bands):
            lo, hi = np.searchsorted(self.keys[b], [keys[b], keys[b] + 1])
            if hi > lo:
                found.append(self.rows[b][max(lo, hi - MAX_BUCKET) : hi])
        return np.unique(np.concatenate(found))

    def keep(self, mask: np.ndarray, renumber: np.ndarray) -> None:
        """Drop rows where ``mask`` is false; ``renumber`` maps old row -> new row."""
        for b in range(self.bands):
            live = mask[self.rows[b]]
            self.keys[b] = self.keys[b][live]
            self.rows[b] = renumber[self.rows[b][live]].astype(np.int32)
        live = mask[self.tail_rows.values]
        self.tail_keys.keep(live)
        self.tail_rows.keep(live, renumber)


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
    """IVF over 4-bit codes with an exact float32 tail; cosine search above a floor."""

    def __init__(self) -> None:
        self.tail_vecs = Column(np.float32, (DIM,))
        self.tail_rows = Column(np.int32)
        self.n = 0
        self.trained_at = 0
        self.mean = np.zeros(DIM, np.float32)
        self.proj = np.zeros((DIM, PCA_DIM), np.float32)
        self.centroids = np.zeros((0, PCA_DIM), np.float32)
        self.codes: list[Column] = []
        self.inv: list[Column] = []
        self.rows: list[Column] = []
        # Where each row lives: its list (-1: the tail) and its position there.
        self.loc_list = Column(np.int32)
        self.loc_pos = Column(np.int32)
        self.rng = np.random.default_rng(7)

    def add(self, rows: np.ndarray, vecs: np.ndarray) -> None:
        """Add vectors for rows numbered ``self.n, self.n + 1, ...``."""
        self.loc_list.extend(np.full(len(rows), -1, np.int32))
        self.loc_pos.extend(np.arange(self.tail_rows.n, self.tail_rows.n + len(rows)))
        self.tail_vecs.extend(vecs)
        self.tail_rows.extend(rows)
        self.n += len(rows)
        if self.n >= max(TRAIN_MIN, 2 * self.trained_at):
            self._train()
        elif self.trained_at and self.tail_rows.n >= TAIL_FLUSH:
            self._file(self.tail_vecs.values, self.tail_rows.values)
            self.tail_vecs.clear()
            self.tail_rows.clear()

    def _assign(self, vecs: np.ndarray) -> np.ndarray:
        x = (vecs - self.mean) @ self.proj
        d = (self.centroids**2).sum(1) - 2.0 * (x @ self.centroids.T)
        return d.argmin(axis=1)

    def _file(self, vecs: np.ndarray, rows: np.ndarray) -> None:
        """Quantise float vectors and append them to their lists."""
        packed, inv = quantise4(vecs)
        self._append(self._assign(vecs), packed, inv, rows)

    def _append(self, lists: np.ndarray, packed: np.ndarray, inv: np.ndarray, rows: np.ndarray):
        order = np.argsort(lists, kind="stable")
        bounds = np.searchsorted(lists[order], np.arange(len(self.codes) + 1))
        for lst in np.flatnonzero(np.diff(bounds)):
            sel = order[bounds[lst] : bounds[lst + 1]]
            start = self.rows[lst].n
            self.codes[lst].extend(packed[sel])
            self.inv[lst].extend(inv[sel])
            self.rows[lst].extend(rows[sel])
            self.loc_list.values[rows[sel]] = lst
            self.loc_pos.values[rows[sel]] = np.arange(start, start + len(sel))

    def _train(self) -> None:
        """(Re)build the coarse quantiser and refile every row."""
        old = list(zip(self.codes, self.inv, self.rows, strict=True))
        sizes = np.array([c.n for c, _, _ in old] + [self.tail_rows.n])
        nlist = max(8, self.n // ROWS_PER_LIST)
        # A sample for PCA and k-means, drawn list by list in proportion to size.
        take = min(self.n, 40 * nlist)
        parts = []
        for i, size in enumerate(sizes):
            k = round(take * size / self.n)
            if k == 0:
                continue
            pick = np.sort(self.rng.choice(size, k, replace=False))
            if i < len(old):
                parts.append(dequantise4(old[i][0].values[pick], old[i][1].values[pick]))
            else:
                parts.append(self.tail_vecs.values[pick])
        sample = np.concatenate(parts)
        self.mean = sample.mean(0)
        cov = np.cov(sample - self.mean, rowvar=False)
        _, vec = np.linalg.eigh(cov)
        self.proj = np.ascontiguousarray(vec[:, ::-1][:, :PCA_DIM], dtype=np.float32)
        self.centroids = _kmeans((sample - self.mean) @ self.proj, nlist, self.rng)
        self.codes = [Column(np.uint8, (DIM // 2,)) for _ in range(nlist)]
        self.inv = [Column(np.float32) for _ in range(nlist)]
        self.rows = [Column(np.int32) for _ in range(nlist)]
        for codes, inv, rows in old:  # refile list by list so only one old list is decoded at once
            lists = self._assign(dequantise4(codes.values, inv.values))
            self._append(lists, codes.values, inv.values, rows.values)
            codes.clear(), inv.clear(), rows.clear()
        if self.tail_rows.n:
            self._file(self.tail_vecs.values, self.tail_rows.values)
        self.tail_vecs.clear()
        self.tail_rows.clear()
        self.trained_at = self.n

    def search(self, q: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of stored vectors with cosine >= ``floor`` among those probed."""
        out_rows, out_cos = [], []
        if self.tail_rows.n:
            cos = self.tail_vecs.values @ q
            hit = cos >= floor
            out_rows.append(self.tail_rows.values[hit])
            out_cos.append(cos[hit])
        if len(self.centroids):
            x = (q - self.mean) @ self.proj
            d = (self.centroids**2).sum(1) - 2.0 * (self.centroids @ x)
            for lst in np.argpartition(d, min(NPROBE, len(d)) - 1)[:NPROBE]:
                if not self.rows[lst].n:
                    continue
                cos = _dot4(self.codes[lst].values, self.inv[lst].values, q)
                hit = cos >= floor
                out_rows.append(self.rows[lst].values[hit])
                out_cos.append(cos[hit])
        if not out_rows:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        return np.concatenate(out_rows), np.concatenate(out_cos)

    def cosines(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosines of ``q`` with the given rows wherever they are stored (for a few rows)."""
        out = np.empty(len(rows), dtype=np.float32)
        for i, row in enumerate(rows.tolist()):
            lst, pos = int(self.loc_list.values[row]), int(self.loc_pos.values[row])
            if lst < 0:
                out[i] = self.tail_vecs.values[pos] @ q
            else:
                cell = slice(pos, pos + 1)
                out[i] = _dot4(self.codes[lst].values[cell], self.inv[lst].values[cell], q)[0]
        return out

    def keep(self, mask: np.ndarray, renumber: np.ndarray) -> None:
        """Drop rows where ``mask`` is false; ``renumber`` maps old row -> new row."""
        live = mask[self.tail_rows.values]
        self.tail_vecs.keep(live)
        self.tail_rows.keep(live, renumber)
        for codes, inv, rows in zip(self.codes, self.inv, self.rows, strict=True):
            live = mask[rows.values]
            codes.keep(live)
            inv.keep(live)
            rows.keep(live, renumber)
        self.n = int(mask.sum())
        self.loc_list, self.loc_pos = Column(np.int32), Column(np.int32)
        self.loc_list.extend(np.full(self.n, -1, np.int32))
        self.loc_pos.extend(np.zeros(self.n, np.int32))
        self.loc_pos.values[self.tail_rows.values] = np.arange(self.tail_rows.n)
        for lst, rows in enumerate(self.rows):
            self.loc_list.values[rows.values] = lst
            self.loc_pos.values[rows.values] = np.arange(rows.n)
        # Retrain once the index has doubled from what is left, not from what was.
        self.trained_at = min(self.trained_at, self.n)


def _kmeans(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Lloyd's k-means from a random start; an emptied centroid jumps to a random point."""
    k = min(k, len(x))
    cent = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(KMEANS_ITERS):
        d = (cent**2).sum(1) - 2.0 * (x @ cent.T)
        label = d.argmin(axis=1)
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
        """(rows, semantic, lexical) of in-window rows either index proposes for ``fp``."""
        from monitor.novelty import lexical_similarity

        rows, sem = self.vectors.search(q, floor)
        if fp.shingles:
            extra = np.setdiff1d(self.bands.query(np.frombuffer(fp.bands, "<u4")), rows)
            if len(extra):
                rows = np.concatenate([rows, extra])
                sem = np.concatenate([sem, self.vectors.cosines(q, extra)])
        live = self.published.values[rows] >= cutoff
        rows, sem = rows[live], sem[live]
        lex = lexical_similarity(
            np.frombuffer(fp.minhash, np.uint8), fp.shingles,
            self.minhash.values[rows], self.shingles.values[rows],
        )  # fmt: skip
        return rows, sem.astype(np.float64), lex

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
