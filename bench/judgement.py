"""Replay a labelled snapshot set through whole ``monitor`` processes and score the judgement.

The set is in the ``wire-dev`` layout (``feeds/<YYYYMMDDTHHMM>/<file>.xml`` and
``labels.jsonl``). Each snapshot folder is served by a real HTTP server on
127.0.0.1, at the same URLs for every snapshot, in time order. A fresh state
directory and a config listing every feed (``fulltext.xml`` only with
``--fulltext``; the topic profile and the other sections come from ``--profile``,
the repository's ``config.toml`` by default) are written, and then, with the
clock set to the snapshot's time:

* the last snapshot of each UTC day: ``monitor run-once --as-of T`` (poll, then
  the day's digest, written to files);
* the other snapshots: a poll without a digest, as the daemon's poll job does
  it (``runner.poll`` in a process of its own); ``--digest-every-poll`` makes
  every step a ``run-once``.

``--mode one-poll`` serves the whole set as one snapshot (each feed holding the
union of its entries) and runs one ``run-once`` as of the last snapshot.
Afterwards the store is read back (every item's judgement and every digest
built) and scored against the labels by ``judgement_score``: relevance
precision / recall / F1 by document (borderline ignored), story recall,
repeats, wrong folds, missed folds, with every error listed. The judge stage's
own timings come from the runs' debug log; wall times are of whole processes.

    python bench/judgement.py ../shared/datasets/wire-dev
    python bench/judgement.py ../shared/datasets/wire-dev --mode both --work /tmp/jb

The encoder cache lives in ``--work`` and is kept across runs, so only the very
first process of all pays the cold model load.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import judgement_score as scoring

from monitor.store import Store

REPO = Path(__file__).resolve().parent.parent
FULLTEXT = "fulltext.xml"
_TIMING = re.compile(
    r"judged (\d+) stories: extract (\d+) ms, relevance (\d+) ms; "
    r"novelty of (\d+) relevant (\d+) ms \(encoder load (\d+) ms, window load (\d+) ms\)"
)


class _Handler(BaseHTTPRequestHandler):
    """Serves the files of ``server.root``; no validators, so every poll reads the body."""

    server: _Server

    def do_GET(self) -> None:
        name = self.path.split("?")[0].lstrip("/")
        path = self.server.root / name
        if "/" in name or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    root: Path


def serve() -> _Server:
    """A feed server on a free 127.0.0.1 port, in a daemon thread."""
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def snapshot_time(name: str) -> datetime:
    """A snapshot folder's time: its name, YYYYMMDDTHHMM in UTC."""
    return datetime.strptime(name, "%Y%m%dT%H%M").replace(tzinfo=UTC)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_config(
    run_dir: Path, state: Path, profile: Path, port: int, feeds: list[str], backfill_days: int
) -> Path:
    """The replay config: the profile's sections, a fresh state, no corpus, these feeds."""
    text = profile.read_text(encoding="utf-8")
    top = {
        "state": _toml_string(str(state)),
        "corpus": "[]",
        "deliver": '["file"]',
    }
    for key, value in top.items():
        text, count = re.subn(rf"(?m)^#?\s*{key}\s*=.*$", f"{key} = {value}", text, count=1)
        if not count:
            text = f"{key} = {value}\n{text}"
    text = re.sub(
        r"(?m)^directory\s*=.*$",
        f"directory = {_toml_string(str(run_dir / 'digests'))}",
        text,
        count=1,
    )
    text = re.sub(r"(?m)^backfill_days\s*=.*$", f"backfill_days = {backfill_days}", text, count=1)
    # A replay ends with its last digest: stories held over a digest's cap would never
    # be offered, so the cap is lifted (the judgement is measured, not the layout).
    text = re.sub(r"(?m)^max_stories\s*=.*$", "max_stories = 500", text, count=1)
    # Every feed is on one host here; the service would fetch them from many at once.
    text = re.sub(r"(?m)^per_host\s*=.*$", "per_host = 16", text, count=1)
    text += "\n" + "".join(
        f'\n[[feeds]]\nurl = "http://127.0.0.1:{port}/{name}"\nname = "{Path(name).stem}"\n'
        for name in feeds
    )
    path = run_dir / "replay.toml"
    path.write_text(text, encoding="utf-8")
    return path


# RSS items and Atom entries; an Atom link is an attribute, its id plays the guid.
_ITEM = re.compile(r"<item\b.*?</item>|<entry\b.*?</entry>", re.S)
_XMLNS = re.compile(r'xmlns:(\w+)="([^"]+)"')
_LINK = re.compile(r"<link>(.*?)</link>|<link\b[^>]*\bhref=\"([^\"]+)\"", re.S)
_GUID = re.compile(r"<guid\b[^>]*>(.*?)</guid>|<id>(.*?)</id>", re.S)
_ROOT = re.compile(r"<(rss|feed)\b")
_CLOSE = re.compile(r"</channel>|</feed>")


