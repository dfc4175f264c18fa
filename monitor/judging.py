"""The novelty pass: relevant, prepared items judged against the window, then classified.

Everything per document (extraction, relevance, fingerprints) is done before
this pass, by whoever fetched the document; this pass only compares
fingerprints and folds stories. It judges against a :class:`Window` (the
novelty index and the headline index of the stored items seen in the novelty
window). A one-off run loads a window from the store for its pass; a judging
leader (monitor/leader.py) keeps its window from pass to pass and only adds
what it judged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from monitor import codec
from monitor.headlines import HeadlineIndex, headline_only
from monitor.model import Item, Novelty, Relevance
from monitor.releases import RELEASE_TEXT, ReleaseIndex
from monitor.settings import Settings
from monitor.sources.progress import Progress
from monitor.store import ItemRecord, Store, dumps
from monitor.words import plural

log = logging.getLogger("monitor.pipeline")

# Statuses an item can have in the store. PENDING: prepared by the worker that fetched it
# (relevance and fingerprint kept), waiting for the judging leader's novelty pass.
IRRELEVANT, BACKLOG, NEW, DUPLICATE, FOLLOW_UP, PENDING = (
    "irrelevant",
    "backlog",
    "new",
    "duplicate",
    "follow-up",
    "pending",
)
# Not statuses, only counts in RunStats: REPEAT counts the duplicates (already
# counted as such) whose story already went out in a digest; EMPTY counts the
# documents in which no article text was found (they have no story to judge).
REPEAT = "repeat"
EMPTY = "empty"

# Relevant stories fingerprinted per encoder call: large enough to batch, small enough
# that the progress line moves.
FINGERPRINT_BATCH = 64


@dataclass(slots=True)
class RunStats:
    """Counts for the run summary and the digest's "left out" line."""

    documents: int = 0
    already_seen: int = 0
    items: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # Seconds per judging stage: "extract", "relevance", "novelty" (which includes
    # "encoder_load" and "window_load", reading the novelty window from the store).
    seconds: dict[str, float] = field(default_factory=dict)
    # Sources asked for and how many failed (see ``all_sources_failed``).
    sources: int = 0
    failed_sources: int = 0

    @property
    def all_sources_failed(self) -> bool:
        """Every source asked for failed: the run could only ever say "nothing new"."""
        return self.sources > 0 and self.failed_sources == self.sources

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def summary(self) -> str:
        """One log line: documents read and stories judged, by status; the statuses add up.

        "2 new documents (5 already seen), 1 with no article text; 3 stories judged:
        1 duplicate (1 of a story already sent), 2 new"
        """
        by_status = dict(self.by_status)
        empty, repeat = by_status.pop(EMPTY, 0), by_status.pop(REPEAT, 0)
        statuses = []
        for status, n in sorted(by_status.items()):
            sent = f" ({repeat} of a story already sent)" if status == DUPLICATE and repeat else ""
            statuses.append(f"{n} {status}{sent}")
        documents = f"{plural(self.documents, 'new document')} ({self.already_seen} already seen)"
        if empty:
            documents += f", {empty} with no article text"
        if self.problems:
            documents += f", {len(self.problems)} unreadable"
        return f"{documents}; {plural(self.items, 'story')} judged: {', '.join(statuses) or 'none'}"


@lru_cache(maxsize=4096)  # most irrelevant stories share one verdict: "no term or name..."
def _relevance_json(relevance: Relevance) -> str:
    return dumps(codec.relevance_to_dict(relevance))


def record(
    item: Item,
    rel: Relevance,
    status: str,
    verdict: Novelty | None = None,
    story: str | None = None,
    fingerprint: bytes | None = None,
) -> ItemRecord:
    """What the store keeps of one item."""
    return ItemRecord(
        item=item,
        status=status,
        relevance=rel.score,
        relevance_json=_relevance_json(rel),
        novelty=verdict.score if verdict else None,
        novelty_json=dumps(codec.novelty_to_dict(verdict)) if verdict else None,
        matched_item=verdict.matched if verdict else None,
        story_id=story,
        fingerprint=fingerprint,
    )


