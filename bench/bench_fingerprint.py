"""What fingerprinting a relevant story costs a worker: one story per encoder call vs chunks.

    python bench/bench_fingerprint.py ../shared/datasets/wire-dev [--stories 240]

Stories are the extracted entries (headline and text, as a worker sees them) of the
last wire-dev snapshot's feeds, the longest-text ones first trimmed to ``--stories``
in feed order; the cost of a fingerprint depends on the text, not on its relevance.
Measured in the same run, on one core (OPENBLAS_NUM_THREADS=1):

* **one per call**: ``fingerprint_texts`` on one story at a time, as a feed with a
  single relevant entry was fingerprinted beside its parse;
* **chunks**: ``prepare.fingerprint_chunk``'s way, stories sorted by length in
  chunks of ``FINGERPRINT_CHUNK``, one encoder call each;

and the split of one story's cost: the encoder (headline + lead), the rest (MinHashes,
facts, amounts, entities, language). Timings are the best of ``--repeat`` passes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from monitor.config import load  # noqa: E402
from monitor.fingerprint import lead_text  # noqa: E402
from monitor.novelty import Encoder, fingerprint_texts  # noqa: E402
from monitor.prepare import FINGERPRINT_CHUNK, prepare  # noqa: E402
from monitor.relevance import compile_profile  # noqa: E402
from monitor.sources.feedparse import parse_feed  # noqa: E402


def stories(dataset: Path, limit: int) -> list[tuple[str, str]]:
    """(title, text) of the extracted entries of the last snapshot, with some text."""
    last = sorted(p for p in (dataset / "feeds").iterdir() if p.is_dir())[-1]
    profile = compile_profile(load(REPO / "config.toml").relevance)
    out = []
    for path in sorted(last.glob("*.xml")):
        parsed = parse_feed(
            path.read_bytes(), url=f"http://127.0.0.1/{path.name}", content_type=None, source_id="b"
        )
        for entry in parsed.entries:
            ready = prepare(profile, entry.body, "html", entry.title, entry.hints)
            out.extend((s.title, s.text) for s in ready.stories if len(s.text) > 150)
    return out[:limit]


def best(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--stories", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = stories(args.dataset, args.stories)
    n = len(texts)
    encoder = Encoder()
    encoder.encode(["warm up"])
    one = best(args.repeat, lambda: [fingerprint_texts([t], encoder) for t in texts])
    ordered = sorted(texts, key=lambda t: len(t[1]))
    chunks = [ordered[k : k + FINGERPRINT_CHUNK] for k in range(0, n, FINGERPRINT_CHUNK)]
    batched = best(args.repeat, lambda: [fingerprint_texts(c, encoder) for c in chunks])
    views = [lead_text(title, text) for title, text in texts]
    views += [" ".join(title.split()) for title, _ in texts]
    pairs = [[views[i], views[n + i]] for i in range(n)]
    encode_one = best(args.repeat, lambda: [encoder.encode(pair) for pair in pairs])
    print(f"{n} stories (median text {sorted(len(t) for _, t in texts)[n // 2]} chars),"
          f" load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(
        f"one story per call : {1000 * one / n:6.2f} ms per story"
        f" (encoder {1000 * encode_one / n:.2f}, the rest {1000 * (one - encode_one) / n:.2f})"
    )
    print(f"chunks of {FINGERPRINT_CHUNK:<9d}: {1000 * batched / n:6.2f} ms per story"
          f" ({one / batched:.2f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
