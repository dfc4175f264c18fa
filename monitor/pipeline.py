"""The orchestrator: sources -> extract -> relevance -> novelty -> rank -> digest -> deliver.

``collect``, ``judge`` and ``build_digest`` compute; ``monitor.runner`` decides
what is kept. On PostgreSQL with several workers, judging is split in two:
each worker runs ``keep_prepared`` on what it fetched (everything per
document), and the judging leader runs the novelty pass over the pending rows
(monitor/judging.py, monitor/leader.py). Its ``run_once`` and ``preview``
run the same code inside one store transaction: ``run_once`` commits it
(items, stories and the digest in the outbox together) and then delivers;
``preview`` rolls it back.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from monitor import codec, digest, rank
from monitor.encoder import prefetch as prefetch_encoder
from monitor.extract import NO_HEADLINE
from monitor.judging import (
    BACKLOG,
    DUPLICATE,
    EMPTY,
    FOLLOW_UP,
    IRRELEVANT,
    NEW,
    REPEAT,
    RunStats,
    judge_novelty,
    record,
)
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
from monitor.prepare import POOL_MIN_DOCUMENTS, PendingFingerprints, Workers, prepare_document
from monitor.relevance import Profile, compile_profile
from monitor.settings import Settings
from monitor.sources import corpus
from monitor.store import PENDING, PENDING_BACKLOG, ItemRecord, Store, StoredJudgement

log = logging.getLogger("monitor.pipeline")

# The statuses and counts live with the novelty pass; importers read them from here too.
__all__ = [
    "BACKLOG", "DUPLICATE", "EMPTY", "FOLLOW_UP", "IRRELEVANT", "NEW", "PENDING", "REPEAT",
    "RunStats", "build_digest", "collect", "judge", "keep_prepared", "prepare_batch",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Collection:
    """Everything the sources yielded in one run: what ``judge`` and ``keep_prepared`` take."""

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
    # The relevant stories' fingerprints, still being made in the workers when collect returns.
    fingerprinting: PendingFingerprints | None = None


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
    pool: Workers | None = None,
) -> Collection:
    """Read the corpus and poll the feeds; problems are logged and the run goes on.

    ``force`` polls feeds in backoff too; ``only`` polls just those feed
    source ids and skips the corpus (`monitor feeds refresh`). ``pool`` is
    a pool of worker processes the caller keeps across collections (a worker's
    leased batches), so its processes and their encoders start once.
    """
    documents: list[Document] = []
    prepared: list[Prepared | None] = []
    problems: list[str] = []
    sources = failed = 0
    updates: tuple[object, ...] = ()
    weights: Mapping[str, float] = {}
    pending: PendingFingerprints | None = None
    # One pool of worker processes for the corpus and the feeds, started if the work is big.
    with nullcontext(pool) if pool else Workers(settings.relevance, settings.cache_dir) as workers:
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
        if workers.pool is not None:  # relevant stories of unseen documents, in the pool
            keys = [document.key for document in documents]
            known = store.known_documents(keys)
            # Not waited for here: the judge pass does its share meanwhile (Batch.awaiting).
            backlog = [document.backlog for document in documents]
            pending = workers.start_fingerprints(keys, prepared, known, backlog)
    for problem in problems:
        log.warning("%s", problem)
    return Collection(
        tuple(documents), tuple(problems), updates, weights, sources, failed, tuple(prepared),
        pending,
    )  # fmt: skip


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


@dataclass(slots=True)
class Batch:
    """What the per-document work made of a collection's unseen documents, before novelty."""

    sources: list[tuple[str, str, str]]  # (id, kind, name)
    # (key, source id, url, title, notes)
    documents: list[tuple[str, str, str | None, str | None, str]]
    stories: list[tuple[Item, Relevance]]
    fingerprints: dict[str, bytes]  # by item id, those the workers made
    links: list[tuple[str, str, str | None]]  # (item id, source id, url) of documents seen again
    # Item ids of the stories whose fingerprints the workers are still making, by position.
    awaiting: dict[tuple[int, int], str] = field(default_factory=dict)
    pending: PendingFingerprints | None = None

    def wait_for_fingerprints(self) -> None:
        """Add the fingerprints the workers were still making (none if one died)."""
        if self.pending is not None and self.awaiting:
            made = self.pending.wait()
            self.fingerprints.update(
                (item, made[at]) for at, item in self.awaiting.items() if at in made
            )
        self.awaiting = {}