class Window:
    """The stored items of the novelty window, in memory: the novelty and headline indexes."""

    def __init__(self, settings: Settings, encoder: Any = None) -> None:
        from monitor import novelty

        self.span = timedelta(days=settings.novelty.window_days)
        self.index = novelty.NoveltyIndex(window=self.span)
        self.headlines = HeadlineIndex()
        self.releases = ReleaseIndex()
        self.encoder = encoder or novelty.Encoder(cache_dir=settings.cache_dir)
        # Fingerprints in the index without their encoder views (a backlog-only
        # pass's): a story judged against them needs the window loaded again (`complete`).
        self.unencoded = 0
        # The story each item of the window belongs to (None: in no story, a backlog item):
        # a report is judged against the stories it matches (``NoveltyIndex.judge_story``).
        self.stories: dict[str, str | None] = {}

    @classmethod
    def load(cls, store: Store, settings: Settings, now: datetime, encoder: Any = None) -> Window:
        """Every judged item of the window, from its stored fingerprint."""
        from monitor import novelty
        from monitor.fingerprint import NotEncoded, with_views

        window = cls(settings, encoder)
        stale: list[tuple[str, datetime, datetime]] = []
        ids: list[str] = []
        unencoded: list[tuple[str, datetime, datetime, bytes]] = []
        for stored_id, published, seen, blob, title, text in store.window_since(now - window.span):
            ids.append(stored_id)
            window.headlines.add(stored_id, title, text, published)
            window.releases.add(stored_id, title, text[:RELEASE_TEXT], published)
            try:
                window.index.add_stored(stored_id, published, blob, seen)
            except NotEncoded:
                unencoded.append((stored_id, published, seen, blob))
            except novelty.StaleFingerprint:
                stale.append((stored_id, published, seen))
        if unencoded:
            # A backlog-only pass's fingerprints, made without their encoder views:
            # the views are encoded now, once, and kept (the store's copy completed too).
            texts = _stored_texts(store, [stored_id for stored_id, *_ in unencoded])
            prints = [novelty.Fingerprint.from_bytes(blob) for *_, blob in unencoded]
            done = with_views(prints, texts, window.encoder)
            for (stored_id, published, seen, _), fp in zip(unencoded, done, strict=True):
                window.index.add(stored_id, published, fp, seen)
            store.set_fingerprints(
                [(entry[0], fp.to_bytes()) for entry, fp in zip(unencoded, done, strict=True)]
            )
        if stale:
            # Written by an older monitor: fingerprint the stored text again (once per load).
            texts = _stored_texts(store, [stored_id for stored_id, *_ in stale])
            for (stored_id, published, seen), fp in zip(
                stale, novelty.fingerprint_texts(texts, window.encoder), strict=True
            ):
                window.index.add(stored_id, published, fp, seen)
        window.stories = store.story_ids(ids) if ids else {}
        return window

    def complete(self, store: Store, settings: Settings, now: datetime) -> None:
        """Load the window again if it holds fingerprints without their encoder views
        (`load` encodes the views and stores them): before a story is judged against them."""
        if self.unencoded:
            fresh = Window.load(store, settings, now, self.encoder)
            self.index, self.headlines, self.releases = fresh.index, fresh.headlines, fresh.releases
            self.stories = fresh.stories
            self.unencoded = 0

    def __len__(self) -> int:
        return len(self.index)


