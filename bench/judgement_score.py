"""Scoring for ``bench/judgement.py``: a finished replay's store against ``labels.jsonl``.

Pure functions over plain values: the label rows, every judged item (from
``Store.judgements``) and the digests built (``Store.digest_contents``). The unit
of relevance is the document (one feed entry, as the service dedupes them by
link); a document's gold label is that of its label rows. The rules follow the
dataset README: borderline is ignored for precision and recall, every report of
one slug should be one digest story, a ``follow_up_of`` slug is its own story.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from monitor import codec
from monitor.store import StoredJudgement
from monitor.urls import canonical_web

RANK = {"no": 0, "borderline": 1, "yes": 2}


@dataclass(frozen=True, slots=True)
class Label:
    """One labelled unique entry."""

    guid: str
    link: str
    title: str
    relevant: str  # yes / borderline / no
    story: str | None
    follow_up_of: str | None
    lang: str = ""


def load_labels(dataset: Path) -> list[Label]:
    """The rows of ``labels.jsonl``."""
    rows = []
    with (dataset / "labels.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                r = json.loads(line)
                rows.append(
                    Label(
                        r["guid"],
                        r["link"],
                        r["title"],
                        r["relevant"],
                        r["story"],
                        r.get("follow_up_of"),
                        r.get("lang") or "",
                    )
                )
    return rows


class LabelIndex:
    """Finds the label of a judged item by canonical link, else by guid."""

    def __init__(self, labels: Iterable[Label]):
        self.by_link: dict[str, list[Label]] = defaultdict(list)
        self.by_guid: dict[str, Label] = {}
        for label in labels:
            self.by_guid[label.guid] = label
            if link := canonical_web(label.link) or label.link:
                self.by_link[link].append(label)

    def of(self, judged: StoredJudgement) -> Label | None:
        """The label of an item: the strongest of the rows sharing its link."""
        rows = self.by_link.get(judged.item.url or "", [])
        if not rows:
            guid = judged.item.doc_key.rpartition("#")[2]
            return self.by_guid.get(guid)
        return max(rows, key=lambda lab: (RANK[lab.relevant], lab.story is not None))


@dataclass
class Outcome:
    """What the bot did with one item, joined to its label."""

    judged: StoredJudgement
    label: Label | None
    story: str  # the bot's story id (its own id for a lead)
    relevant: bool
    why: str

    @property
    def slug(self) -> str | None:
        return self.label.story if self.label else None

    @property
    def gold(self) -> str:
        return self.label.relevant if self.label else "no"

    def line(self) -> str:
        item = self.judged.item
        title = item.title if len(item.title) <= 90 else item.title[:89] + "…"
        slug = f" [{self.slug}]" if self.slug else ""
        return (
            f"{title} ({item.source_name}; {self.gold}{slug}; {self.judged.status})\n"
            f"        why: {self.why}"
        )


def _why(judged: StoredJudgement) -> str:
    rel = codec.relevance_from_json(judged.relevance_json)
    parts = [f"relevance {rel.score:.2f}: {rel.reason}"]
    if judged.novelty_json:
        nov = codec.novelty_from_json(judged.novelty_json)
        parts.append(f"novelty {nov.kind} {nov.score:.2f}: {nov.reason}")
    return "; ".join(parts)


def outcomes(judgements: Sequence[StoredJudgement], index: LabelIndex) -> list[Outcome]:
    """Every judged item with its label, bot story and reasons."""
    out = []
    for judged in judgements:
        relevant = codec.relevance_from_json(judged.relevance_json).relevant
        out.append(
            Outcome(
                judged, index.of(judged), judged.story_id or judged.item.id, relevant, _why(judged)
            )
        )
    return out


@dataclass
class DigestStory:
    digest_id: str
    lead: str
    also: list[str]


def digest_stories(contents: Sequence[tuple[str, str, str]]) -> list[DigestStory]:
    """The stories of every digest, in order, with the ids of their folded reports."""
    stories = []
    for digest_id, _created, text in contents:
        for story in json.loads(text)["stories"]:
            also = [a["id"] for a in story.get("also", []) if "id" in a]
            stories.append(DigestStory(digest_id, story["id"], also))
    return stories


@dataclass
class Report:
    """The figures and the listed errors of one replay."""

    lines: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def add(self, text: str = "") -> None:
        self.lines.append(text)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def score(
    outcomes_: Sequence[Outcome], stories: Sequence[DigestStory], labels: Sequence[Label]
) -> Report:
    """Relevance P/R/F1 by document, story recall, repeats, wrong and missed folds."""
    report = Report()
    by_id = {o.judged.item.id: o for o in outcomes_}
    # Relevance per document: relevant when any of its stories passed.
    docs: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes_:
        docs[o.judged.item.doc_key].append(o)
    tp, fp, fn = [], [], []
    unlabelled = 0
    for parts in docs.values():
        first = parts[0]
        unlabelled += first.label is None
        predicted = any(p.relevant for p in parts)
        gold = first.gold
        if gold == "borderline":
            continue
        if predicted and gold == "yes":
            tp.append(first)
        elif predicted:
            fp.append(next(p for p in parts if p.relevant))
        elif gold == "yes":
            fn.append(first)
    precision, recall = _ratio(len(tp), len(tp) + len(fp)), _ratio(len(tp), len(tp) + len(fn))
    f1 = _ratio(2 * len(tp), 2 * len(tp) + len(fp) + len(fn))
    report.figures.update(precision=precision, recall=recall, f1=f1)
    border = [ps[0] for ps in docs.values() if ps[0].gold == "borderline"]
    border_in = sum(any(p.relevant for p in docs[b.judged.item.doc_key]) for b in border)
    report.add(f"documents judged: {len(docs)} ({unlabelled} without a label row, counted as no)")
    report.add(
        f"relevance (yes vs no, borderline ignored): precision {precision:.3f}, "
        f"recall {recall:.3f}, F1 {f1:.3f} (tp {len(tp)}, fp {len(fp)}, fn {len(fn)}); "
        f"borderline let in {border_in}/{len(border)}"
    )

    # Digest-level: what each slug became.
    in_digest: dict[str, list[DigestStory]] = defaultdict(list)  # slug -> digest stories
    lead_slug: dict[str, list[DigestStory]] = defaultdict(list)
    no_in_digest: list[tuple[Outcome, str]] = []
    for ds in stories:
        lead = by_id.get(ds.lead)
        members = [by_id[i] for i in ds.also if i in by_id]
        if lead is not None and lead.slug:
            lead_slug[lead.slug].append(ds)
        for role, o in [("lead", lead), *(("folded", m) for m in members)]:
            if o is None:
                continue
            if o.slug and ds not in in_digest[o.slug]:
                in_digest[o.slug].append(ds)
            if o.gold == "no":
                no_in_digest.append((o, f"{role} in digest {ds.digest_id}"))
    repeats = [(slug, dss) for slug, dss in lead_slug.items() if len(dss) > 1]
    n_repeats = sum(len(dss) - 1 for _, dss in repeats)

    # Folds, over every item the bot folded (in a digest or folded into a sent story).
    wrong: list[tuple[Outcome, Outcome]] = []
    for o in outcomes_:
        if o.judged.status != "duplicate":
            continue
        lead = by_id.get(o.story)
        if lead is None or lead.judged.item.id == o.judged.item.id:
            continue
        if o.slug != lead.slug and (o.slug or lead.slug):
            wrong.append((o, lead))
    # Missed folds: one slug's relevant items split over several bot stories.
    by_slug: dict[str, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes_:
        if o.slug and o.relevant and o.judged.status != "backlog":
            by_slug[o.slug][o.story].append(o)
    missed = {s: groups for s, groups in by_slug.items() if len(groups) > 1}
    n_missed = sum(len(groups) - 1 for groups in missed.values())

    yes_slugs = sorted({lab.story for lab in labels if lab.relevant == "yes" and lab.story})
    offered = [s for s in yes_slugs if in_digest.get(s)]
    report.figures.update(
        story_recall=_ratio(len(offered), len(yes_slugs)),
        repeats=n_repeats,
        wrong_folds=len(wrong),
        missed_folds=n_missed,
        no_in_digest=len(no_in_digest),
        digest_stories=len(stories),
    )
    report.add(
        f"story recall (yes stories offered): {len(offered)}/{len(yes_slugs)}"
        + (
            f"; missing: {', '.join(s for s in yes_slugs if s not in offered)}"
            if len(offered) < len(yes_slugs)
            else ""
        )
    )
    report.add(f"digest stories: {len(stories)} in {len({s.digest_id for s in stories})} digests")
    report.add(f"REPEATS: {n_repeats}")
    report.add(f"WRONG FOLDS: {len(wrong)}")
    report.add(f"missed folds: {n_missed}")
    report.add(f"items labelled no in a digest: {len(no_in_digest)}")
    twice = sorted(slug for slug, dss in in_digest.items() if len(dss) > 1)
    accepted = not (n_repeats or wrong or no_in_digest or twice) and len(offered) == len(yes_slugs)
    report.add(
        f"acceptance (0 repeats, 0 wrong folds, every yes story offered, nothing labelled no in"
        f" a digest, no slug in two digest stories): {'PASS' if accepted else 'FAIL'}"
        + (f"; slugs in several digest stories: {', '.join(twice)}" if twice else "")
    )

    report.add("")
    report.add("per story (labelled slugs): digest stories / reports seen / passed / folded")
    slugs = sorted({lab.story for lab in labels if lab.story})
    for slug in slugs:
        seen = [o for o in outcomes_ if o.slug == slug]
        if not seen:
            continue
        passed = [o for o in seen if o.relevant]
        folded = [o for o in passed if o.judged.status == "duplicate"]
        gold = max((o.gold for o in seen), key=RANK.__getitem__)
        follow = (
            f" (follow-up of {index_follow})" if (index_follow := _follow(labels, slug)) else ""
        )
        langs = "+".join(sorted({o.label.lang for o in seen if o.label and o.label.lang}))
        report.add(
            f"  {slug} [{gold}, {langs}]{follow}: {len(in_digest.get(slug, []))} / {len(seen)}"
            f" / {len(passed)} / {len(folded)}"
        )

    def section(title: str, entries: list[str]) -> None:
        report.add("")
        report.add(f"{title}: {len(entries)}")
        report.lines.extend(f"  - {e}" for e in entries)

    section(
        "REPEATS (one slug, several digest stories)",
        [
            f"{slug}: "
            + "; ".join(
                f"{ds.digest_id}: {by_id[ds.lead].line()}" for ds in dss if ds.lead in by_id
            )
            for slug, dss in repeats
        ],
    )
    section(
        "WRONG FOLDS (report -> story it was folded under)",
        [f"{o.line()}\n      -> {lead.line()}" for o, lead in wrong],
    )
    section(
        "missed folds (one slug, several bot stories; leads listed)",
        [
            f"{slug}: " + "\n      ".join(group[0].line() for group in groups.values())
            for slug, groups in missed.items()
        ],
    )
    section("labelled no, in a digest", [f"{where}: {o.line()}" for o, where in no_in_digest])
    section("false positives (labelled no, passed relevance)", [o.line() for o in fp])
    section("false negatives (labelled yes, dropped)", [o.line() for o in fn])
    return report


def _follow(labels: Sequence[Label], slug: str) -> str | None:
    return next(
        (lab.follow_up_of for lab in labels if lab.story == slug and lab.follow_up_of), None
    )
