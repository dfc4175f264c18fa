"""Relevance alone, item by item, on a labelled snapshot set in the ``wire-dev`` layout.

Reads every feed file of every snapshot with the service's own parsing
(``monitor.sources.feedparse``), extraction (``monitor.extract``) and scoring
(``monitor.relevance``), without serving or storing anything: the end-to-end
replay is ``bench/judgement.py``. The unit is the document, as the service
dedupes entries by link; its first copy in time order (snapshot, then file name)
is the one judged (with ``--fulltext``, the whole-article copy of
``fulltext.xml`` where there is one); a document's gold label is the strongest of the label rows
sharing its link. An entry split into several stories is relevant if any is.

Prints, for today's scorer and for the baseline (the scorer and profile of main
before the entity table, ``bench/relevance_main.*``) in the same run:
precision, recall and F1 (borderline ignored), how many borderline items pass,
every error (title, source, why), and the per-item cost. Then, for each scorer,
grouped 5-fold cross-validation of a fitted threshold (copies of one story, or
of one headline, never straddle folds): the F1 a threshold chosen on the other
folds reaches, beside the configured one.

    python bench/relevance.py ../shared/datasets/wire-dev            # feeds only
    python bench/relevance.py ../shared/datasets/wire-dev --fulltext # whole articles first
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parent))

import relevance_main
from judgement_score import RANK, Label, load_labels

from monitor import relevance, relevance_drivers
from monitor.config import load
from monitor.extract import extract
from monitor.sources.feedparse import _feedparser_entries
from monitor.sources.sanitize import clean_html, clean_title, text_to_html
from monitor.urls import canonical_web, resolve

REPO = Path(__file__).resolve().parent.parent
FULLTEXT = "fulltext.xml"
_SUFFIX = re.compile(r"\s*(?:[-|–]\s*[^-|–]{2,40}|（[^）]{1,20}）\s*-\s*Yahoo!ニュース)$")


@dataclass
class Doc:
    """One document as the service would first see it, and its gold label."""

    link: str
    title: str
    source: str
    stories: list[tuple[str, str]]  # (title, text) per extracted story
    gold: str
    group: str  # story slug, else the suffix-stripped headline: copies share it
    day: str = ""  # the UTC day of the first snapshot it is in


def _group(label: Label | None, title: str) -> str:
    if label and label.story:
        return label.story
    bare = _SUFFIX.sub("", title).casefold()
    return "title:" + hashlib.sha1(re.sub(r"\W+", "", bare).encode()).hexdigest()[:12]


def read_documents(dataset: Path, fulltext: bool) -> list[Doc]:
    """Every labelled document, first copy in time order, extracted as the service does."""
    labels = load_labels(dataset)
    by_link: dict[str, list[Label]] = {}
    by_guid = {label.guid: label for label in labels}
    for label in labels:
        by_link.setdefault(canonical_web(label.link) or label.link, []).append(label)
    docs: dict[str, Doc] = {}
    for folder in sorted(p for p in (dataset / "feeds").iterdir() if p.is_dir()):
        files = sorted(p for p in folder.glob("*.xml") if fulltext or p.name != FULLTEXT)
        # With --fulltext its copy (the whole article) is the one judged, so it goes first.
        files.sort(key=lambda p: p.name != FULLTEXT)
        for path in files:
            url = f"http://127.0.0.1/{path.name}"
            for entry in _feedparser_entries(feedparser.parse(path.read_bytes())):
                link = canonical_web(resolve(url, entry.link)) if entry.link else None
                key = link or entry.guid or ""
                if not key or key in docs:
                    continue
                rows = by_link.get(key) or ([by_guid[entry.guid]] if entry.guid in by_guid else [])
                label = max(rows, key=lambda r: RANK[r.relevant]) if rows else None
                title = clean_title(entry.title, is_html=entry.title_is_html) or ""
                html = entry.content if entry.content_is_html else text_to_html(entry.content)
                body = clean_html(html, link or url)
                stories = [(s.title, s.text) for s in extract(body, "html", title).stories]
                docs[key] = Doc(
                    key,
                    title,
                    path.stem,
                    stories,
                    label.relevant if label else "no",
                    _group(label, title),
                    folder.name[:8],
                )
    return list(docs.values())


Scorer = Callable[[str, str], tuple[float, bool, str]]


def scorers() -> dict[str, Scorer]:
    """The baseline (main before the entity table) and today's scorer, each with its profile."""
    old = relevance_main.compile_profile(load(REPO / "bench" / "relevance_main.toml").relevance)
    new = relevance.compile_profile(load(REPO / "config.toml").relevance)

    def baseline(title: str, text: str) -> tuple[float, bool, str]:
        r = relevance_main.score(old, title, text)
        return r.score, r.relevant, r.reason

    def current(title: str, text: str) -> tuple[float, bool, str]:
        r = relevance.score(new, title, text)
        return r.score, r.relevant, r.reason

    return {"baseline (main)": baseline, "current": current}


