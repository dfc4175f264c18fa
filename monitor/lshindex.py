"""The index structures behind ``NoveltyIndex``: candidates without a pairwise scan.

Rows are numbered 0, 1, ... in the order items were added; these structures
answer "which rows might be close to this query" and hold what is needed to
check it.

``BandIndex`` (lexical tier): for each of the 16 MinHash LSH bands, the band
keys in a sorted ``uint32`` array with row numbers beside it; a query is a
``searchsorted`` per band. New rows wait in an unsorted tail (compared by
brute force, at most 4,096 rows), which is sorted into a small run, which is
merged into the big run (``np.insert``, O(n)) when it passes 1/8 of it.

``VectorIndex`` (semantic tier, ``monitor.vectorindex``): a faiss inverted
file over whitened PCA projections, candidates re-ranked on 4-bit codes.

``RowStore`` holds both with the time each row was seen and each row's script.
"""

from __future__ import annotations

import numpy as np

from monitor.columns import Column
from monitor.vectorindex import VectorIndex

TAIL_FLUSH = 1024  # band rows sorted into a run once the tail holds 4x this
MAX_BUCKET = 256  # candidates per band key; a boilerplate-heavy key keeps its newest rows
# Semantic candidates per query, nearest first (lexical band hits come on top of these).
MAX_SEMANTIC_CANDIDATES = 16
# ... and as many again of the other script's rows (Japanese for an English query and the
# reverse): a report of the same event in another language scores 0.45-0.60 with the encoder,
# below the same language's other stories of the beat (0.60-0.70: another company's AI
# investment), which would otherwise take every slot on a busy day.
MAX_CROSS_SCRIPT_CANDIDATES = 16
# Reports filed under the query's market and session (``novelty.market_key``), newest first.
MAX_MARKET_CANDIDATES = 8


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


def _nearest(picks: np.ndarray, sem: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` of ``picks`` (positions into ``sem``) with the highest cosines."""
    if len(picks) <= k:
        return picks
    return picks[np.argpartition(-sem[picks], k - 1)[:k]]


def _empty_run(bands: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(np.zeros(0, np.uint32), np.zeros(0, np.int32)) for _ in range(bands)]


def _merge(old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]):
    """Merge two sorted (keys, rows) runs in O(n); equal keys keep the older rows first."""
    at = old[0].searchsorted(new[0], "right")
    return np.insert(old[0], at, new[0]), np.insert(old[1], at, new[1])


class RowStore:
    """The two candidate indexes and the window's clock (when each row was seen).

    The rest of a row (what the pair scorer reads) is the caller's: ``NoveltyIndex``
    keeps each fingerprint as its stored bytes.
    """

    def __init__(self, bands: int) -> None:
        self.published = Column(np.int64)
        self.cjk = Column(np.bool_)
        self.market = Column(np.int32)  # ``novelty.market_key`` of each row (0: none)
        self.bands = BandIndex(bands)
        self.vectors = VectorIndex()

    def add(self, published, bands, shingles, embedding, cjk, market) -> None:
        """Append a batch of rows given as lists of per-item values (bytes as in Fingerprint)."""
        n, start = len(published), self.published.n
        rows = np.arange(start, start + n, dtype=np.int32)
        self.published.extend(np.asarray(published, np.int64))
        self.cjk.extend(np.asarray(cjk, np.bool_))
        self.market.extend(np.asarray(market, np.int32))
        keys = np.frombuffer(b"".join(bands), "<u4").reshape(n, -1)
        lexical = np.asarray(shingles, np.int64) > 0  # an empty text has no shingles to match on
        self.bands.add(rows[lexical], keys[lexical])
        vecs = np.frombuffer(b"".join(embedding), np.int8).reshape(n, -1).astype(np.float32)
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        self.vectors.add(rows, vecs)

    def candidates(self, fp, q: np.ndarray, floor: float, cutoff: int, market: int = 0):
        """(rows, semantic cosine) of in-window rows either index proposes for ``fp``,
        and every row filed under its ``market`` key (a market's session: ``market_key``).

        Scoring the pairs is the caller's (``monitor.novelty``): this module
        imports nothing of it, so the two do not import each other.
        """
        rows, sem = self.vectors.search(q, floor)
        live = self.published.values[rows] >= cutoff
        rows, sem = rows[live], sem[live]
        if len(rows) > MAX_SEMANTIC_CANDIDATES:
            # Only the nearest of each script: on a busy beat hundreds of items clear the
            # floor, and each candidate costs the pair scorer ~0.2 ms; a same story is among
            # the nearest of its language.
            other = self.cjk.values[rows] != bool(fp.cjk)
            keep = [
                _nearest(np.flatnonzero(~other), sem, MAX_SEMANTIC_CANDIDATES),
                _nearest(np.flatnonzero(other), sem, MAX_CROSS_SCRIPT_CANDIDATES),
            ]
            near = np.concatenate(keep)
            rows, sem = rows[near], sem[near]
        found = []
        if fp.shingles:
            found.append(self.bands.query(np.frombuffer(fp.bands, "<u4")))
        if market:
            # A scan, but only for market reports (a few a day), over one int32 column; the
            # newest few, as rows are filed in the order they were seen: one day's reports.
            found.append(np.flatnonzero(self.market.values == market)[-MAX_MARKET_CANDIDATES:])
        if found:
            extra = np.setdiff1d(np.concatenate(found), rows)
            if len(extra):
                rows = np.concatenate([rows, extra])
                sem = np.concatenate([sem, self.vectors.cosines(q, extra)])
        live = self.published.values[rows] >= cutoff
        return rows[live], sem[live].astype(np.float64)

    def keep(self, mask: np.ndarray) -> None:
        """Drop the rows where ``mask`` is false and renumber the rest from 0."""
        renumber = (np.cumsum(mask) - 1).astype(np.int32)
        self.published.keep(mask)
        self.cjk.keep(mask)
        self.market.keep(mask)
        self.bands.keep(mask, renumber)
        self.vectors.keep(mask, renumber)
