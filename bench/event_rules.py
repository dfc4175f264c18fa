"""How often each rule that links two reports or keeps them apart fires, on labelled pairs.

    python bench/event_rules.py ../shared/datasets/wire-dev [bench/data/holdout ...]

Every pair of ``wiredev.dev_pairs`` (same slug = one story; follow-up pairs left out), each
scored alone: ``eventrules.link_reason`` (one event, whatever the model says), ``apart_reason``
(other sessions, countries, a market report against a share move) and
``followup.development`` (a later stage or the shares' move, either way round). A link on a
pair of two stories is a wrong fold in waiting; an apart or a stage on a pair of one story is
a repeat in waiting. Prints the counts by rule and the pairs that fire the wrong way.

With ``--link-cosines`` it prints instead, for pairs of two relevant (yes or borderline) items
that a link joins, the headline + lead cosine of each below 0.45, one story or two: what
``similarity.LINK_MIN_SEMANTIC`` is chosen from.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from wiredev import fingerprinted_pairs

from monitor.eventrules import apart_reason, link_reason
from monitor.followup import development
from monitor.novelty import Encoder
from monitor.pairscore import pair_features


def _hours(a: dict, b: dict) -> float:
    def when(e: dict) -> datetime:
        return datetime.fromisoformat(e["published"].replace("Z", "+00:00"))

    return (when(a) - when(b)).total_seconds() / 3600


def _rule(reason: str) -> str:
    """The rule's name: the reason without its particulars."""
    return reason.split(" (")[0].split(" after ")[0].split(", ")[0]


def one_set(root: Path, encoder: Encoder) -> None:
    counts: Counter[tuple[str, str, str]] = Counter()
    wrong: list[str] = []
    pairs = fingerprinted_pairs(root, encoder)
    for a, b, same, fa, fb in pairs:
        hours = _hours(a, b)
        found = {
            "link": link_reason(fa, fb, hours),
            "apart": apart_reason(fa, fb, hours),
            "stage": development(fa, [fb]) or development(fb, [fa]),
        }
        for what, reason in found.items():
            if not reason:
                continue
            counts[("one story" if same else "two stories", what, _rule(reason))] += 1
            if (what == "link") != same:
                wrong.append(f"  {what} on {'one story' if same else 'two stories'}: "
                             f"{a['title'][:70]} | {b['title'][:70]}")  # fmt: skip
    print(f"{root}: {len(pairs)} pairs, {sum(same for _, _, same, *_ in pairs)} of one story")
    for (pair, what, rule), n in sorted(counts.items()):
        print(f"  {n:6d}  {what:5s} on {pair:11s}  {rule}")
    print(f"  the wrong way (a link on two stories, apart or a stage on one): {len(wrong)}")
    print("\n".join(wrong[:20]))


def link_cosines(root: Path, encoder: Encoder) -> None:
    """The cosine of each linked pair of relevant items below 0.45 (``--link-cosines``)."""
    for a, b, same, fa, fb in fingerprinted_pairs(root, encoder):
        if "no" in (a.get("relevant"), b.get("relevant")):
            continue
        reason = link_reason(fa, fb, _hours(a, b))
        cosine = float(pair_features(fa, fb)[0]) if reason else 1.0
        if cosine < 0.45:
            print(f"{root.name}\t{'one story' if same else 'TWO STORIES'}\t{cosine:.3f}\t"
                  f"{_rule(reason)}\t{a['title'][:50]} | {b['title'][:50]}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path, help="folders in the wire-dev layout")
    parser.add_argument(
        "--link-cosines", action="store_true", help="the cosines of linked relevant pairs"
    )
    args = parser.parse_args()
    encoder = Encoder()
    for root in args.datasets:
        if not (root / "labels.jsonl").exists():
            sys.exit(f"{root}: not a wire-dev style folder (labels.jsonl)")
        (link_cosines if args.link_cosines else one_set)(root, encoder)


if __name__ == "__main__":
    main()
