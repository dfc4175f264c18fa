"""Benchmark whole `monitor run` processes polling a feed farm: 1, 2 and 4 workers on one
PostgreSQL database against one process on SQLite, measured in the same run.

    python bench/bench_workers.py [--feeds 2000] [--items 50] [--workers 1,2,4]

The farm is ../shared/tools/feedfarm.py (N RSS feeds of M items on 127.0.0.1).
PostgreSQL is $MONITOR_TEST_POSTGRES (an admin URL), else a throwaway cluster
started here (tests/pgcluster.py). Each configuration starts from an empty
state: its processes start together and the clock runs from their start until
every entry of every feed is stored and judged, none left pending for the
judging leader (the first poll: fetch, parse, extract, relevance and
fingerprints on each worker, then the leader's novelty pass, storing).
Encoder start-up is inside the measured time, as it is for a user. Prints wall
seconds, items/s, the ratio to the SQLite process and the CPU seconds the
monitor processes used (against what the machine's cores could give: the
PostgreSQL server's own CPU is not counted); the fetcher may use 16
connections to the farm's single host (real feeds come from many hosts).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from farm import FARM, serving

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

# The shipped config.toml (its topic profile), changed only where a farm needs it.
CHANGES = (
    ('state = "state/monitor.db"', 'state = "{state}"\nfeeds_opml = "{opml}"'),
    ('corpus = ["seeds"]', "corpus = []"),
    ("per_host = 2", "per_host = 16"),  # the farm is one host; real feeds come from many
    ("backfill_days = 2", "backfill_days = 3650"),  # the farm's items are dated 2023
    ("poll_interval_minutes = 60", "poll_interval_minutes = 600"),  # one poll per run
)


def config_text(state: str, opml: Path, cache: Path) -> str:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    for old, new in CHANGES:
        assert old in text, old
        text = text.replace(old, new.format(state=state, opml=opml))
    if state.startswith("postgresql"):
        text += f'\n[postgresql]\ncache_dir = "{cache}"\n'
    return text


def documents(target: object) -> tuple[int, int]:
    """Documents stored, and items still waiting for the judging leader's novelty pass."""
    from monitor.store import PENDING_ROWS, Store

    try:
        with Store(target, readonly=True) as store:  # type: ignore[arg-type]
            stored = store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            pending = store.db.execute(f"SELECT COUNT(*) FROM items WHERE {PENDING_ROWS}")
            return int(stored), int(pending.fetchone()[0])
    except Exception:  # not created yet
        return 0, 0


def run(
    label: str, work: Path, state: str, target: object, processes: int, total: int, limit: float
) -> tuple[float, float]:
    """Start ``processes`` workers on an empty state: seconds until ``total`` documents are
    stored and judged (none pending), and the CPU seconds the workers used meanwhile."""
    directory = work / label
    directory.mkdir()
    config = directory / "config.toml"
    config.write_text(config_text(state, work / "farm" / "feeds.opml", work / "sqlite" / "state"
                                  / "cache"))  # fmt: skip
    command = [sys.executable, "-m", "monitor", "--config", str(config), "run"]
    started = time.perf_counter()
    cpu = _children_cpu()
    workers = [
        subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL,
                         stderr=open(directory / f"worker{n}.log", "w"))  # noqa: SIM115
        for n in range(processes)
    ]  # fmt: skip
    try:
        while (done := documents(target)) < (total, 0) or done[1]:
            if any(w.poll() is not None for w in workers):
                sys.exit(f"{label}: a worker exited; see {directory}/worker*.log")
            if time.perf_counter() - started > limit:
                sys.exit(f"{label}: not done after {limit:.0f} s ({done[0]} documents)")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
    used = _children_cpu() - cpu  # the workers and their parser processes, all waited for
    print(f"  {label}: {done[0]} documents in {seconds:.1f} s, {used:.0f} CPU s; load "
          f"{os.getloadavg()[0]:.1f}", file=sys.stderr)  # fmt: skip
    return seconds, used


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--limit", type=float, default=1800, help="seconds per configuration")
    parser.add_argument("--farm", type=Path, default=FARM, help="path to feedfarm.py")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    import pgcluster
    from conftest_pg import PgServer

    from monitor.settings import PostgresTarget

    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    os.chmod(work, 0o755)
    try:
        with (
            serving(args.farm, args.feeds, args.items, work / "farm"),
            pgcluster.admin_url(work / "pg") as admin,
        ):
            server = PgServer(admin)
            total = args.feeds * args.items
            print(f"{args.feeds} feeds x {args.items} items = {total} items; {os.cpu_count()} CPUs")

            sqlite_state = work / "sqlite" / "state" / "monitor.db"
            results = {"sqlite, 1 process": run("sqlite", work, str(sqlite_state), sqlite_state, 1,
                                                total, args.limit)}  # fmt: skip
            for count in counts:
                name = f"bench_{count}_{os.getpid()}"
                server.admin(f'CREATE DATABASE "{name}"')
                url = server.url(name)
                target = PostgresTarget(url, "bench", work / "sqlite" / "state" / "cache")
                results[f"postgresql, {count} worker{'s' if count > 1 else ''}"] = run(
                    f"pg{count}", work, url, target, count, total, args.limit
                )
                server.admin(f'DROP DATABASE "{name}" WITH (FORCE)')
            baseline = results["sqlite, 1 process"][0]
            cores = os.cpu_count() or 1
            print(f"{'configuration':<26} {'seconds':>8} {'items/s':>9} {'vs sqlite':>10}"
                  f" {'worker CPU s':>13} {'of the cores':>13}")  # fmt: skip
            for label, (seconds, used) in results.items():
                print(
                    f"{label:<26} {seconds:>8.1f} {total / seconds:>9.0f}"
                    f" {baseline / seconds:>9.2f}x {used:>13.0f} {used / (seconds * cores):>12.0%}"
                )
            print(f"load average at the end: {os.getloadavg()[0]:.1f} on {cores} cores")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
