"""Benchmark a whole cold `monitor run-once` against feedparser alone, measured in the same run.

    python bench/bench_cycle.py                    # 200 feeds x 50 items
    python bench/bench_cycle.py --feeds 200,1000   # and 1,000 x 50

For each size, ``../shared/tools/feedfarm.py serve`` (or ``--farm PATH``)
generates N feeds of M items (about 5 % on topic) and serves them on
127.0.0.1 with ETags; the feeds are imported from its ``feeds.opml`` with
``monitor feeds import``. Then, as whole processes, since a user waits for a
whole process:

- baseline: one Python process that runs ``feedparser.parse()`` with its
  defaults on the bytes of every feed file (no network);
- cold: ``monitor run-once`` with a fresh state directory (no database, no
  encoder cache): fetch, parse, extract, relevance, novelty, digest;
- warm: ``monitor run-once`` again, where every feed answers 304.

Prints the wall times, the ratio baseline / cold (>= 1.0: monitor is at least
as fast as feedparser alone), the warm time and the peak RSS of the monitor
process (its worker processes not included; they are printed apart), and the
CPU seconds (user + sys) of the baseline and of the whole cold run with its
worker processes: on a shared machine the wall times swing with the load
between the two runs, the CPU seconds far less. ``CPU ratio`` is the baseline's
CPU seconds over the cold run's: on 2 cores a cold run can be as fast as the
baseline only from 0.5 up. The machine may be shared: compare ratios from one
run, not absolute times.

Bytecode, as in ``bench_startup.py``: a ``pip install``ed monitor and its dependencies
have their modules compiled at install time, so every process here reuses bytecode written
under a temporary ``PYTHONPYCACHEPREFIX`` even where ``PYTHONDONTWRITEBYTECODE`` is set,
which would make the monitor process and each of its workers compile every module from
source on every run. Python then reads bytecode only under that prefix, for the
dependencies too: so one untimed baseline and one untimed cold run (its state removed
after) write it first. (Before, only monitor's own modules were compiled there: each
timed cold run compiled ~400 modules of aiohttp, numpy, jinja2, ... in the main process,
0.6 s of CPU, and more in its workers; feedparser's baseline compiled its own few.)
``--no-bytecode`` measures without any of it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from farm import FARM, serving

REPO = Path(__file__).resolve().parent.parent
BASELINE = """
import sys, glob, io, feedparser
entries = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.xml")):
    with open(path, "rb") as fh:
        entries += len(feedparser.parse(io.BytesIO(fh.read())).entries)
print(entries)
"""


def child_env(bytecode: bool, pycache: Path) -> dict[str, str]:
    """The environment of the timed processes: bytecode reused (see the docstring) or not."""
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
        # The package the timed processes import (an editable install's checkout).
        compile_it = "import compileall, monitor, os; compileall.compile_dir(monitor.__path__[0])"
        subprocess.run([sys.executable, "-c", compile_it], env=env, check=True, capture_output=True)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def timed(cmd: list[str], **kwargs) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS MB of the process itself, stdout+stderr, CPU seconds) of one
    whole process; the CPU counts the worker processes it waited for too."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-3000:]}")
    return wall, usage.ru_maxrss / 1024, out, usage.ru_utime + usage.ru_stime


def config_for(project: Path) -> Path:
    """The shipped config without the demo corpus, writing digests to files only."""
    lines = []
    for line in (REPO / "config.toml").read_text(encoding="utf-8").splitlines():
        lines.append("corpus = []" if line.startswith("corpus = ") else line)
    path = project / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def one_size(feeds: int, items: int, farm: Path, monitor: list[str], bytecode: bool) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-cycle-"))
    served = work / "farm"
    env = child_env(bytecode, work / "pycache")
    try:
        with serving(farm, feeds, items, served):
            project = work / "project"
            project.mkdir()
            config = config_for(project)
            run = [*monitor, "--config", str(config)]
            subprocess.run([*run, "feeds", "import", str(served / "feeds.opml")], check=True,
                           capture_output=True, env=env)  # fmt: skip
            baseline = [sys.executable, "-c", BASELINE, str(served)]
            if bytecode:  # untimed: every module either imports gets its bytecode written
                subprocess.run(baseline, env=env, check=True, capture_output=True)
                shutil.rmtree(project / "state", ignore_errors=True)
                subprocess.run([*run, "run-once"], cwd=project, env=env, check=True,
                               capture_output=True)  # fmt: skip
            shutil.rmtree(project / "state", ignore_errors=True)  # fresh: no database, no cache
            base_s, _, base_out, base_cpu = timed(baseline, env=env)
            cold_s, cold_mb, cold_out, cold_cpu = timed([*run, "run-once"], cwd=project, env=env)
            warm_s, warm_mb, _, _ = timed([*run, "run-once"], cwd=project, env=env)
            children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            return {
                "feeds": feeds, "items": items, "entries": int(base_out.split()[-1]),
                "feedparser_s": base_s, "cold_s": cold_s, "ratio": base_s / cold_s,
                "warm_s": warm_s, "cold_rss_mb": cold_mb, "warm_rss_mb": warm_mb,
                "feedparser_cpu_s": base_cpu, "cold_cpu_s": cold_cpu,
                "max_child_rss_mb": children_mb, "summary": cold_out.strip().splitlines()[-3:],
            }  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load() -> str:
    """The load average, printed beside the figures (the machine may be shared)."""
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", default="200", help="comma-separated feed counts")
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--farm", type=Path, default=FARM, help="path to feedfarm.py")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="compile every module from source each run"
    )
    args = parser.parse_args()
    monitor = [sys.executable, "-m", "monitor"]
    print(f"{load()}; bytecode {'compiled from source each run' if args.no_bytecode else 'reused'}")
    print(
        f"{'feeds':>6} {'entries':>8} {'feedparser s':>12} {'cold s':>7} {'ratio':>6} "
        f"{'warm s':>7} {'cold RSS MB':>11} {'warm RSS MB':>11} {'fp CPU s':>8} {'cold CPU s':>10} "
        f"{'CPU ratio':>9}"
    )
    for feeds in (int(n) for n in args.feeds.split(",")):
        r = one_size(feeds, args.items, args.farm, monitor, not args.no_bytecode)
        print(
            f"{r['feeds']:>6} {r['entries']:>8} {r['feedparser_s']:>12.2f} {r['cold_s']:>7.2f} "
            f"{r['ratio']:>5.2f}x {r['warm_s']:>7.2f} {r['cold_rss_mb']:>11.0f} "
            f"{r['warm_rss_mb']:>11.0f} {r['feedparser_cpu_s']:>8.2f} {r['cold_cpu_s']:>10.2f} "
            f"{r['feedparser_cpu_s'] / r['cold_cpu_s']:>8.2f}x"
        )
        for line in r["summary"]:
            print(f"       cold run: {line}")
        print(f"       {load()}")
    print(
        "ratio: feedparser alone (one process, same bytes, no network) / whole cold run-once "
        "(fresh state dir); >= 1.0 means monitor is at least as fast. RSS: the monitor "
        "process itself (largest child process so far: "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB). "
        "Times from one run on a possibly shared machine: compare the ratio. CPU s: user+sys "
        "of the whole process (the cold run's with its worker processes); on a busy machine "
        "wall times swing with the load, CPU seconds much less. CPU ratio: feedparser's CPU "
        "seconds / the cold run's (on 2 cores, a wall ratio of 1.0 needs at least 0.5)."
    )


if __name__ == "__main__":
    main()