@dataclass
class Judged:
    doc: Doc
    score: float
    relevant: bool
    why: str


def judge(docs: list[Doc], scorer: Scorer) -> tuple[list[Judged], float, float, list[float]]:
    """Each document's best story; the mean cost per story, per 1,000 characters, and the
    costs of stories of 1,200-1,800 characters."""
    out, spent, stories, chars, sized = [], 0.0, 0, 0, []
    for doc in docs:
        best = None
        for title, text in doc.stories:
            started = time.perf_counter()
            value, relevant, why = scorer(title, text)
            took = time.perf_counter() - started
            spent += took
            if 1200 <= len(title) + len(text) <= 1800:
                sized.append(took)
            stories += 1
            chars += len(title) + len(text)
            if best is None or (relevant, value) > (best.relevant, best.score):
                best = Judged(doc, value, relevant, why)
        out.append(best or Judged(doc, 0.0, False, "no article text"))
    return out, spent / max(stories, 1), spent / max(chars, 1) * 1000, sized


def f1(judged: list[Judged], predict: Callable[[Judged], bool]) -> tuple[float, float, float, int]:
    """Precision, recall, F1 over yes/no items (borderline ignored), and false positives."""
    tp = sum(1 for j in judged if j.doc.gold == "yes" and predict(j))
    fp = sum(1 for j in judged if j.doc.gold == "no" and predict(j))
    fn = sum(1 for j in judged if j.doc.gold == "yes" and not predict(j))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), fp


def cross_validated(
    judged: list[Judged], folds: int = 5
) -> tuple[float, float, float, list[float]]:
    """Grouped k-fold: a threshold fitted (best F1) on the other folds, scored on each held fold."""
    groups = sorted({j.doc.group for j in judged})
    fold_of = {g: int(hashlib.sha1(g.encode()).hexdigest(), 16) % folds for g in groups}
    chosen, verdict = [], {}
    for k in range(folds):
        train = [j for j in judged if fold_of[j.doc.group] != k]
        candidates = sorted({round(j.score, 4) for j in train if j.score > 0}) or [1.0]
        best = max(candidates, key=lambda t: (f1(train, lambda j, t=t: j.score >= t)[2], -t))
        chosen.append(best)
        for j in judged:
            if fold_of[j.doc.group] == k:
                verdict[id(j)] = j.score >= best
    p, r, f, _ = f1(judged, lambda j: verdict[id(j)])
    return p, r, f, chosen


def _line(j: Judged) -> str:
    title = j.doc.title if len(j.doc.title) <= 90 else j.doc.title[:89] + "…"
    return f"  {title} ({j.doc.source}; {j.doc.gold}; {j.score:.2f})\n      why: {j.why}"


def report(
    name: str, judged: list[Judged], per_story: float, per_kchar: float, sized: list[float]
) -> None:
    """Figures and every error of one scorer."""
    p, r, f, fp = f1(judged, lambda j: j.relevant)
    border = [j for j in judged if j.doc.gold == "borderline"]
    print(f"\n=== {name} ===")
    print(
        f"precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (false positives {fp}; "
        f"yes {sum(j.doc.gold == 'yes' for j in judged)}, "
        f"no {sum(j.doc.gold == 'no' for j in judged)})"
    )
    print(f"borderline passed: {sum(j.relevant for j in border)} of {len(border)}")
    print(
        f"cost: {per_story * 1e3:.3f} ms per story, {per_kchar * 1e3:.3f} ms per 1,000 characters"
    )
    if sized:
        sized = sorted(sized)
        print(
            f"cost of a 1,200-1,800 character story ({len(sized)}): median "
            f"{sized[len(sized) // 2] * 1e3:.3f} ms, "
            f"p90 {sized[int(len(sized) * 0.9)] * 1e3:.3f} ms"
        )
    cp, cr, cf, chosen = cross_validated(judged)
    print(
        f"grouped 5-fold CV, fitted threshold: precision {cp:.3f} recall {cr:.3f} F1 {cf:.3f} "
        f"(thresholds chosen {', '.join(f'{t:.2f}' for t in chosen)})"
    )
    misses = [j for j in judged if j.doc.gold == "yes" and not j.relevant]
    wrong = [j for j in judged if j.doc.gold == "no" and j.relevant]
    print(f"missed (yes, dropped): {len(misses)}")
    for j in misses:
        print(_line(j))
    print(f"let in (no, kept): {len(wrong)}")
    for j in sorted(wrong, key=lambda j: -j.score):
        print(_line(j))
    print(f"borderline, dropped: {sum(not j.relevant for j in border)}")
    for j in border:
        if not j.relevant:
            print(_line(j))


