"""Cross-language pairs of one principal company: how their same-story score splits them.

    python bench/principal_pairs.py ../shared/datasets/wire-dev bench/data/holdout ...
    python bench/principal_pairs.py --same-language ...   # pairs in one language instead

Every labelled pair of ``wiredev.dev_pairs`` (same slug = one story; follow-up pairs left
out) in two languages that names one principal company the beat is not itself about
(``eventrules.off_beat_principal``) and that ``apart_reason`` does not keep apart, each scored
alone with ``compare``. Prints, for a few floors, how many pairs of one story and of two reach
it, then every pair of two stories above 0.2: what ``similarity.PRINCIPAL_SAME_STORY`` was
chosen from.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from wiredev import fingerprinted_pairs

from monitor.eventrules import apart_reason, off_beat_principal
from monitor.novelty import Encoder
from monitor.pairscore import compare
from monitor.similarity import PRINCIPAL_SAME_STORY

FLOORS = (0.56, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", type=Path, nargs="+", help="folders in the wire-dev layout")
    parser.add_argument(
        "--same-language", action="store_true", help="pairs in one language, not two"
    )
    args = parser.parse_args()
    encoder = Encoder()
    scored: list[tuple[float, bool, str, str, str]] = []
    for root in args.datasets:
        for a, b, same, fa, fb in fingerprinted_pairs(root, encoder):
            if (fa.lang == fb.lang) != args.same_language:
                continue
            if not off_beat_principal(fa, fb) or apart_reason(fa, fb):
                continue
            score = compare(fa, fb).same_story
            scored.append((score, same, root.name, a["title"][:60], b["title"][:60]))
    print(f"{len(scored)} pairs; shipped floor {PRINCIPAL_SAME_STORY:.2f}")
    for floor in FLOORS:
        one = sum(1 for s, same, *_ in scored if s >= floor and same)
        two = sum(1 for s, same, *_ in scored if s >= floor and not same)
        print(f"  floor {floor:.2f}: one story {one} fold, two stories {two} fold")
    for score, same, where, a, b in sorted(scored, reverse=True):
        if not same and score >= 0.2:
            print(f"  two stories at {score:.3f} ({where}): {a} | {b}")


if __name__ == "__main__":
    main()
