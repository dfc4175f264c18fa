"""The orchestrator: sources -> extract -> relevance -> novelty -> rank -> digest -> deliver.

``collect``, ``judge`` and ``build_digest`` compute; ``monitor.runner`` decides
what is kept. Its ``run_once`` and ``preview`` run the same code inside one
store transaction: ``run_once`` commits it (items, stories and the digest in the
outbox together) and then delivers; ``preview`` rolls it back.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from monitor import codec, digest, rank
from monitor.config import Settings
from monitor.extract import NO_HEADLINE, extract
from monitor.headlines import HeadlineIndex, headline_only
from monitor.model import Digest, Document, Item, Novelty, RankedItem, Relevance, Report
from monitor.relevance import Profile, compile_profile
from monitor.relevance import score as relevance_score
from monitor.sources import corpus
from monitor.store import ItemRecord, Store, StoredJudgement, dumps
from monitor.words import plural

log = logging.getLogger("monitor.pipeline")

# Statuses an item can have in the store.
IRRELEVANT, BACKLOG, NEW, DUPLICATE, FOLLOW_UP = (
    "irrelevant",
    "backlog",
    "new",
    "duplicate",
    "follow-up",
)
# Not statuses, only counts in RunStats: REPEAT counts the duplicates (already
# counted as such) whose story already went out in a digest; EMPTY counts the
# documents in which no article text was found (they have no story to judge).
REPEAT = "repeat"
EMPTY = "empty"


@dataclass(frozen=True, slots=True)
class Collection:
    """Everything the sources yielded in one run."""

    documents: tuple[Document, ...]
    problems: tuple[str, ...]
    feed_updates: tuple[object, ...] = ()
    # Relevance weight per source id (a feed's `weight`); absent means 1.0.
    weights: Mapping[str, float] = field(default_factory=dict)
    # Sources asked for (corpus directories and feeds) and how many of them failed.
    sources: int = 0
    failed_sources: int = 0

    @property
    def all_failed(self) -> bool:
        """Every source failed: a run that can only ever say "nothing new"."""
        return self.sources > 0 and self.failed_sources == self.sources


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


def item_id(doc_key: str, part: int) -> str:
    """A short, stable id for the ``part``-th story of a document."""
    return hashlib.sha256(f"{doc_key}#{part}".encode()).hexdigest()[:16]


def collect(
    settings: Settings,
    store: Store,
    now: datetime,
    *,
    progress: bool = False,
    force: bool = False,
    only: frozenset[str] | None = None,
) -> Collection:
    """Read the corpus and poll the feeds; problems are logged and the run goes on.

    ``force`` polls feeds in backoff too; ``only`` polls just those feed
    source ids and skips the corpus (`monitor feeds refresh`).
    """
    documents: list[Document] = []
    problems: list[str] = []
    sources = failed = 0
    if only is None:
        found = corpus.collect(settings.corpus, settings.base_dir, now)
        documents, problems = list(found.documents), list(found.problems)
        sources = len(settings.corpus)
        failed = sum(not directory.is_dir() for directory in settings.corpus)
    updates: tuple[object, ...] = ()
    weights: Mapping[str, float] = {}
    if settings.feeds or settings.feeds_opml:
        from monitor.sources import feeds

        feed_run = feeds.collect(settings, store, now, progress=progress, force=force, only=only)
        documents.extend(feed_run.documents)
        problems.extend(feed_run.problems)
        updates = tuple(feed_run.updates)
        weights = feed_run.weights
        sources += len(feed_run.updates) + feed_run.skipped
        failed += feed_run.failed
    for problem in problems:
        log.warning("%s", problem)
    return Collection(tuple(documents), tuple(problems), updates, weights, sources, failed)


# The document note that says where an item's published date came from (`monitor explain`).
DATED_BY = "dated by "


def _dated_by(document: Document) -> str:
    if document.dated_by:
        return document.dated_by
    return "the feed entry's date" if document.published else "when it was first seen (no date)"


def _extract_items(document: Document, now: datetime) -> tuple[list[Item], str]:
    extraction = extract(document.body, document.content_type, document.title, document.hints)
    items = [
        Item(
            id=item_id(document.key, story.part),
            doc_key=document.key,
            part=story.part,
            source_id=document.source_id,
            source_name=document.source_name,
            url=document.url,
            title=story.title,
            text=story.text,
            lang=story.lang,
            published=min(document.published or now, now),
            first_seen=now,
            backlog=document.backlog,
        )
        for story in extraction.stories
    ]
    return items, "\n".join(extraction.notes)


class _Judge:
    """Novelty against the stored window plus everything judged earlier in this run."""

    def __init__(self, store: Store, settings: Settings, now: datetime):
        from monitor import novelty

        self.novelty = novelty
        self.store, self.now = store, now
        self.index = novelty.NoveltyIndex(window=timedelta(days=settings.novelty.window_days))
        cutoff = now - timedelta(days=settings.novelty.window_days)
        self.encoder = novelty.Encoder(cache_dir=settings.cache_dir)
        stale: list[tuple[str, datetime, datetime]] = []
        for stored_id, published, seen, blob in store.fingerprints_since(cutoff):
            try:
                fp = novelty.Fingerprint.from_bytes(blob)
            except novelty.StaleFingerprint:
                stale.append((stored_id, published, seen))
                continue
            self.index.add(stored_id, published, fp, seen)
        if stale:
            # Written by an older monitor: fingerprint the stored text again (once per run).
            items = [self.store.judgement(stored_id) for stored_id, _, _ in stale]
            texts = [(j.item.title, j.item.text) if j else ("", "") for j in items]
            for (stored_id, published, seen), fp in zip(
                stale, novelty.fingerprint_texts(texts, self.encoder), strict=True
            ):
                self.index.add(stored_id, published, fp, seen)
        self.story_of: dict[str, str | None] = {}
        self.headlines = HeadlineIndex()
        for stored_id, title, text, published in store.headlines_since(cutoff):
            self.headlines.add(stored_id, title, text, published)

    def verdict(self, item: Item, fingerprint: Any) -> Novelty:
        """The novelty verdict, a headline-only copy of a known report being a copy of it."""
        copied = self.headlines.match(item.title, item.text, item.published)
        self.headlines.add(item.id, item.title, item.text, item.published)
        if copied is not None:
            return Novelty(
                kind="duplicate",
                score=0.0,
                matched=copied,
                reason=f"copy of {copied}: the same headline, one of the two with no other text",
            )
        return self.index.judge(fingerprint, item.published, self.now)

    def fingerprints(self, items: Sequence[Item]) -> list[object]:
        return list(
            self.novelty.fingerprint_texts([(i.title, i.text) for i in items], self.encoder)
        )

    def story_for(self, matched: str) -> str | None:
        if matched in self.story_of:
            return self.story_of[matched]
        stored = self.store.judgement(matched)
        return stored.story_id if stored else None


def judge(
    documents: Sequence[Document],
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    weights: Mapping[str, float] | None = None,
) -> None:
    """Extract, score and classify every unseen document, recording it in the store.

    ``weights`` scales the relevance of documents per source id (feed weights).
    """
    profile: Profile = compile_profile(settings.relevance)
    known = store.known_documents([d.key for d in documents])
    fresh: list[Document] = []
    for document in documents:
        store.ensure_source(document.source_id, _kind(document), _source_label(document), now)
        if document.key in known:
            # Seen before (perhaps from another feed): remember this source too.
            for known_item in store.items_of_document(document.key):
                store.add_item_source(known_item, document.source_id, document.url, now)
            stats.already_seen += 1
            continue
        known.add(document.key)
        fresh.append(document)
    stats.documents = len(fresh)

    pending: list[tuple[Item, Relevance]] = []
    spent = {"extract": 0.0, "relevance": 0.0}
    for document in fresh:
        started = time.perf_counter()
        items, notes = _extract_items(document, now)
        spent["extract"] += time.perf_counter() - started
        dated = f"{DATED_BY}{_dated_by(document)}"
        store.record_document(
            document.key,
            document.source_id,
            document.url,
            document.title,
            now,
            f"{notes}\n{dated}" if notes else dated,
        )
        if not items:
            stats.count(EMPTY)
            log.info("%s: no article text found (%s)", document.source_name, notes or "empty")
        started = time.perf_counter()
        for item in items:
            weight = (weights or {}).get(document.source_id, 1.0)
            pending.append((item, relevance_score(profile, item.title, item.text, weight)))
        spent["relevance"] += time.perf_counter() - started
    stats.seconds.update(spent)

    to_judge = [(item, rel) for item, rel in pending if rel.relevant]
    # Full reports before headline-only entries of the same run, so that a story's lead is
    # a report with text and the aggregator's copy folds under it (stable otherwise).
    to_judge.sort(key=lambda pair: headline_only(pair[0].title, pair[0].text))
    for item, rel in pending:
        if not rel.relevant:
            _record(store, item, rel, IRRELEVANT, stats)
    if not to_judge:
        return
    started = time.perf_counter()
    judge_novelty = _Judge(store, settings, now)
    stats.seconds["window_load"] = time.perf_counter() - started
    prints = judge_novelty.fingerprints([item for item, _ in to_judge])
    for (item, rel), fingerprint in zip(to_judge, prints, strict=True):
        verdict = judge_novelty.verdict(item, fingerprint)
        judge_novelty.index.add(item.id, item.published, fingerprint, item.first_seen)
        status, story = _classify(item, verdict, judge_novelty)
        judge_novelty.story_of[item.id] = story
        if status == DUPLICATE and story and store.story_digest(story):
            stats.count(REPEAT)
        _record(store, item, rel, status, stats, verdict, story, fingerprint.to_bytes())
    stats.seconds["novelty"] = time.perf_counter() - started
    stats.seconds["encoder_load"] = judge_novelty.encoder.load_seconds or 0.0
    log.debug(
        "judged %d stories: extract %.0f ms, relevance %.0f ms; novelty of %d relevant %.0f ms"
        " (encoder load %.0f ms, window load %.0f ms)",
        len(pending), 1000 * spent["extract"], 1000 * spent["relevance"], len(to_judge),
        1000 * stats.seconds["novelty"], 1000 * stats.seconds["encoder_load"],
        1000 * stats.seconds["window_load"],
    )  # fmt: skip


def _classify(item: Item, verdict: Novelty, judged: _Judge) -> tuple[str, str | None]:
    if item.backlog:
        return BACKLOG, None
    if verdict.kind == "duplicate" and verdict.matched:
        return DUPLICATE, judged.story_for(verdict.matched)
    return (FOLLOW_UP if verdict.kind == "follow-up" else NEW), item.id


def _record(
    store: Store,
    item: Item,
    rel: Relevance,
    status: str,
    stats: RunStats,
    verdict: Novelty | None = None,
    story: str | None = None,
    fingerprint: bytes | None = None,
) -> None:
    store.record_item(
        ItemRecord(
            item=item,
            status=status,
            relevance=rel.score,
            relevance_json=dumps(codec.relevance_to_dict(rel)),
            novelty=verdict.score if verdict else None,
            novelty_json=dumps(codec.novelty_to_dict(verdict)) if verdict else None,
            matched_item=verdict.matched if verdict else None,
            story_id=story,
            fingerprint=fingerprint,
        )
    )
    stats.items += 1
    stats.count(status)
    log.debug("%s %s: %s (%s)", status, item.id, item.title, item.source_name)


def _kind(document: Document) -> str:
    return "corpus" if document.source_id == corpus.SOURCE_ID else "feed"


def _source_label(document: Document) -> str:
    return corpus.SOURCE_NAME if document.source_id == corpus.SOURCE_ID else document.source_name


def _ranked_input(stored: StoredJudgement) -> tuple[Item, Relevance, Novelty]:
    novelty = (
        codec.novelty_from_json(stored.novelty_json)
        if stored.novelty_json
        else Novelty(kind="new", score=1.0, reason="nothing like it seen before")
    )
    return stored.item, codec.relevance_from_json(stored.relevance_json), novelty


def _folded(store: Store, lead: StoredJudgement) -> list[Report]:
    reports = []
    for member in store.story_members(lead.story_id or lead.item.id):
        if member.item.id == lead.item.id or member.status != DUPLICATE:
            continue
        verdict = codec.novelty_from_json(member.novelty_json) if member.novelty_json else None
        label = verdict.similarity.verdict if verdict and verdict.similarity else "same story"
        reports.append(
            Report(
                member.item.id, member.item.title, member.item.source_name, member.item.url, label
            )
        )
    return reports


def _made_up_headline(store: Store, item: Item) -> bool:
    """Whether the item's headline was made from its lead (its document had none)."""
    return item.part > 0 or NO_HEADLINE in (store.document_notes(item.doc_key) or "")


