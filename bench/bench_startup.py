"""Benchmark whole `monitor run-once` processes on the seed corpus, and a warm 304 cycle.

    python bench/bench_startup.py                 # seeds: 5 runs of each case
    python bench/bench_startup.py --runs 9
    python bench/bench_startup.py --feeds 1000    # and the all-304 cycle on 1,000 feeds

Every figure is a whole process, since a user waits for a whole process. The
project is the shipped ``config.toml`` (SQLite state, ``corpus = ["seeds"]``, the
digest written to files) in a temporary folder with a copy of ``seeds/``.
Cases, run round robin so that a change in the machine's load hits each alike:

- ``python -c pass`` and ``python -c "import feedparser"``: the baseline;
- fresh: ``monitor run-once`` with no state directory at all (no database, no
  encoder cache): the five seeds judged, a four-story digest written;
- cached: the same with the database removed but the encoder cache kept (the
  second project on a machine, or a state reset);
- again: ``run-once`` once more on that state: nothing new, no digest.

With ``--feeds N``: ``../shared/tools/feedfarm.py`` serves N feeds of
``--items`` items on 127.0.0.1 with ETags; they are imported with ``monitor feeds
import`` into a project without the corpus, one cold ``run-once`` stores their
ETags (not timed here: ``bench/bench_cycle.py`` times it), then ``--runs`` warm
``run-once`` processes in which every feed answers 304 are timed.

Bytecode: a ``pip install``ed monitor has its modules compiled at install
time. A checkout run with ``PYTHONDONTWRITEBYTECODE`` set would compile every
module from source on every run (~0.3 s), which no user waits for; so the
child processes write and reuse bytecode under a temporary
``PYTHONPYCACHEPREFIX`` (one untimed run first). ``--no-bytecode`` measures
the other way.

Prints the median and minimum wall time and the median CPU time (user + sys,
the process and its children) of each case, and each median's ratio to
``import feedparser`` measured in the same run. The machine may be shared:
compare ratios from one run, and read the load printed beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from farm import FARM, serving

REPO = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], cwd: Path, env: dict[str, str], want: str = "") -> tuple[float, float]:
    """(wall s, CPU s of the process and its children) of one whole process; exits on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code or want not in out:
        sys.exit(f"{' '.join(cmd)} failed ({code}), expected {want!r}:\n{out[-3000:]}")
    # Linux's wait4 reports the child's own time plus that of its children it reaped
    # (its worker processes): the CPU the whole run cost.
    return wall, usage.ru_utime + usage.ru_stime


def child_env(bytecode: bool, pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return f"load average {os.getloadavg()[0]:.2f}"


def report(rows: dict[str, list[tuple[float, float]]], base: str) -> None:
    ref = statistics.median(w for w, _ in rows[base])
    print(f"{'case':<28} {'median s':>9} {'min s':>7} {'CPU s':>7} {'ratio':>7}")
    for name, runs in rows.items():
        walls = [w for w, _ in runs]
        cpu = statistics.median(c for _, c in runs)
        med = statistics.median(walls)
        print(f"{name:<28} {med:>9.3f} {min(walls):>7.3f} {cpu:>7.3f} {med / ref:>6.1f}x")
    print(f"ratio: median wall / median wall of `{base}`, same run. {load()}")


def seeds(runs: int, env: dict[str, str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        project = work / "project"
        project.mkdir()
        shutil.copy(REPO / "config.toml", project / "config.toml")
        shutil.copytree(REPO / "seeds", project / "seeds")
        monitor = [sys.executable, "-m", "monitor", "run-once"]
        state, digests = project / "state", project / "digests"

        def fresh() -> None:
            shutil.rmtree(state, ignore_errors=True)
            shutil.rmtree(digests, ignore_errors=True)

        def cached() -> None:
            for path in state.glob("monitor.db*"):
                path.unlink()
            shutil.rmtree(digests, ignore_errors=True)

        cases: list[tuple[str, Callable[[], None], list[str], str]] = [
            ("python -c pass", lambda: None, [sys.executable, "-c", "pass"], ""),
            ("python -c 'import feedparser'", lambda: None,
             [sys.executable, "-c", "import feedparser"], ""),
            ("run-once, fresh state dir", fresh, monitor, "4 stories"),
            ("run-once, encoder cached", cached, monitor, "4 stories"),
            ("run-once again, nothing new", lambda: None, monitor, "Nothing new"),
        ]  # fmt: skip
        for _, prepare, cmd, want in cases:  # untimed: writes the bytecode
            prepare()
            timed(cmd, project, env, want)
        rows: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in cases}
        for _ in range(runs):
            for name, prepare, cmd, want in cases:
                prepare()
                rows[name].append(timed(cmd, project, env, want))
        print(f"seed corpus, {runs} runs of each case")
        report(rows, "python -c 'import feedparser'")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def warm_cycle(feeds: int, items: int, runs: int, farm: Path, env: dict[str, str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-startup-farm-"))
    served = work / "farm"
    try:
        with serving(farm, feeds, items, served):
            project = work / "project"
            project.mkdir()
            lines = (REPO / "config.toml").read_text(encoding="utf-8").splitlines()
            (project / "config.toml").write_text(
                "\n".join("corpus = []" if s.startswith("corpus = ") else s for s in lines) + "\n",
                encoding="utf-8",
            )
            monitor = [sys.executable, "-m", "monitor"]
            timed([*monitor, "feeds", "import", str(served / "feeds.opml")], project, env)
            start = time.perf_counter()
            timed([*monitor, "run-once"], project, env)
            cold = time.perf_counter() - start
            rows: dict[str, list[tuple[float, float]]] = {
                "python -c 'import feedparser'": [],
                f"run-once, {feeds} feeds all 304": [],
            }
            for _ in range(runs):
                rows["python -c 'import feedparser'"].append(
                    timed([sys.executable, "-c", "import feedparser"], project, env)
                )
                rows[f"run-once, {feeds} feeds all 304"].append(
                    timed([*monitor, "run-once"], project, env, "0 new documents")
                )
            log = (served / "requests.log").read_text().split()
            not_modified = log[-2 * feeds :: 2].count("304")
            print(
                f"\nwarm cycle: {feeds} feeds x {items} items, {runs} runs "
                f"(cold run-once to store the ETags, untimed here: {cold:.1f} s); "
                f"last run: {not_modified}/{feeds} answered 304"
            )
            report(rows, "python -c 'import feedparser'")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each case")
    parser.add_argument("--feeds", type=int, default=0, help="also the all-304 cycle on N feeds")
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--farm", type=Path, default=FARM, help="path to feedfarm.py")
    parser.add_argument("--no-seeds", action="store_true", help="only the warm feed cycle")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="compile every module from source each run"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-pyc-") as pycache:
        env = child_env(not args.no_bytecode, Path(pycache))
        print(load())
        if not args.no_seeds:
            seeds(args.runs, env)
        if args.feeds:
            warm_cycle(args.feeds, args.items, args.runs, args.farm, env)


if __name__ == "__main__":
    main()
