"""Growable numpy columns for the novelty index: rows numbered 0, 1, ... in the order added.

``Column`` grows a numpy array in place (``ndarray.resize``: realloc, so no
second copy of a large column while it grows); ``Strings`` keeps many short
strings in one buffer; ``Blobs`` keeps byte records (stored fingerprints) in
one buffer, or past ``SPILL_BYTES`` in a temporary file.
"""

from __future__ import annotations

import os
import tempfile

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


# Bytes kept in memory before a Blobs moves them to a temporary file: ~85,000 stored
# fingerprints (~1.5 kB each). A window of 10^6 in memory would be 1.5 GB, three times
# the index itself; on disk, the page cache holds what memory allows.
SPILL_BYTES = 128 * 2**20


class Blobs:
    """Variable-length byte records by row, in memory up to ``spill_bytes``, then in a file.

    The file is an unlinked temporary file (``tempfile.TemporaryFile``): records
    are appended with ``os.pwrite`` and read back one by one with ``os.pread``,
    so only the few a caller asks for are ever in the process's memory. Dropped
    records leave a gap until the gaps outweigh the live records; the records
    are then copied, in row order, into a fresh buffer or file.
    """

    def __init__(self, spill_bytes: int | None = None) -> None:
        self.spill_bytes = SPILL_BYTES if spill_bytes is None else spill_bytes
        self.data = Column(np.uint8)  # the records while in memory
        self.start = Column(np.int64)
        self.size = Column(np.int32)
        self.file = None  # the temporary file, once spilled
        self.end = 0  # bytes written (memory or file), live and dropped
        self.live_bytes = 0

    def __len__(self) -> int:
        return self.start.n

    def extend(self, items: list[bytes]) -> None:
        joined = b"".join(items)
        sizes = np.fromiter(map(len, items), np.int64, len(items))
        self.start.extend(self.end + np.cumsum(sizes) - sizes)
        self.size.extend(sizes.astype(np.int32))
        if self.file is None and self.end + len(joined) > self.spill_bytes:
            self._to_file()
        self._write(joined)
        self.live_bytes += len(joined)

    def _write(self, joined: bytes) -> None:
        if self.file is None:
            self.data.extend(np.frombuffer(joined, np.uint8))
        else:
            os.pwrite(self.file.fileno(), joined, self.end)
        self.end += len(joined)

    def _to_file(self) -> None:
        # Kept open for the life of the index and closed by ``close`` or collection.
        self.file = tempfile.TemporaryFile(prefix="monitor-novelty-")  # noqa: SIM115
        os.pwrite(self.file.fileno(), self.data.values, 0)
        self.data.clear()

    def __getitem__(self, row: int) -> bytes:
        start, size = int(self.start.values[row]), int(self.size.values[row])
        if self.file is None:
            return self.data.values[start : start + size].tobytes()
        return os.pread(self.file.fileno(), size, start)

    def keep(self, mask: np.ndarray) -> None:
        """Keep the records where ``mask`` is true (rows after a dropped one move up)."""
        self.start.keep(mask)
        self.size.keep(mask)
        self.live_bytes = int(self.size.values.sum(dtype=np.int64))
        if self.end - self.live_bytes > max(self.live_bytes, 2**20):
            self._compact()

    def _compact(self) -> None:
        """Copy the live records, in row order, into a fresh buffer or file."""
        old_file, old_data = self.file, self.data
        starts, sizes = self.start.values.copy(), self.size.values.copy()
        self.file, self.data, self.end = None, Column(np.uint8), 0
        self.start.clear()
        self.size.clear()
        self.live_bytes = 0
        for lo in range(0, len(starts), 4096):
            block = range(lo, min(lo + 4096, len(starts)))
            if old_file is None:
                items = [old_data.values[starts[i] : starts[i] + sizes[i]].tobytes() for i in block]
            else:
                fd = old_file.fileno()
                items = [os.pread(fd, int(sizes[i]), int(starts[i])) for i in block]
            self.extend(items)
        if old_file is not None:
            old_file.close()

    def close(self) -> None:
        """Remove the temporary file, if any (also done when the object is collected)."""
        if self.file is not None:
            self.file.close()
            self.file = None