def merge_snapshots(snapshots: list[Path], target: Path) -> None:
    """One folder whose feeds hold every entry of every snapshot (the latest copy of each)."""
    target.mkdir(parents=True, exist_ok=True)
    names = sorted({p.name for s in snapshots for p in s.glob("*.xml")})
    for name in names:
        versions = [s / name for s in snapshots if (s / name).is_file()]
        latest = versions[-1].read_text(encoding="utf-8")
        items: dict[str, str] = {}
        for version in reversed(versions):
            for block in _ITEM.findall(version.read_text(encoding="utf-8")):
                # One entry per link, as a feed lists it: an edited headline gets a new
                # guid from this aggregator but is the same article.
                found = _LINK.search(block) or _GUID.search(block)
                key = (found[1] or found[2]).strip() if found else block
                items.setdefault(key, block)
        blocks = list(reversed(list(items.values())))
        first = _ITEM.search(latest)
        close = list(_CLOSE.finditer(latest))[-1].start()
        head = latest[: first.start()] if first else latest[:close]
        # Older copies may use a namespace (content:encoded) the latest root lacks.
        declared = dict(_XMLNS.findall(head))
        for version in versions:
            for prefix, uri in _XMLNS.findall(version.read_text(encoding="utf-8")[:2000]):
                if prefix not in declared and (root := _ROOT.search(head)):
                    declared[prefix] = uri
                    at = root.end()
                    head = f'{head[:at]} xmlns:{prefix}="{uri}"{head[at:]}'
        tail = latest[close:]
        (target / name).write_text(head + "\n    ".join(blocks) + "\n  " + tail, encoding="utf-8")


@dataclass
class Step:
    """One whole process of the replay."""

    label: str
    kind: str  # poll / run-once
    wall: float
    timing: tuple[int, ...] | None
    summary: str


@dataclass
class Replay:
    steps: list[Step] = field(default_factory=list)


_POLL = """
import sys
from pathlib import Path
from monitor import runner
from monitor.cli import _setup_logging
from monitor.config import load
from monitor.store import Store
from monitor.timeutil import parse_time
_setup_logging(True)
settings = load(Path(sys.argv[1]))
with Store(settings.state) as store:
    stats = runner.poll(store, settings, parse_time(sys.argv[2]))
print(stats.summary())
"""