def prepare_batch(
    collection: Collection, store: Store, settings: Settings, now: datetime, stats: RunStats
) -> Batch:
    """Leave out the collection's documents already known and prepare the rest.

    Extraction and relevance, scaled by the collection's per-source weights;
    its ``prepared`` holds what worker processes already made of each
    document (None or missing: made here), its ``fingerprinting`` the
    fingerprints they are still making (``Batch.wait_for_fingerprints`` adds them).
    """
    documents, prepared = collection.documents, collection.prepared
    keys = [document.key for document in documents]
    known = store.known_documents(keys)
    known_items = store.items_of_documents([key for key in keys if key in known])
    sources: dict[str, tuple[str, str, str]] = {}
    fresh: list[tuple[int, Document, Prepared | None]] = []
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
        fresh.append((i, document, prepared[i] if i < len(prepared) else None))
    stats.documents = len(fresh)

    profile: Profile | None = None
    pending = collection.fingerprinting
    batch = Batch(list(sources.values()), [], [], {}, [], pending=pending)
    coming = pending.positions if pending is not None else frozenset()
    # Documents with a fingerprint still coming: the few with a relevant story, looked up
    # once per document instead of once per story (10,000 stories at 200 x 50).
    coming_docs = {at for at, _ in coming}
    spent = {"extract": 0.0, "relevance": 0.0}
    for at, document, ready in fresh:
        if ready is None:
            profile = profile or compile_profile(settings.relevance)
            weight = collection.weights.get(document.source_id, 1.0)
            ready = prepare_document(profile, document, weight)
        spent["extract"] += ready.seconds[0]
        spent["relevance"] += ready.seconds[1]
        items = _items(document, ready, now)
        notes = "\n".join(ready.notes)
        dated = f"{DATED_BY}{_dated_by(document)}"
        batch.documents.append(
            (
                document.key, document.source_id, document.url, document.title,
                f"{notes}\n{dated}" if notes else dated,
            )
        )  # fmt: skip
        known_items[document.key] = [item.id for item in items]
        if not items:
            stats.count(EMPTY)
            log.info("%s: no article text found (%s)", document.source_name, notes or "empty")
        batch.stories.extend(zip(items, ready.relevance, strict=True))
        if ready.fingerprints:
            batch.fingerprints.update(
                (i.id, f) for i, f in zip(items, ready.fingerprints, strict=False) if f
            )
        if at in coming_docs:
            batch.awaiting.update(
                ((at, j), item.id) for j, item in enumerate(items) if (at, j) in coming
            )
        pairs = enumerate(zip(items, ready.relevance, strict=True))
        if any(
            rel.relevant and item.id not in batch.fingerprints and (at, j) not in coming
            for j, (item, rel) in pairs
        ):
            # This process will encode: load the encoder beside the rest of the pass.
            prefetch_encoder(settings.cache_dir)
    stats.seconds.update(spent)
    # A known document from another source: remember that source for its items too.
    batch.links = [(i, d.source_id, d.url) for d in again for i in known_items.get(d.key, ())]
    return batch


def _count(records: Sequence[ItemRecord], stats: RunStats) -> None:
    for kept in records:
        stats.items += 1
        stats.count(kept.status)
        log.debug("%s %s: %s (%s)", kept.status, kept.item.id, kept.item.title,
                  kept.item.source_name)  # fmt: skip


def judge(
    collection: Collection,
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    *,
    progress: bool = False,
) -> None:
    """Extract, score and classify every unseen document, recording it in the store.

    The collection's ``weights`` scale the relevance of documents per source
    id (feed weights); its ``prepared`` holds what the worker processes already
    made of each document (extraction and relevance; None or missing: made
    here), and the relevant stories' fingerprints are waited for only once
    the irrelevant ones are recorded, just before the novelty pass. The store
    is read a few times up front, everything is judged in memory, and the
    results are written in one batch (the caller holds the transaction).
    ``progress`` draws a live line for the novelty pass on a terminal;
    elsewhere it logs tenths.
    """
    batch = prepare_batch(collection, store, settings, now, stats)
    records = [record(item, rel, IRRELEVANT) for item, rel in batch.stories if not rel.relevant]
    to_judge = [(item, rel) for item, rel in batch.stories if rel.relevant]
    # Written while the workers may still be making the fingerprints: most of a pass's rows
    # need no verdict (a cold 200 x 50 feed farm: 9,574 irrelevant stories of 10,000), and
    # nothing the novelty pass reads is among them (it reads fingerprinted items only).
    store.record_judged(now, batch.sources, batch.documents, records, [])
    batch.wait_for_fingerprints()
    judged: list[ItemRecord] = []
    if to_judge:
        judged = judge_novelty(to_judge, batch.fingerprints, store, settings, now, stats, progress)
        # Judged outside a leader's term: a judging leader's kept window is out of date.
        store.end_judging_term()
    # Links of known documents that arrived again may name an item judged just now.
    store.record_judged(now, [], [], judged, batch.links)
    records.extend(judged)
    _count(records, stats)
    log.debug(
        "judged %d stories: extract %.0f ms, relevance %.0f ms; novelty of %d relevant %.0f ms"
        " (encoder load %.0f ms, window load %.0f ms)",
        len(batch.stories), 1000 * stats.seconds["extract"], 1000 * stats.seconds["relevance"],
        len(to_judge), 1000 * stats.seconds.get("novelty", 0.0),
        1000 * stats.seconds.get("encoder_load", 0.0),
        1000 * stats.seconds.get("window_load", 0.0),
    )  # fmt: skip


def keep_prepared(
    collection: Collection,
    store: Store,
    settings: Settings,
    now: datetime,
    stats: RunStats,
    encoder: Any = None,
) -> None:
    """A worker's share of judging: everything per document, kept for the judging leader.

    The stories of the collection's unseen documents are extracted, scored
    for relevance and, if relevant, fingerprinted (with ``encoder``, where the
    pool did not), and stored: the irrelevant ones as judged, the relevant ones
    pending, with their relevance and fingerprint, for the leader's novelty pass
    (:func:`monitor.judging.judge_pending`).
    """
    from monitor import novelty

    batch = prepare_batch(collection, store, settings, now, stats)
    batch.wait_for_fingerprints()
    made = batch.fingerprints
    missing = [item for item, rel in batch.stories if rel.relevant and item.id not in made]
    if missing:
        encoder = encoder or novelty.Encoder(cache_dir=settings.cache_dir)
        texts = [(item.title, item.text) for item in missing]
        for item, fp in zip(missing, novelty.fingerprint_texts(texts, encoder), strict=True):
            made[item.id] = fp.to_bytes()
    records = [
        record(item, rel, (PENDING_BACKLOG if item.backlog else PENDING), fingerprint=made[item.id])
        if rel.relevant
        else record(item, rel, IRRELEVANT)
        for item, rel in batch.stories
    ]
    _count(records, stats)
    store.record_judged(now, batch.sources, batch.documents, records, batch.links)


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