DRIVER_LIMITS = (2, 4, 6, 8, 10, 12, 16, 20, 30, 1000)


DRIVER_LINE = 'driver_rules = ["japan+chips", "japan+ai"]'


def strict_profile() -> relevance.Profile:
    """config.toml's profile without its driver rules (the line removed)."""
    import tempfile

    text = (REPO / "config.toml").read_text(encoding="utf-8")
    if DRIVER_LINE not in text:
        raise SystemExit(f"config.toml has no line {DRIVER_LINE!r} to leave out")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_text(text.replace(DRIVER_LINE, ""), encoding="utf-8")
        return relevance.compile_profile(load(path).relevance)


def driver_cross_validation(docs: list[Doc]) -> None:
    """Leave-one-day-out and leave-one-feed-out choice of ``DRIVER_TOP_SENTENCES``.

    On the other days (feeds) the limit is the one letting in the most borderline documents
    with no `no` one (the smaller on ties); the held-out day (feed) is then scored with it.
    A document counts when the driver rule alone keeps it (the other rules drop it).
    """
    profile = relevance.compile_profile(load(REPO / "config.toml").relevance)
    plain = strict_profile()
    kept: dict[int, set[int]] = {}  # limit -> indexes of documents the driver rule keeps
    base = relevance_drivers.DRIVER_TOP_SENTENCES
    try:
        for limit in DRIVER_LIMITS:
            relevance_drivers.DRIVER_TOP_SENTENCES = limit
            kept[limit] = {
                i
                for i, d in enumerate(docs)
                if any(relevance.score(profile, t, x).relevant for t, x in d.stories)
                and not any(relevance.score(plain, t, x).relevant for t, x in d.stories)
            }
    finally:
        relevance_drivers.DRIVER_TOP_SENTENCES = base
    print("\n=== driver rules (config.toml's, against the same profile without them) ===")
    for limit in DRIVER_LIMITS:
        golds = [docs[i].gold for i in kept[limit]]
        print(
            f"  first {limit:4d} body sentences: borderline let in {golds.count('borderline')},"
            f" no let in {golds.count('no')}, yes {golds.count('yes')}"
        )
    for name, part in (("day", lambda d: d.day), ("feed", lambda d: d.source)):
        parts = sorted({part(d) for d in docs})
        no_in, border_in, chosen = 0, 0, []
        for held in parts:
            train = {i for i, d in enumerate(docs) if part(d) != held}

            def value(limit: int, train: set[int] = train) -> tuple[bool, int, int]:
                ins = [docs[i].gold for i in kept[limit] & train]
                return ins.count("no") == 0, ins.count("borderline"), -limit

            best = max(DRIVER_LIMITS, key=value)
            chosen.append(best)
            test = [docs[i].gold for i in kept[best] if part(docs[i]) == held]
            no_in += test.count("no")
            border_in += test.count("borderline")
        print(
            f"  leave-one-{name}-out ({len(parts)} folds): held-out `no` let in {no_in}, "
            f"borderline let in {border_in}; limits chosen {sorted(set(chosen))}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="a wire-dev style folder (feeds/, labels.jsonl)")
    parser.add_argument(
        "--fulltext", action="store_true", help="judge fulltext.xml's copy (the whole article)"
    )
    parser.add_argument(
        "--drivers",
        action="store_true",
        help="also cross-validate the driver rules' position limit (on in config.toml)",
    )
    args = parser.parse_args(argv)
    if not (args.dataset / "labels.jsonl").is_file():
        print(f"{args.dataset}: no labels.jsonl here", file=sys.stderr)
        return 2
    started = time.perf_counter()
    docs = read_documents(args.dataset, args.fulltext)
    print(
        f"{len(docs)} documents ({sum(len(d.stories) for d in docs)} stories) from "
        f"{args.dataset} in {time.perf_counter() - started:.1f} s"
        f"{' with fulltext.xml' if args.fulltext else ''}"
    )
    for name, scorer in scorers().items():
        scorer("warm-up", "SoftBank and Japan")
        report(name, *judge(docs, scorer))
    if args.drivers:
        driver_cross_validation(docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
