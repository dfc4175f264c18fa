"""Growable numpy columns for the novelty index: rows numbered 0, 1, ... in the order added.

``Column`` grows a numpy array in place (``ndarray.resize``: realloc, so no
second copy of a large column while it grows); ``Strings`` keeps many short
strings in one buffer.
"""

from __future__ import annotations

import numpy as np


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
