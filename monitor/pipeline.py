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
from monitor.encoder import prefetch as prefetch_encoder
from monitor.extract import NO_HEADLINE
from monitor.headlines import HeadlineIndex, headline_only
from monitor.model import (
    Digest,
    Document,
    Item,
    Novelty,
    Prepared,
    RankedItem,
    Relevance,
    Report,
)
from monitor.prepare import POOL_MIN_DOCUMENTS, Workers, prepare_document
from monitor.relevance import Profile, compile_profile
from monitor.settings import Settings
from monitor.sources import corpus
from monitor.sources.progress import Progress
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
    # Per document, its stories and their relevance if a worker made them (None: not yet).
    prepared: tuple[Prepared | None, ...] = ()

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
    prepared: list[Prepared | None] = []
    problems: list[str] = []
    sources = failed = 0
    updates: tuple[object, ...] = ()
    weights: Mapping[str, float] = {}
    # One pool of worker processes for the corpus and the feeds, started if the work is big.
    with Workers(settings.relevance, settings.cache_dir) as workers:
        if only is None:
            found = corpus.collect(settings.corpus, settings.base_dir, now)
            documents, problems = list(found.documents), list(found.problems)
            if workers.want(len(documents), POOL_MIN_DOCUMENTS):
                prepared = list(workers.prepare_all(documents, [1.0] * len(documents)))
            else:  # prepared in the judge pass, after the known documents are left out
                prepared = [None] * len(documents)
            sources = len(settings.corpus)
            failed = sum(not directory.is_dir() for directory in settings.corpus)
        if settings.feeds or settings.feeds_opml:
            from monitor.sources import feeds

            feed_run = feeds.collect(
                settings, store, now, progress=progress, force=force, only=only, workers=workers
            )
            documents.extend(feed_run.documents)
            prepared.extend(feed_run.prepared or [None] * len(feed_run.documents))
            problems.extend(feed_run.problems)
            updates = tuple(feed_run.updates)
            weights = feed_run.weights
            sources += len(feed_run.updates) + feed_run.skipped
            failed += feed_run.failed
    for problem in problems:
        log.warning("%s", problem)
    return Collection(
        tuple(documents), tuple(problems), updates, weights, sources, failed, tuple(prepared)
    )


# The document note that says where an item's published date came from (`monitor explain`).
DATED_BY = "dated by "


def _dated_by(document: Document) -> str:
    if document.dated_by:
        return document.dated_by
    return "the feed entry's date" if document.published else "when it was first seen (no date)"


def _items(document: Document, prepared: Prepared, now: datetime) -> list[Item]:
    return [
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
        for story in prepared.stories
    ]