def judge_novelty(
    to_judge: Sequence[tuple[Item, Relevance]],
    made: Mapping[str, bytes],
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    progress: bool = False,
    window: Window | None = None,
) -> list[ItemRecord]:
    """Novelty of each relevant item against the window and the items before it.

    ``made`` holds the fingerprints made where the documents were prepared;
    the missing ones are made here. ``window`` is a judging leader's kept
    window (it gains the items judged here); without one, it is loaded now.
    """
    from monitor import novelty

    started = time.perf_counter()
    if window is None:
        window = Window.load(store, settings, now)
        stats.seconds["window_load"] = time.perf_counter() - started
    # A story judged in this pass is compared with every fingerprint in the window and with
    # this pass's earlier ones: each needs its encoder views (a backlog-only pass's
    # fingerprints were made without; `fingerprint.with_views`).
    judging = any(not item.backlog for item, _ in to_judge)
    if judging:
        window.complete(store, settings, now)
        made = _with_views(to_judge, made, window.encoder)
    index, headlines, encoder = window.index, window.headlines, window.encoder
    releases = window.releases
    # Full reports before headline-only entries of the same pass, so that a story's lead is
    # a report with text and the aggregator's copy folds under it (stable otherwise).
    to_judge = sorted(to_judge, key=lambda pair: headline_only(pair[0].title, pair[0].text))
    bar = Progress(len(to_judge), live=progress, what="stories", done="judged", logger=log)
    stories = window.stories  # every window item's story, this pass's as they are judged
    begun: set[str] = set()  # the stories this pass begins
    judged: list[_Judged] = []
    for start in range(0, len(to_judge), FINGERPRINT_BATCH):
        batch = to_judge[start : start + FINGERPRINT_BATCH]
        # Fingerprints made beforehand are used as they are; the rest are made here.
        missing = [(i.title, i.text) for i, _ in batch if i.id not in made]
        here = iter(novelty.fingerprint_texts(missing, encoder) if missing else ())
        prints = [
            novelty.Fingerprint.from_bytes(made[i.id]) if i.id in made else next(here)
            for i, _ in batch
        ]
        for (item, rel), fingerprint in zip(batch, prints, strict=True):
            also: tuple[str, ...] = ()
            if item.backlog:
                # Never offered, so no verdict to make: only remembered, for later copies.
                headlines.add(item.id, item.title, item.text, item.published)
                releases.add(item.id, item.title, item.text[:RELEASE_TEXT], item.published)
                verdict = None
            else:
                verdict, also = _verdict(
                    item, fingerprint, index, headlines, releases, now, stories
                )
            index.add(item.id, item.published, fingerprint, item.first_seen)
            window.unencoded += not fingerprint.encoded
            status, story = _classify(item, verdict, stories)
            # A duplicate joins its match's story (what a later copy of it would join too).
            stories[item.id] = story
            if status in (NEW, FOLLOW_UP):
                begun.add(item.id)
            judged.append(_Judged(item, rel, verdict, fingerprint, status))
            if story and also:
                _join(item.id, story, also, stories, begun, judged)
            bar.step()
    bar.finish()
    records, repeats = [], []
    for entry in judged:
        item = entry.item
        story = stories[item.id]
        if entry.status == DUPLICATE and story:
            repeats.append(story)
        blob = made.get(item.id) or entry.fingerprint.to_bytes()  # a worker's bytes as they came
        records.append(record(item, entry.rel, entry.status, entry.verdict, story, blob))
    sent = store.stories_in_digests(repeats)
    for story in repeats:
        if story in sent:
            stats.count(REPEAT)
    stats.seconds["novelty"] = stats.seconds.get("novelty", 0.0) + time.perf_counter() - started
    # What the pass waited for: a load prefetched in the background overlaps its other work.
    stats.seconds["encoder_load"] = encoder.wait_seconds or 0.0
    return records


