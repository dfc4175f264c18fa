"""Fold or follow-up, pair by pair, on a labelled wire-dev set: today's rules against the old ones.

    python bench/followups.py ../shared/datasets/wire-dev

Every entry the labeller read (``bench/wiredev.py``), without the headline-only
aggregator entries (``monitor/headlines.py`` folds those by headline), is
fingerprinted. Each pair with at least one story slug is judged as the novelty
stage would judge the later report against an index holding only the earlier
one, and classed by its labels:

* **same story** (one slug): folding (duplicate) is right, a follow-up is a repeat
  in the digest, not folding is a missed fold;
* **labelled follow-up** (the later one's ``follow_up_of`` is the earlier one's
  slug, e.g. a Tokyo close after that day's midday report): folding is a wrong fold;
* **different** (any other pair): folding is a wrong fold, a follow-up a wrong link.

Two rule sets are compared in the same run on the same fingerprints: the old ones
(lead facts compared script-blind by hash; no trading sessions, headline countries,
releases or headline figures) and today's (``monitor.followup.new_amounts`` across scripts,
``novelty.events_differ``, ``monitor.releases``, ``monitor.followup.headline_news``: a
headline figure no earlier report states is a development).
Pairs and verdicts are in-sample: these rules were written while reading this set.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from wiredev import entries

import monitor.novelty as novelty
from monitor.fingerprint import Fingerprint
from monitor.headlines import headline_only
from monitor.novelty import Encoder, NoveltyIndex, fingerprint_texts
from monitor.releases import RELEASE_TEXT, ReleaseIndex


def judge_pair(earlier: Fingerprint, when_a: datetime, later: Fingerprint, when_b: datetime,
               old: bool, texts: tuple[tuple[str, str], tuple[str, str]]) -> str:  # fmt: skip
    """duplicate / follow-up / new, for ``later`` judged against ``earlier`` alone.

    Today's rules include the release rule of the judge pass (``monitor.releases``):
    a report the index finds nothing for joins an earlier report of the same release.
    """
    index = NoveltyIndex()
    index.add("a", when_a, earlier)
    if not old:
        kind = index.judge(later, when_b, when_b).kind
        if kind == "new":
            releases = ReleaseIndex()
            releases.add("a", texts[0][0], texts[0][1][:RELEASE_TEXT], when_a)
            if releases.match(texts[1][0], texts[1][1][:RELEASE_TEXT], when_b):
                return "duplicate"
        return kind
    saved = novelty.new_amounts, novelty.events_differ, novelty.headline_news
    # The old rules: across scripts too, the script-blind count of hashed lead numbers;
    # no pair was told apart by its session or country, no headline figure was news.
    novelty.new_amounts = lambda fp, matched: novelty.new_facts(
        fp, [(o.facts, o.cjk) for o in matched]
    )
    novelty.events_differ = lambda a, b, hours=0.0: False
    novelty.headline_news = lambda fp, matched: 0
    try:
        return index.judge(later, when_b, when_b).kind
    finally:
        novelty.new_amounts, novelty.events_differ, novelty.headline_news = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="a wire-dev style folder")
    args = parser.parse_args(argv)
    if not (args.dataset / "labels.jsonl").is_file():
        print(f"{args.dataset}: no labels.jsonl", file=sys.stderr)
        return 2
    items = [e for e in entries(args.dataset) if not headline_only(e["title"], e["text"])]
    prints = fingerprint_texts([(e["title"], e["text"]) for e in items], Encoder())
    when = [datetime.fromisoformat(e["published"].replace("Z", "+00:00")) for e in items]
    order = sorted(range(len(items)), key=lambda i: when[i])
    counts: dict[str, Counter] = {"old": Counter(), "today": Counter()}
    changed: list[str] = []
    wrong: list[str] = []
    for pos, a in enumerate(order):
        for b in order[pos + 1 :]:
            ea, eb = items[a], items[b]
            if not (ea["story"] or eb["story"]):
                continue
            if ea["story"] and eb["follow_up_of"] == ea["story"]:
                label = "labelled follow-up"
            elif ea["story"] and ea["story"] == eb["story"]:
                label = "same story"
            else:
                label = "different"
            lang = "cross" if prints[a].cjk != prints[b].cjk else "same script"
            kinds = {}
            for rules in ("old", "today"):
                texts = ((ea["title"], ea["text"]), (eb["title"], eb["text"]))
                kind = judge_pair(prints[a], when[a], prints[b], when[b], rules == "old", texts)
                counts[rules][(label, lang, kind)] += 1
                kinds[rules] = kind
            pair = f"{eb['title'][:60]} || {ea['title'][:60]}"
            if label != "same story" and kinds["today"] == "duplicate":
                wrong.append(f"  {label}, {lang}: {pair}")
            if kinds["old"] != kinds["today"]:
                changed.append(f"  {label}, {lang}: {kinds['old']} -> {kinds['today']}: {pair}")
    print(f"{len(items)} entries read (headline-only ones left out)")
    print("label, scripts: verdict on the later report      old rules  today")
    keys = sorted(set(counts["old"]) | set(counts["today"]))
    for key in keys:
        if key[2] == "new" and key[0] == "different":
            continue  # thousands; only the folds and links of different stories matter
        label, lang, kind = key
        row = f"{label}, {lang}: {kind}"
        print(f"  {row:46s} {counts['old'][key]:6d} {counts['today'][key]:6d}")
    for rules in ("old", "today"):
        c = counts[rules]
        repeats = sum(n for (lab, _, k), n in c.items() if lab == "same story" and k == "follow-up")
        bad = sum(n for (lab, _, k), n in c.items() if lab != "same story" and k == "duplicate")
        folded = sum(n for (lab, _, k), n in c.items() if lab == "same story" and k == "duplicate")
        print(
            f"{rules:5s}: same-story pairs folded {folded}, made follow-ups {repeats}; "
            f"wrong folds (different or labelled follow-up) {bad}"
        )
    print(f"wrong folds today (later report || earlier one): {len(wrong)}")
    print("\n".join(wrong))
    print(f"pairs whose verdict changed: {len(changed)}")
    print("\n".join(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
