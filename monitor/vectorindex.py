"""The semantic tier behind ``NoveltyIndex``: cosine candidates from a faiss inverted file.

Every vector is kept as 4-bit codes in row order (256 bytes a row; cosine
error sd 0.004 against float32 on USE vectors): candidates are scored on them.
The candidates come from faiss (``IndexIVFPQFastScan``) over a whitened PCA
projection of the vectors:

* **Whitened**: the projection on the top ``PCA_DIM`` principal axes, each
  divided by its standard deviation. Two reports of one story differ along the
  directions in which the beat's texts vary most, so in raw PCA space their
  difference is largest exactly where the coarse cells are drawn; whitened,
  it is no larger there than elsewhere.
* **Coarse cells**: k-means over the first ``COARSE_DIM`` whitened coordinates
  (the centroids are zero in the others, so a cell is chosen by those alone),
  one cell per ``ROWS_PER_LIST`` rows at training time. A query probes the
  ``PROBE_SHARE`` nearest cells (at least ``MIN_SCAN`` rows' worth).
* **Codes**: product quantisation of all ``PCA_DIM`` coordinates, 4 bits per
  sub-vector of four (32 bytes a row), scanned in SIMD registers (faiss "fast
  scan"). Codes of fewer coordinates lose the planted pair among near-random
  neighbours on isotropic histories. Sub-vectors of eight found as many at
  10^6 in ~0.7x the time, but lose a vector far from the others (one story
  amid thousands of items at cosine 0.6 to it, tests/test_novelty.py); the
  ``RERANK`` nearest by these codes are scored exactly.

Below ``TRAIN_MIN`` rows every row is scored exactly. The projection and the
cells are trained on samples each time the index doubles; rows added between
trainings are filed into the cells they fall in. faiss ids are serial numbers
(row numbers at the last training, then counting on): every eviction
renumbers the rows, so a row's serial is kept beside it and the map is a
``searchsorted``. Evicted rows stay in the lists, masked out of searches by a
bitmap of live serials, until the next training.

Figures (bench/bench_novelty.py) are in the README.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from monitor.columns import Column
from monitor.encoder import DIM

PCA_DIM = 256  # whitened coordinates the codes quantise
COARSE_DIM = 128  # of which the coarse cells are drawn on the first
PQ_SUB = PCA_DIM // 4  # 4-bit sub-quantisers of 4 coordinates: 32 bytes a row
TRAIN_MIN = 4096  # rows before the first training; below it the exact scan is fast enough
ROWS_PER_LIST = 256  # at training time; lists reach ~500 rows before the next retrain
PROBE_SHARE = 3 / 16  # of the cells, nearest first
MIN_SCAN = 16_384  # rows probed at least: small indexes are scanned (nearly) whole
RERANK = 256  # rows scored exactly after the fast-scan estimate
PCA_SAMPLE = 16_384  # rows sampled for the projection
TRAIN_SAMPLE = 65_536  # rows sampled for the k-means and the product codes (>= 16 a cell)
KMEANS_ITERS = 8
WHITEN_FLOOR = 0.01  # of the mean eigenvalue, added before dividing: tiny axes stay tame
BLOCK = 8192  # rows projected at a time when (re)filing: 16 MB of float32
_STEP = 2.0 / np.sqrt(DIM) / 7.5  # 4-bit step: +-2 sd of a unit vector's coordinate


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
    """Cosine search above a floor: faiss IVF fast-scan candidates, exact 4-bit re-rank."""

    def __init__(self) -> None:
        # Row-ordered columns: 4-bit codes, 1/norm of the centred codes, faiss id.
        self.codes = Column(np.uint8, (DIM // 2,))
        self.inv = Column(np.float32)
        self.serial = Column(np.int64)
        self.next_serial = 0
        # Evicted rows stay in the faiss lists until the next training, masked out of every
        # search by a bitmap of live serials (faiss 1.15's fast-scan remove_ids misfiles some
        # codes added after it). ``dead`` counts them; past half the live rows, retrain.
        self.dead = 0
        self.live = np.zeros(0, np.uint8)
        self.params = None  # faiss.SearchParametersIVF with the bitmap, once a row is dead
        self._selector = None
        self.trained_at = 0
        self.mean = np.zeros(DIM, np.float32)
        self.proj = np.zeros((DIM, PCA_DIM), np.float32)
        self.ivf = None  # faiss.IndexIVFPQFastScan once trained
        self.rng = np.random.default_rng(7)

    @property
    def n(self) -> int:
        return self.codes.n

    def add(self, rows: np.ndarray, vecs: np.ndarray) -> None:
        """Add unit vectors for rows numbered ``self.n, self.n + 1, ...``."""
        assert len(rows) == 0 or rows[0] == self.n, "rows must be added in order"
        packed, inv = quantise4(vecs)
        serials = np.arange(self.next_serial, self.next_serial + len(vecs), dtype=np.int64)
        self.next_serial += len(vecs)
        self.codes.extend(packed)
        self.inv.extend(inv)
        self.serial.extend(serials)
        if self.n >= max(TRAIN_MIN, 2 * self.trained_at) or self.dead * 2 > self.n:
            self._train()
        elif self.ivf is not None and len(vecs):
            self.ivf.add_with_ids(self._project(vecs), serials)
            if self.dead:
                self._mark_live(serials)

    def _project(self, vecs: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray((vecs - self.mean) @ self.proj, dtype=np.float32)

    def _rows(self, rows: np.ndarray) -> np.ndarray:
        return dequantise4(self.codes.values[rows], self.inv.values[rows])

    def _train(self) -> None:
        """(Re)build the whitening and the cells from samples, then refile every row."""
        with _one_blas_thread():
            self._train_now()

    def _train_now(self) -> None:
        faiss = _faiss()
        nlist = max(16, self.n // ROWS_PER_LIST)
        pick = np.sort(self.rng.choice(self.n, min(self.n, PCA_SAMPLE), replace=False))
        sample = dequantise4(self.codes.values[pick], self.inv.values[pick])
        self.mean = sample.mean(0)
        sample -= self.mean
        # float32 throughout: float64 eigh of this 512x512 matrix took seconds here
        lam, vec = np.linalg.eigh((sample.T @ sample) / len(sample))
        del sample
        lam, vec = lam[::-1][:PCA_DIM], vec[:, ::-1][:, :PCA_DIM]
        scale = np.sqrt(np.maximum(lam, 0) + WHITEN_FLOOR * float(lam.mean()))
        self.proj = np.ascontiguousarray(vec / scale, dtype=np.float32)
        size = min(self.n, max(TRAIN_SAMPLE, 16 * nlist))
        pick = np.sort(self.rng.choice(self.n, size, replace=False))
        sample = np.concatenate([self._project(self._rows(part)) for part in _blocks(pick)])
        kmeans = faiss.Kmeans(COARSE_DIM, nlist, niter=KMEANS_ITERS, seed=7,
                              min_points_per_centroid=16, max_points_per_centroid=64)  # fmt: skip
        kmeans.train(np.ascontiguousarray(sample[:, :COARSE_DIM]))
        centroids = np.zeros((nlist, PCA_DIM), np.float32)
        centroids[:, :COARSE_DIM] = kmeans.centroids
        quantiser = faiss.IndexFlatL2(PCA_DIM)
        quantiser.add(centroids)
        self.ivf = None  # the old lists go before the new ones are built
        self.serial.clear()
        self.serial.extend(np.arange(self.n, dtype=np.int64))
        self.next_serial, self.dead, self.params = self.n, 0, None
        self.live = np.zeros(0, np.uint8)
        ivf = faiss.IndexIVFPQFastScan(quantiser, PCA_DIM, nlist, PQ_SUB, 4)
        ivf.by_residual = False  # one lookup table per query, not one per probed cell
        ivf.train(sample)
        del sample
        for part in _blocks(np.arange(self.n)):
            ivf.add_with_ids(self._project(self._rows(part)), self.serial.values[part])
        scan = max(PROBE_SHARE, MIN_SCAN / max(self.n, 1))
        ivf.nprobe = min(nlist, max(1, int(np.ceil(scan * nlist))))
        self.ivf = ivf
        self.trained_at = self.n

    def search(self, q: np.ndarray, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of stored vectors with cosine >= ``floor`` among those probed."""
        if self.ivf is None:
            rows = np.arange(self.n, dtype=np.int64)  # small: every row exactly
        else:
            _, ids = self.ivf.search(self._project(q[None, :]), RERANK, params=self.params)
            ids = np.sort(ids[0][ids[0] >= 0])  # in row order: fewer cache misses below
            rows = np.searchsorted(self.serial.values, ids)
        cos = self.cosines(q, rows)
        hit = cos >= floor
        return rows[hit], cos[hit]

    def cosines(self, q: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosines of ``q`` with the given rows (4-bit codes: error sd ~0.004)."""
        return _dot4(self.codes.values[rows], self.inv.values[rows], q)

    def keep(self, mask: np.ndarray, renumber: np.ndarray) -> None:
        """Drop rows where ``mask`` is false (rows after them move up: ``renumber``)."""
        if self.ivf is not None and not mask.all():
            if not self.dead:
                self._mark_live(self.serial.values)
            gone = self.serial.values[~mask]
            np.bitwise_and.at(self.live, gone >> 3, ~(1 << (gone & 7)).astype(np.uint8))
            self.dead += len(gone)
        self.codes.keep(mask)
        self.inv.keep(mask)
        self.serial.keep(mask)
        # Retrain once the index has doubled from what is left, not from what was.
        self.trained_at = min(self.trained_at, self.n)

    def _mark_live(self, serials: np.ndarray) -> None:
        """Set the bits of ``serials`` in the live bitmap, growing it (and its selector)."""
        need = (self.next_serial + 7) // 8
        if need > len(self.live):
            faiss = _faiss()
            grown = np.zeros(max(need, len(self.live) * 2), np.uint8)
            grown[: len(self.live)] = self.live
            self.live = grown
            # The selector reads the array's memory: it is remade whenever the array is.
            selector = faiss.IDSelectorBitmap(len(grown) * 8, faiss.swig_ptr(grown))
            self.params = faiss.SearchParametersIVF(sel=selector, nprobe=self.ivf.nprobe)
            self._selector = selector  # faiss holds a raw pointer to it
        np.bitwise_or.at(self.live, serials >> 3, (1 << (serials & 7)).astype(np.uint8))


def _blocks(rows: np.ndarray) -> list[np.ndarray]:
    return [rows[start : start + BLOCK] for start in range(0, len(rows), BLOCK)]


def _faiss():  # type: ignore[no-untyped-def]
    """faiss, imported on first training, running one OpenMP thread.

    Judging runs on one core; on a busy 2-core machine OpenMP threads would
    spin-wait against other processes, as OpenBLAS's do.
    """
    import faiss

    faiss.omp_set_num_threads(1)
    return faiss


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