def _record(
    item: Item,
    rel: Relevance,
    status: str,
    verdict: Novelty | None = None,
    story: str | None = None,
    fingerprint: bytes | None = None,
) -> ItemRecord:
    return ItemRecord(
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


def judge(
    documents: Sequence[Document],
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    weights: Mapping[str, float] | None = None,
    prepared: Sequence[Prepared | None] = (),
    *,
    progress: bool = False,
) -> None:
    """Extract, score and classify every unseen document, recording it in the store.

    ``weights`` scales the relevance of documents per source id (feed weights);
    ``prepared`` holds what the worker processes already made of each document
    (extraction and relevance; None or missing: made here). The store is read
    a few times up front, everything is judged in memory, and the results are
    written in one batch (the caller holds the transaction). ``progress`` draws
    a live line for the novelty pass on a terminal; elsewhere it logs tenths.
    """
    keys = [document.key for document in documents]
    known = store.known_documents(keys)
    known_items = store.items_of_documents([key for key in keys if key in known])
    sources: dict[str, tuple[str, str, str]] = {}
    fresh: list[tuple[Document, Prepared | None]] = []
    again: list[Document] = []  # documents seen before (perhaps from another feed)
    first_of: set[str] = set()
    for i, document in enumerate(documents):
        sources.setdefault(
            document.source_id, (document.source_id, _kind(document), _source_label(document))
        )
        if document.key in known or document.key in first_of:
            again.append(document)
            stats.already_seen += 1
            continue
        first_of.add(document.key)
        fresh.append((document, prepared[i] if i < len(prepared) else None))
    stats.documents = len(fresh)

    profile: Profile | None = None
    rows: list[tuple[str, str, str | None, str | None, str]] = []
    pending: list[tuple[Item, Relevance]] = []
    made: dict[str, bytes] = {}  # fingerprints the workers made, by item id
    spent = {"extract": 0.0, "relevance": 0.0}
    for document, ready in fresh:
        if ready is None:
            profile = profile or compile_profile(settings.relevance)
            weight = (weights or {}).get(document.source_id, 1.0)
            ready = prepare_document(profile, document, weight)
        spent["extract"] += ready.seconds[0]
        spent["relevance"] += ready.seconds[1]
        items = _items(document, ready, now)
        notes = "\n".join(ready.notes)
        dated = f"{DATED_BY}{_dated_by(document)}"
        rows.append(
            (
                document.key, document.source_id, document.url, document.title,
                f"{notes}\n{dated}" if notes else dated,
            )
        )  # fmt: skip
        known_items[document.key] = [item.id for item in items]
        if not items:
            stats.count(EMPTY)
            log.info("%s: no article text found (%s)", document.source_name, notes or "empty")
        pending.extend(zip(items, ready.relevance, strict=True))
        made.update((i.id, f) for i, f in zip(items, ready.fingerprints, strict=False) if f)
        pairs = zip(items, ready.relevance, strict=True)
        if any(rel.relevant and item.id not in made for item, rel in pairs):
            # This process will encode: load the encoder beside the rest of the pass.
            prefetch_encoder(settings.cache_dir)
    stats.seconds.update(spent)
    # A known document from another source: remember that source for its items too.
    links = [(i, d.source_id, d.url) for d in again for i in known_items.get(d.key, ())]

    records = [_record(item, rel, IRRELEVANT) for item, rel in pending if not rel.relevant]
    to_judge = [(item, rel) for item, rel in pending if rel.relevant]
    # Full reports before headline-only entries of the same run, so that a story's lead is
    # a report with text and the aggregator's copy folds under it (stable otherwise).
    to_judge.sort(key=lambda pair: headline_only(pair[0].title, pair[0].text))
    if to_judge:
        records.extend(_judge_novelty(to_judge, made, store, settings, now, stats, progress))
    for record in records:
        stats.items += 1
        stats.count(record.status)
        log.debug("%s %s: %s (%s)", record.status, record.item.id, record.item.title,
                  record.item.source_name)  # fmt: skip
    store.record_judged(now, list(sources.values()), rows, records, links)
    log.debug(
        "judged %d stories: extract %.0f ms, relevance %.0f ms; novelty of %d relevant %.0f ms"
        " (encoder load %.0f ms, window load %.0f ms)",
        len(pending), 1000 * spent["extract"], 1000 * spent["relevance"], len(to_judge),
        1000 * stats.seconds.get("novelty", 0.0), 1000 * stats.seconds.get("encoder_load", 0.0),
        1000 * stats.seconds.get("window_load", 0.0),
    )  # fmt: skip


# Relevant stories fingerprinted per encoder call: large enough to batch, small enough
# that the progress line moves.
FINGERPRINT_BATCH = 64


def _judge_novelty(
    to_judge: Sequence[tuple[Item, Relevance]],
    made: Mapping[str, bytes],
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    progress: bool,
) -> list[ItemRecord]:
    """Novelty of each relevant item against the stored window and the items before it."""
    from monitor import novelty

    started = time.perf_counter()
    window = timedelta(days=settings.novelty.window_days)
    index = novelty.NoveltyIndex(window=window)
    encoder = novelty.Encoder(cache_dir=settings.cache_dir)
    stale: list[tuple[str, datetime, datetime]] = []
    headlines = HeadlineIndex()
    for stored_id, published, seen, blob, title, text in store.window_since(now - window):
        headlines.add(stored_id, title, text, published)
        try:
            index.add_stored(stored_id, published, blob, seen)
        except novelty.StaleFingerprint:
            stale.append((stored_id, published, seen))
    if stale:
        # Written by an older monitor: fingerprint the stored text again (once per run).
        stored = [store.judgement(stored_id) for stored_id, _, _ in stale]
        texts = [(j.item.title, j.item.text) if j else ("", "") for j in stored]
        for (stored_id, published, seen), fp in zip(
            stale, novelty.fingerprint_texts(texts, encoder), strict=True
        ):
            index.add(stored_id, published, fp, seen)
    stats.seconds["window_load"] = time.perf_counter() - started
    bar = Progress(len(to_judge), live=progress, what="stories", done="judged", logger=log)
    story_of: dict[str, str | None] = {}  # this run's items
    judged: list[tuple[Item, Relevance, Novelty | None, object]] = []
    for start in range(0, len(to_judge), FINGERPRINT_BATCH):
        batch = to_judge[start : start + FINGERPRINT_BATCH]
        # Fingerprints the workers made are used as they are; the rest are made here.
        missing = [(i.title, i.text) for i, _ in batch if i.id not in made]
        here = iter(novelty.fingerprint_texts(missing, encoder) if missing else ())
        prints = [
            novelty.Fingerprint.from_bytes(made[i.id]) if i.id in made else next(here)
            for i, _ in batch
        ]
        for (item, rel), fingerprint in zip(batch, prints, strict=True):
            if item.backlog:
                # Never offered, so no verdict to make: only remembered, for later copies.
                headlines.add(item.id, item.title, item.text, item.published)
                verdict = None
            else:
                verdict = _verdict(item, fingerprint, index, headlines, now)
            index.add(item.id, item.published, fingerprint, item.first_seen)
            judged.append((item, rel, verdict, fingerprint))
            story_of[item.id] = None if item.backlog else item.id
            bar.step()
    bar.finish()
    # Stories of the stored items matched, in one read; then which went out already.
    matched = [v.matched for _, _, v, _ in judged if v and v.kind == "duplicate" and v.matched]
    stored_story = store.story_ids([m for m in matched if m not in story_of])
    records, repeats = [], []
    for item, rel, verdict, fingerprint in judged:
        status, story = _classify(item, verdict, story_of, stored_story)
        if status == DUPLICATE:
            # A duplicate joins its match's story (what a later copy of it would join too).
            story_of[item.id] = story
            if story:
                repeats.append(story)
        blob = made.get(item.id) or fingerprint.to_bytes()  # a worker's bytes as they came
        records.append(_record(item, rel, status, verdict, story, blob))
    sent = store.stories_in_digests(repeats)
    for story in repeats:
        if story in sent:
            stats.count(REPEAT)
    stats.seconds["novelty"] = time.perf_counter() - started
    stats.seconds["encoder_load"] = encoder.load_seconds or 0.0
    return records


def _verdict(
    item: Item, fingerprint: Any, index: Any, headlines: HeadlineIndex, now: datetime
) -> Novelty:
    """The novelty verdict, a headline-only copy of a known report being a copy of it."""
    copied = headlines.match(item.title, item.text, item.published)
    headlines.add(item.id, item.title, item.text, item.published)
    if copied is not None:
        return Novelty(
            kind="duplicate",
            score=0.0,
            matched=copied,
            reason=f"copy of {copied}: the same headline, one of the two with no other text",
        )
    return index.judge(fingerprint, item.published, now)


def _classify(
    item: Item,
    verdict: Novelty | None,
    story_of: Mapping[str, str | None],
    stored_story: Mapping[str, str | None],
) -> tuple[str, str | None]:
    if item.backlog or verdict is None:
        return BACKLOG, None
    if verdict.kind == "duplicate" and verdict.matched:
        matched = verdict.matched
        return DUPLICATE, story_of[matched] if matched in story_of else stored_story.get(matched)
    return (FOLLOW_UP if verdict.kind == "follow-up" else NEW), item.id


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
