"""Benchmark whole `monitor run` processes polling a feed farm: 1, 2 and 4 workers on one
PostgreSQL database against one process on SQLite, measured in the same run.

    python bench/bench_workers.py [--feeds 2000] [--items 50] [--workers 1,2,4]

The farm is ../shared/tools/feedfarm.py (N RSS feeds of M items on 127.0.0.1).
PostgreSQL is $MONITOR_TEST_POSTGRES (an admin URL), else a throwaway cluster
started here (tests/pgcluster.py). Each configuration starts from an empty
state: its processes start together and the clock runs from their start until
every entry of every feed is stored as a judged document (the first poll:
fetch, parse, extract, relevance, novelty of the relevant ones, storing).
Encoder start-up is inside the measured time, as it is for a user. Prints wall
seconds, items/s and the ratio to the SQLite process; the fetcher may use 16
connections to the farm's single host (real feeds come from many hosts).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
FARMS = [REPO.parent / "shared" / "tools" / "feedfarm.py", Path("/work/shared/tools/feedfarm.py")]

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def documents(target: object) -> int:
    from monitor.store import Store

    try:
        with Store(target, readonly=True) as store:  # type: ignore[arg-type]
            return int(store.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except Exception:  # not created yet
        return 0


def run(label: str, work: Path, state: str, target: object, processes: int, total: int) -> float:
    """Start ``processes`` workers on an empty state; seconds until ``total`` documents."""
    directory = work / label
    directory.mkdir()
    config = directory / "config.toml"
    config.write_text(config_text(state, work / "farm" / "feeds.opml", work / "sqlite" / "state"
                                  / "cache"))  # fmt: skip
    command = [sys.executable, "-m", "monitor", "--config", str(config), "run"]
    started = time.perf_counter()
    workers = [
        subprocess.Popen(command, cwd=directory, stdout=subprocess.DEVNULL,
                         stderr=open(directory / f"worker{n}.log", "w"))  # noqa: SIM115
        for n in range(processes)
    ]  # fmt: skip
    try:
        while (done := documents(target)) < total:
            if any(w.poll() is not None for w in workers):
                sys.exit(f"{label}: a worker exited; see {directory}/worker*.log")
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
    print(f"  {label}: {done} documents in {seconds:.1f} s", file=sys.stderr)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    farm_script = next((p for p in FARMS if p.exists()), None)
    if farm_script is None:
        sys.exit("feedfarm.py not found in ../shared/tools")

    import pgcluster
    from conftest_pg import PgServer

    from monitor.settings import PostgresTarget

    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    os.chmod(work, 0o755)
    cluster = None
    port = free_port()
    farm = subprocess.Popen(
        [sys.executable, str(farm_script), "serve", "--feeds", str(args.feeds),
         "--items", str(args.items), "--port", str(port), "--dir", str(work / "farm")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert farm.stdout is not None and "serving" in farm.stdout.readline()
        admin = os.environ.get("MONITOR_TEST_POSTGRES")
        if not admin:
            cluster = work / "pg"
            admin = pgcluster.start(cluster)
        server = PgServer(admin)
        total = args.feeds * args.items
        print(f"{args.feeds} feeds x {args.items} items = {total} items; {os.cpu_count()} CPUs")

        sqlite_state = work / "sqlite" / "state" / "monitor.db"
        results = {"sqlite, 1 process": run("sqlite", work, str(sqlite_state), sqlite_state, 1,
                                            total)}  # fmt: skip
        for count in counts:
            name = f"bench_{count}_{os.getpid()}"
            server.admin(f'CREATE DATABASE "{name}"')
            url = server.url(name)
            target = PostgresTarget(url, "bench", work / "sqlite" / "state" / "cache")
            results[f"postgresql, {count} worker{'s' if count > 1 else ''}"] = run(
                f"pg{count}", work, url, target, count, total
            )
            server.admin(f'DROP DATABASE "{name}" WITH (FORCE)')
        baseline = results["sqlite, 1 process"]
        print(f"{'configuration':<26} {'seconds':>8} {'items/s':>9} {'vs sqlite':>10}")
        for label, seconds in results.items():
            print(
                f"{label:<26} {seconds:>8.1f} {total / seconds:>9.0f} {baseline / seconds:>9.2f}x"
            )
    finally:
        farm.kill()
        if cluster is not None:
            pgcluster.stop(cluster)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
