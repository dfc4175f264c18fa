"""Pairs in two languages: where the pair model's same-story score splits one story from two.

    python bench/cross_pairs.py ../shared/datasets/wire-dev bench/data/holdout ...

Every labelled pair of ``wiredev.dev_pairs`` (same slug = one story; follow-up pairs left
out) in two languages that ``apart_reason`` does not keep apart and that no rule but the
two-language threshold would fold (a copy, shared figures, a one-event link, one off-beat
principal company: each scored as the judge scores it, with that threshold out of the way).
Prints, for a few thresholds, how many such pairs of one story and of two the verdict folds at
it (a pair whose amounts or principal entities conflict never folds on the score alone), the
lowest threshold of the list, counting down, before the first that folds a pair of two stories
(what ``same_story_cross`` in ``monitor/similarity_model.json`` was chosen as: a wrong fold
loses the reader a story), and the pairs of two stories folded at the last threshold.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from event_rules import _hours
from wiredev import fingerprinted_pairs

import monitor.similarity as sim
from monitor.eventrules import apart_reason, link_reason, off_beat_principal
from monitor.novelty import Encoder
from monitor.pairscore import (
    pair_features_many,
    shared_amounts_many,
    similarities_of,
)

THRESHOLDS = (0.78, 0.74, 0.70, 0.68, 0.66, 0.64, 0.62, 0.60, 0.55, 0.50)


def _folds(pairs: list, model: sim.Model) -> list[bool]:
    """Whether the judge's verdict folds each (fa, fb, hours) with ``model``'s thresholds."""
    sim.load_model = lambda: model  # similarities_of reads the model through it
    out = []
    for fa, fb, hours in pairs:
        (s,) = similarities_of(
            pair_features_many(fa, [fb]), shared_amounts_many(fa, [fb]), [False],
            [link_reason(fa, fb, hours)], [off_beat_principal(fa, fb)],
        )  # fmt: skip
        out.append(s.verdict in ("copy", "same story"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+", help="folders in the wire-dev layout")
    args = parser.parse_args()
    shipped = sim.load_model()
    encoder = Encoder()
    rows: list[tuple[bool, str, str, str]] = []
    pairs: list = []
    for root in args.datasets:
        for a, b, same, fa, fb in fingerprinted_pairs(root, encoder):
            hours = _hours(a, b)
            if fa.lang != fb.lang and not apart_reason(fa, fb, hours):
                pairs.append((fa, fb, hours))
                rows.append((same, root.name, a["title"][:60], b["title"][:60]))
    # What folds with the two-language threshold out of the way folds by another rule.
    other = _folds(pairs, dataclasses.replace(shipped, same_story_cross=1.01))
    print(f"{sum(not o for o in other)} pairs not folded by another rule; "
          f"shipped threshold {shipped.same_story_cross:.2f}")  # fmt: skip
    lowest = THRESHOLDS[0]
    for threshold in THRESHOLDS:
        folds = _folds(pairs, dataclasses.replace(shipped, same_story_cross=threshold))
        new = [row for row, f, o in zip(rows, folds, other, strict=True) if f and not o]
        one, two = sum(r[0] for r in new), sum(not r[0] for r in new)
        print(f"  >= {threshold:.2f}: {one:4d} of one story, {two:3d} of two")
        if two == 0:
            lowest = threshold
        for same, name, title_a, title_b in new:
            if not same and threshold >= 0.64:
                print(f"      two stories ({name}): {title_a} | {title_b}")
    print(f"lowest threshold that folds no pair of two stories: {lowest:.2f}")


if __name__ == "__main__":
    main()