def _with_real_headline(store: Store, lead: StoredJudgement) -> StoredJudgement:
    """The lead, titled with a folded copy's real headline when its own was made up."""
    if not _made_up_headline(store, lead.item):
        return lead
    for member in store.story_members(lead.story_id or lead.item.id):
        if member.status == DUPLICATE and not _made_up_headline(store, member.item):
            return replace(lead, item=replace(lead.item, title=member.item.title))
    return lead


def build_digest(
    store: Store, settings: Settings, now: datetime, stats: RunStats
) -> tuple[Digest, list[str]]:
    """The digest of every story not yet delivered, best first, and the story ids in it."""
    leads = [_with_real_headline(store, lead) for lead in store.undelivered_stories()]
    ranked: list[RankedItem] = rank.rank([_ranked_input(s) for s in leads], settings.rank, now)
    folded = {lead.item.id: _folded(store, lead) for lead in leads}
    skipped = {
        "irrelevant": stats.by_status.get(IRRELEVANT, 0),
        "already_sent": stats.by_status.get(REPEAT, 0),
        "backlog": stats.by_status.get(BACKLOG, 0),
        "unreadable": len(stats.problems),
    }
    built = digest.build(ranked, folded, settings.digest, now, skipped)
    story_ids = [story.lead.item.id for story in built.stories]
    return built, story_ids