def _stored_texts(store: Store, item_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(title, whole text) of each stored item, ("", "") for one no longer stored: the
    window's reads carry only the start of a text, a fingerprint needs all of it."""
    stored = [store.judgement(item_id) for item_id in item_ids]
    return [(j.item.title, j.item.text) if j else ("", "") for j in stored]


def _with_views(
    to_judge: Sequence[tuple[Item, Relevance]], made: Mapping[str, bytes], encoder: Any
) -> Mapping[str, bytes]:
    """``made`` with the encoder views added to the fingerprints made without them."""
    from monitor.fingerprint import Fingerprint, is_encoded, with_views

    todo = [item for item, _ in to_judge if item.id in made and not is_encoded(made[item.id])]
    if not todo:
        return made
    prints = [Fingerprint.from_bytes(made[item.id]) for item in todo]
    done = with_views(prints, [(item.title, item.text) for item in todo], encoder)
    return {**made, **{item.id: fp.to_bytes() for item, fp in zip(todo, done, strict=True)}}


def judge_pending(
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    window: Window | None = None,
    progress: bool = False,
) -> int:
    """Judge every item the workers prepared and left pending; returns how many.

    Reads only the prepared rows (relevance verdict and fingerprint as the
    worker that fetched them made them) and writes the verdicts over them.
    """
    pending = store.pending_items()
    if not pending:
        return 0
    made = {item.id: blob for item, _, blob in pending if blob is not None}
    to_judge = [(item, codec.relevance_from_json(rel)) for item, rel, _ in pending]
    records = judge_novelty(to_judge, made, store, settings, now, stats, progress, window)
    store.record_verdicts(records)
    # record_verdicts keeps the workers' fingerprints: those completed here are written.
    store.set_fingerprints(
        [
            (r.item.id, r.fingerprint)
            for r in records
            if r.fingerprint not in (None, made.get(r.item.id))
        ]
    )
    for judged in records:
        stats.items += 1
        stats.count(judged.status)
    return len(records)


def _verdict(
    item: Item,
    fingerprint: Any,
    index: Any,
    headlines: HeadlineIndex,
    releases: ReleaseIndex,
    now: datetime,
    stories: Mapping[str, str | None],
) -> tuple[Novelty, tuple[str, ...]]:
    """The novelty verdict, a headline-only copy of a known report being a copy of it, and a
    report the index finds nothing for joining an earlier report of the same statistics
    release (``monitor.releases``); with the reports of other stories it repeats
    (``NoveltyIndex.judge_story``)."""
    copied = headlines.match(item.title, item.text, item.published)
    headlines.add(item.id, item.title, item.text, item.published)
    lead = item.text[:RELEASE_TEXT]
    if copied is not None:
        releases.add(item.id, item.title, lead, item.published)
        return Novelty(
            kind="duplicate",
            score=0.0,
            matched=copied,
            reason=f"copy of {copied}: the same headline, one of the two with no other text",
        ), ()
    verdict, also = index.judge_story(fingerprint, item.published, now, stories)
    release = releases.match(item.title, lead, item.published) if verdict.kind == "new" else None
    releases.add(item.id, item.title, lead, item.published)
    if release is not None:
        return Novelty(
            kind="duplicate",
            score=0.0,
            matched=release,
            reason=f"same release as {release}: {releases.describe(item.title, lead)}, published "
            f"within {releases.window_hours:g} hours ({verdict.reason})",
        ), ()
    return verdict, also


def _classify(
    item: Item, verdict: Novelty | None, stories: Mapping[str, str | None]
) -> tuple[str, str | None]:
    """Status and story: a duplicate joins its match's story; a new story or follow-up is one."""
    if item.backlog or verdict is None:
        return BACKLOG, None
    if verdict.kind == "duplicate" and verdict.matched:
        return DUPLICATE, stories.get(verdict.matched)
    return (FOLLOW_UP if verdict.kind == "follow-up" else NEW), item.id


@dataclass(slots=True)
class _Judged:
    item: Item
    rel: Relevance
    verdict: Novelty | None
    fingerprint: Any
    status: str


def _join(
    item_id: str,
    story: str,
    also: Sequence[str],
    stories: dict[str, str | None],
    begun: set[str],
    judged: list[_Judged],
) -> None:
    """One story of two that this pass began and a report repeats: ``also`` are reports of
    other stories it repeats as much as ``story`` (``NoveltyIndex.judge_story``).

    The pass kept them apart: the Bloomberg report of an agreed deal judged "new" (only
    "related" to the talks) before the Japanese report that made the deal a follow-up of the
    talks, Reuters' report repeating both. The other story joins ``story`` (its lead becomes a
    duplicate) unless either lead's headline states an amount the other's reports do not (a
    development of the other: the repeat was the facts check missing it), a later stage than
    theirs (``followup.development``), the two leads report different events
    (``eventrules.events_differ``), or either lead's headline names actors the other story
    never names (``eventrules.unshared_actors``). A story of an
    earlier pass is never joined: it may have gone out in a digest, and its reports are no
    longer at hand to check.
    """
    from dataclasses import replace

    from monitor.eventrules import events_differ, unshared_actors
    from monitor.followup import development, new_headline_amounts

    if story not in begun:
        return
    members = lambda s: [e for e in judged if stories.get(e.item.id) == s]  # noqa: E731
    for other in also:
        target = stories.get(other) or other
        if target == story or target not in begun:
            continue
        ours, theirs = members(story), members(target)
        lead_ours = next(e for e in ours if e.item.id == story)
        lead_theirs = next(e for e in theirs if e.item.id == target)
        prints_ours, prints_theirs = [e.fingerprint for e in ours], [e.fingerprint for e in theirs]
        # The report repeating both names both stories' actors: it is no evidence of its own.
        recap_aside = [e.fingerprint for e in ours if e.item.id != item_id]
        if (
            new_headline_amounts(lead_ours.fingerprint, prints_theirs)
            or new_headline_amounts(lead_theirs.fingerprint, prints_ours)
            # Another stage (the loan signed, the talks on it), another session or sum: a
            # report repeating both does not make them one event.
            or development(lead_ours.fingerprint, prints_theirs)
            or development(lead_theirs.fingerprint, prints_ours)
            or events_differ(lead_ours.fingerprint, lead_theirs.fingerprint)
            # A lead whose actor the other story never names (the ministry acting on the
            # deepfake its reports are of): the repeat recaps the event the act is about.
            or unshared_actors(lead_ours.fingerprint, prints_theirs)
            or unshared_actors(lead_theirs.fingerprint, recap_aside)
        ):
            continue
        begun.discard(target)
        for entry in theirs:
            stories[entry.item.id] = story
            if entry.status in (NEW, FOLLOW_UP) and entry.verdict is not None:
                entry.status = DUPLICATE
                entry.verdict = replace(
                    entry.verdict,
                    kind="duplicate",
                    matched=story,
                    reason=f"one story with {story}: {item_id} repeats both (judged "
                    f"before it: {entry.verdict.reason})",
                )