def _has_as_of() -> bool:
    help_text = subprocess.run(
        [sys.executable, "-m", "monitor", "run-once", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return "--as-of" in help_text


def run_step(config: Path, when: datetime, kind: str, log_path: Path, as_of: bool) -> Step:
    """Run one poll or run-once as a whole process; its stderr goes to ``log_path``."""
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "poll":
        command = [sys.executable, "-c", _POLL, str(config), iso]
    elif as_of:
        command = [
            sys.executable,
            "-m",
            "monitor",
            "--debug",
            "run-once",
            "--config",
            str(config),
            "--as-of",
            iso,
        ]
    else:  # before --as-of existed: the same cycle through the runner
        command = [
            sys.executable,
            "-c",
            _POLL.replace("runner.poll", "runner.run_once").replace(
                "print(stats.summary())", "print(stats.stats.summary())"
            ),
            str(config),
            iso,
        ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"=== {kind} as of {iso} (exit {done.returncode}, {wall:.1f} s)\n")
        log.write(done.stderr)
        log.write(done.stdout)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise SystemExit(f"{kind} as of {iso} failed (exit {done.returncode}):\n{tail}")
    timings = _TIMING.findall(done.stderr)
    timing = tuple(sum(int(t[i]) for t in timings) for i in range(7)) if timings else None
    lines = (done.stderr + done.stdout).splitlines()
    summary = next((line for line in reversed(lines) if "stories judged" in line), "")
    return Step(iso, kind, wall, timing, summary.removeprefix("monitor: INFO: "))


def replay(
    dataset: Path, work: Path, mode: str, profile: Path, fulltext: bool, every_poll: bool
) -> tuple[Path, Replay]:
    """Run one mode of the replay; returns the state file and what each process did."""
    folders = sorted(p for p in (dataset / "feeds").iterdir() if p.is_dir())
    run_dir = work / mode
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    # One state folder for every run and mode, a fresh database in it for each: the
    # encoder cache the service keeps beside its database is then built only once.
    state = work / "state" / f"{mode}.db"
    (work / "state").mkdir(mode=0o700, exist_ok=True)
    for stale in (work / "state").glob(f"{mode}.db*"):
        stale.unlink()
    if mode == "one-poll":
        merged = work / "merged"
        shutil.rmtree(merged, ignore_errors=True)
        merge_snapshots(folders, merged)
        plan = [(merged, snapshot_time(folders[-1].name), "run-once")]
        backfill = (snapshot_time(folders[-1].name) - snapshot_time(folders[0].name)).days + 3
    else:
        plan = []
        for i, folder in enumerate(folders):
            when = snapshot_time(folder.name)
            last_of_day = i + 1 == len(folders) or snapshot_time(folders[i + 1].name).date() != (
                when.date()
            )
            kind = "run-once" if every_poll or last_of_day else "poll"
            plan.append((folder, when, kind))
        backfill = 2
    names = sorted(p.name for p in folders[-1].glob("*.xml") if fulltext or p.name != FULLTEXT)
    server = serve()
    result = Replay()
    try:
        config = write_config(run_dir, state, profile, server.server_address[1], names, backfill)
        as_of = _has_as_of()
        for folder, when, kind in plan:
            server.root = folder
            step = run_step(config, when, kind, run_dir / "runs.log", as_of)
            result.steps.append(step)
            print(f"  {step.label} {kind:8s} {step.wall:6.1f} s  {step.summary}", flush=True)
    finally:
        server.shutdown()
    return state, result


def report(dataset: Path, state: Path, result: Replay, title: str) -> dict[str, float]:
    """Print the scores of one replay and return its figures."""
    labels = scoring.load_labels(dataset)
    with Store(state, readonly=True) as store:
        judged = store.judgements()
        contents = store.digest_contents()
    outcomes = scoring.outcomes(judged, scoring.LabelIndex(labels))
    scored = scoring.score(outcomes, scoring.digest_stories(contents), labels)
    print(f"\n## {title}")
    timed = [s.timing for s in result.steps if s.timing]
    relevant = sum(t[3] for t in timed)
    novelty_ms = sum(t[4] for t in timed)
    load_ms = sum(t[5] for t in timed)
    walls = ", ".join(f"{s.wall:.1f}" for s in result.steps)
    print(f"whole-process wall times (s): {walls}; total {sum(s.wall for s in result.steps):.1f}")
    if timed:
        window_ms = sum(t[6] for t in timed)
        per = (novelty_ms - load_ms - window_ms) / relevant if relevant else float("nan")
        with_all = novelty_ms / relevant if relevant else float("nan")
        print(
            f"judge stage: {sum(t[0] for t in timed)} stories, extract {sum(t[1] for t in timed)}"
            f" ms, relevance {sum(t[2] for t in timed)} ms; novelty of {relevant} relevant "
            f"{novelty_ms} ms, of which encoder loads {load_ms} ms and window loads {window_ms}"
            f" ms -> {per:.1f} ms per relevant item ({with_all:.1f} ms with the loads)"
        )
        scored.figures["ms_per_relevant"] = per
    print("\n".join(scored.lines))
    return scored.figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="a folder in the wire-dev layout")
    parser.add_argument("--mode", choices=["replay", "one-poll", "both"], default="both")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="working folder (state, digests, logs, encoder cache), kept; default: a new one in"
        " $TMPDIR, so that two runs at once never share a state, removed at the end (--keep)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the default working folder (about 110 MB)"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=REPO / "config.toml",
        help="config whose topic profile and settings the replay uses",
    )
    parser.add_argument("--fulltext", action="store_true", help="also poll fulltext.xml")
    parser.add_argument(
        "--digest-every-poll",
        action="store_true",
        help="run-once (and a digest) at every snapshot, not once a day",
    )
    args = parser.parse_args(argv)
    if not (args.dataset / "labels.jsonl").is_file() or not (args.dataset / "feeds").is_dir():
        print(
            f"{args.dataset}: not a wire-dev style folder (feeds/, labels.jsonl)", file=sys.stderr
        )
        return 2
    scratch = args.work is None and not args.keep
    if args.work is None:
        args.work = Path(tempfile.mkdtemp(prefix="monitor-judgement-"))
        print(f"# work folder: {args.work}{' (removed at the end)' if scratch else ''}", flush=True)
    args.work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    modes = ["replay", "one-poll"] if args.mode == "both" else [args.mode]
    try:
        for mode in modes:
            print(f"# {mode}: {args.dataset}", flush=True)
            state, result = replay(
                args.dataset, args.work, mode, args.profile, args.fulltext, args.digest_every_poll
            )
            report(args.dataset, state, result, f"{mode} ({len(result.steps)} processes)")
            print()
    finally:
        if scratch:
            # A run leaves ~110 MB (the encoder cache, two states): hundreds of runs fill a disk.
            shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
