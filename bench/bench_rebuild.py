"""Benchmark what a new judging leader pays: rebuilding the novelty index from the store.

    python bench/bench_rebuild.py [--sizes 100000]

Every judging pass (so also the first pass of a worker that takes over the
lead) reads the fingerprints of the novelty window from the store and adds
them to a fresh NoveltyIndex. For each size, N synthetic fingerprints (the
clustered history of bench_novelty.py) are stored once in SQLite and once in
PostgreSQL ($MONITOR_TEST_POSTGRES, else a throwaway cluster), then read back
and indexed: seconds to read, to index and in all, per backend, with SQLite as
the baseline of the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench_novelty import NOW, World  # noqa: E402

from monitor.model import Item  # noqa: E402
from monitor.novelty import DEFAULT_WINDOW, Fingerprint, NoveltyIndex  # noqa: E402
from monitor.store import ItemRecord, Store  # noqa: E402


def fill(store: Store, world: World, n: int) -> float:
    started = time.perf_counter()
    with store.transaction():
        store.ensure_source("bench", "feed", "bench", NOW)
        for start in range(0, n, 10_000):
            for i, (when, fp) in enumerate(world.fingerprints(start)):
                key = f"doc-{start + i}"
                store.record_document(key, "bench", None, None, when, "")
                item = Item(f"item-{start + i}", key, 0, "bench", "bench", None, "t", "b", "en",
                            when, when)  # fmt: skip
                store.record_item(ItemRecord(item, "new", 0.9, "{}", fingerprint=fp.to_bytes()))
    return time.perf_counter() - started


def rebuild(store: Store) -> tuple[float, float, int]:
    """Seconds to read the window's fingerprints, seconds to index them, how many."""
    started = time.perf_counter()
    rows = list(store.fingerprints_since(NOW - DEFAULT_WINDOW))
    read = time.perf_counter() - started
    started = time.perf_counter()
    index = NoveltyIndex(window=DEFAULT_WINDOW)
    for item_id, published, _first_seen, blob in rows:
        index.add(item_id, published, Fingerprint.from_bytes(blob))
    if rows:  # the index files its last batch on the first judgement
        index.judge(Fingerprint.from_bytes(rows[0][3]), NOW, NOW)
    return read, time.perf_counter() - started, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    args = parser.parse_args()
    import pgcluster
    from conftest_pg import PgServer

    from monitor.settings import PostgresTarget

    work = Path(tempfile.mkdtemp(prefix="bench-rebuild-"))
    os.chmod(work, 0o755)
    try:
        with pgcluster.admin_url(work / "pg") as admin:
            server = PgServer(admin)
            header = ("size", "backend", "read s", "index s", "total s", "vs sqlite")
            print("{:>8} {:<11} {:>7} {:>8} {:>8} {:>9}".format(*header))
            for size in (int(s) for s in args.sizes.split(",")):
                world = World(size, 7)
                name = f"rebuild_{size}_{os.getpid()}"
                server.admin(f'CREATE DATABASE "{name}"')
                targets = {
                    "sqlite": work / f"{size}.db",
                    "postgresql": PostgresTarget(server.url(name), "bench", work / "cache"),
                }
                results = {}
                for backend, target in targets.items():
                    with Store(target) as store:  # type: ignore[arg-type]
                        filled = fill(store, world, size)
                        print(f"  {backend}: stored {size} in {filled:.1f} s", file=sys.stderr)
                    with Store(target, readonly=True) as store:  # type: ignore[arg-type]
                        results[backend] = rebuild(store)
                base = sum(results["sqlite"][:2])
                for backend, (read, build, count) in results.items():
                    total = read + build
                    print(f"{count:>8} {backend:<11} {read:>7.2f} {build:>8.2f} {total:>8.2f}"
                          f" {total / base:>8.2f}x")  # fmt: skip
                server.admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
