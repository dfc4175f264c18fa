"""Benchmark what a new judging leader pays: rebuilding the novelty window from the store.

    python bench/bench_rebuild.py [--sizes 100000] [--backends sqlite]

Every judging pass (so also the first pass of a worker that takes over the
lead) reads the novelty window from the store (``Store.window_since``) and
fills a fresh ``judging.Window`` with it, as ``Window.load`` does: the novelty
index, the headline and the release indexes. For each size, N synthetic
fingerprints (the clustered history of bench_novelty.py; the title is the
fingerprint's headline) are stored once in SQLite and once in PostgreSQL
($MONITOR_TEST_POSTGRES, else a throwaway cluster), then read back and
indexed: seconds to read, to index and in all, and the process's peak RSS,
per backend, with SQLite as the baseline of the same run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench_novelty import NOW, World  # noqa: E402

from monitor.judging import Window  # noqa: E402
from monitor.model import Item  # noqa: E402
from monitor.novelty import DEFAULT_WINDOW, Fingerprint  # noqa: E402
from monitor.store import ItemRecord, Store  # noqa: E402


def fill(store: Store, world: World, n: int) -> float:
    started = time.perf_counter()
    with store.transaction():
        store.ensure_source("bench", "feed", "bench", NOW)
        for start in range(0, n, 10_000):
            for i, (when, fp) in enumerate(world.fingerprints(start)):
                key = f"doc-{start + i}"
                store.record_document(key, "bench", None, None, when, "")
                text = f"{fp.headline}. {fp.headline}."
                item = Item(f"item-{start + i}", key, 0, "bench", "bench", None, fp.headline, text,
                            "en", when, when)  # fmt: skip
                store.record_item(ItemRecord(item, "new", 0.9, "{}", fingerprint=fp.to_bytes()))
    return time.perf_counter() - started


def rebuild(store: Store, cache: Path) -> tuple[float, float, int]:
    """Seconds to read the window, seconds to fill a ``Window`` with it, how many rows.

    The read is timed alone first, then ``Window.load`` (read and fill): the fill is
    the difference.
    """
    settings = SimpleNamespace(
        novelty=SimpleNamespace(window_days=DEFAULT_WINDOW.days), cache_dir=cache
    )
    started = time.perf_counter()
    rows = store.window_since(NOW - DEFAULT_WINDOW)
    read = time.perf_counter() - started
    first, count = (rows[0][3] if rows else None), len(rows)
    del rows
    started = time.perf_counter()
    window = Window.load(store, settings, NOW)  # type: ignore[arg-type]
    if first is not None:  # the index files its last batch on the first judgement
        window.index.judge(Fingerprint.from_bytes(first), NOW, NOW)
    return read, time.perf_counter() - started - read, count


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    import pgcluster
    from conftest_pg import PgServer

    from monitor.settings import PostgresTarget

    work = Path(tempfile.mkdtemp(prefix="bench-rebuild-"))
    os.chmod(work, 0o755)
    try:
        with pgcluster.admin_url(work / "pg") as admin:
            server = PgServer(admin)
            header = ("size", "backend", "read s", "index s", "total s", "vs sqlite", "peak MB")
            print("{:>8} {:<11} {:>7} {:>8} {:>8} {:>9} {:>8}".format(*header))
            for size in (int(s) for s in args.sizes.split(",")):
                world = World(size, 7)
                name = f"rebuild_{size}_{os.getpid()}"
                server.admin(f'CREATE DATABASE "{name}"')
                targets = {
                    "sqlite": work / f"{size}.db",
                    "postgresql": PostgresTarget(server.url(name), "bench", work / "cache"),
                }
                results = {}
                for backend in ("sqlite", *(b for b in backends if b != "sqlite")):
                    target = targets[backend]
                    with Store(target) as store:  # type: ignore[arg-type]
                        filled = fill(store, world, size)
                        print(f"  {backend}: stored {size} in {filled:.1f} s", file=sys.stderr)
                    with Store(target, readonly=True) as store:  # type: ignore[arg-type]
                        results[backend] = (*rebuild(store, work / "cache"), rss_mb())
                base = sum(results["sqlite"][:2])
                for backend, (read, build, count, peak) in results.items():
                    total = read + build
                    print(f"{count:>8} {backend:<11} {read:>7.2f} {build:>8.2f} {total:>8.2f}"
                          f" {total / base:>8.2f}x {peak:>8.0f}")  # fmt: skip
                server.admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
