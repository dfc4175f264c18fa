"""One full cycle (`run-once`) and its dry twin (`preview`).

``run_once`` first delivers any digest still waiting in the outbox; both then
collect (network, no transaction held), then judge and build the digest inside
one store transaction. ``run_once`` commits it, putting the digest in the
outbox together with the items it covers, and then delivers it. ``preview``
rolls the transaction back: nothing is marked, nothing is delivered. ``poll``
and ``retry_waiting`` are the daemon's two smaller jobs.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from monitor import digest as digest_stage
from monitor import encoder, gcpolicy
from monitor.deliver import FlushResult, flush_outbox
from monitor.judging import judge_pending
from monitor.model import Digest
from monitor.pipeline import Collection, RunStats, build_digest, collect, judge, keep_prepared
from monitor.prepare import Workers
from monitor.settings import DEFAULT_SUBJECT, Settings
from monitor.store import Store
from monitor.store.outbox import OutboxDigest
from monitor.timeutil import to_text
from monitor.words import plural

log = logging.getLogger("monitor.runner")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one cycle did: the digest it built (if any), what it delivered, what failed."""

    digest: Digest | None
    digest_id: str | None
    delivered: tuple[str, ...]
    problems: tuple[str, ...]
    stats: RunStats
    delivery_errors: tuple[str, ...] = ()
    #: no digest built: another worker had already served this schedule slot
    slot_served: bool = False
    #: what ``preview``'s ``inspect`` callback returned (before the rollback)
    inspected: object = None

    @property
    def all_sources_failed(self) -> bool:
        """Every corpus directory and feed failed (or is backing off after failing)."""
        return self.stats.all_sources_failed


class _Rollback(Exception):
    """Raised inside the preview transaction to discard everything it wrote."""


# Held by whatever writes the outbox or judges, in any thread of the process: the
# daemon's retry job runs beside its poll, and a digest must never be sent twice
# because two threads flushed at once, nor wait minutes for SQLite's write lock.
_writing = threading.Lock()

# Gmail clips a message body at about 102 KB; the HTML part stays well under it.
HTML_BUDGET = 90_000


def _subject(settings: Settings, built: Digest, day: str) -> str:
    template = settings.smtp.subject if settings.smtp else DEFAULT_SUBJECT
    count = len(built.stories)
    return template.format(
        title=settings.digest.title,
        count=count,
        new_stories=plural(count, "new story"),
        date=day,
    )


def _fit(built: Digest, settings: Settings) -> tuple[Digest, str]:
    """Render the HTML digest, dropping the lowest-ranked stories until it fits the budget.

    A dropped story is not reserved by this digest, so the next one carries it.
    """
    html = digest_stage.render_html(built, settings.digest)
    while (size := len(html.encode("utf-8"))) > HTML_BUDGET and len(built.stories) > 1:
        keep = min(max(1, len(built.stories) * HTML_BUDGET // size), len(built.stories) - 1)
        held = built.skipped.get("held_for_next_digest", 0) + len(built.stories) - keep
        built = replace(
            built,
            stories=built.stories[:keep],
            skipped={**built.skipped, "held_for_next_digest": held},
        )
        html = digest_stage.render_html(built, settings.digest)
    return built, html


def _to_outbox(
    store: Store, built: Digest, settings: Settings, now: datetime
) -> tuple[OutboxDigest, list[str]]:
    """The outbox entry for a built digest, and the stories it reserves."""
    from monitor import mail  # the email package: only for a run that builds a digest

    day = digest_stage.local_day(now, settings.digest.timezone)
    count = store.digests_on_day(day)
    digest_id = day if count == 0 else f"{day}-{count + 1}"
    built, html = _fit(built, settings)
    text = digest_stage.render_text(built, settings.digest)
    subject = _subject(settings, built, day)
    # Short enough that the header is never folded; unique even if the store is reset.
    message_id = f"<digest-{digest_id}.{secrets.token_hex(6)}@{mail.message_domain(settings)}>"
    eml = mail.build_message(settings, subject, html, text, message_id, now)
    outbox = OutboxDigest(
        id=digest_id, day=day, created_at=to_text(now), message_id=message_id, subject=subject,
        story_count=len(built.stories), html=html, text=text,
        json=json.dumps(digest_stage.to_json(built), ensure_ascii=False), eml=eml,
        status="pending", attempts=0, last_error=None, next_attempt=None,
    )  # fmt: skip
    return outbox, [story.lead.item.id for story in built.stories]


def _judge_collected(
    store: Store,
    settings: Settings,
    now: datetime,
    collection: Collection,
    stats: RunStats,
    progress: bool = False,
) -> None:
    """Judge what was collected and keep the feeds' HTTP state (inside a transaction).

    Items that workers prepared and no judging leader judged (the workers
    stopped first) are judged before the collection, in arrival order.
    """
    stats.problems.extend(collection.problems)
    stats.sources += collection.sources
    stats.failed_sources += collection.failed_sources
    if judge_pending(store, settings, now, stats, progress=progress):
        store.end_judging_term()  # judged outside a leader's term
    judge(collection, store, settings, now, stats, progress=progress)
    if collection.feed_updates:
        store.apply_feed_updates(collection.feed_updates, now)  # type: ignore[attr-defined]


def tidy(settings: Settings) -> None:
    """Remove what killed runs left behind (half-written encoder caches); at every start."""
    encoder.remove_leftovers(settings.cache_dir)


@gcpolicy.bulk_pass()
def poll(
    store: Store,
    settings: Settings,
    now: datetime,
    *,
    progress: bool = False,
    then: Callable[[], None] | None = None,
    for_leader: bool = False,
    encoder: object = None,
    pool: Workers | None = None,
) -> RunStats:
    """Collect and judge, keeping what was seen; no digest (the daemon's poll job).

    ``then`` runs inside the transaction that stores what was judged (a worker
    releases its feed leases there, so a lease ends exactly when its work is kept).
    ``for_leader`` (a worker on PostgreSQL) does only the per-document work and
    keeps the relevant stories pending for the judging leader, in a transaction
    that does not wait for the leader's pass; ``encoder`` fingerprints them.
    ``pool`` is the caller's pool of parser processes, kept across polls.
    """
    stats = RunStats()
    # Network first, outside the transaction: a slow feed must not hold the write lock.
    collection = collect(settings, store, now, progress=progress, pool=pool)
    with _writing, store.transaction(exclusive=not for_leader):
        if for_leader:
            stats.problems.extend(collection.problems)
            stats.sources += collection.sources
            stats.failed_sources += collection.failed_sources
            keep_prepared(collection, store, settings, now, stats, encoder)
            if collection.feed_updates:
                store.apply_feed_updates(collection.feed_updates, now)  # type: ignore[arg-type]
        else:
            _judge_collected(store, settings, now, collection, stats, progress)
        if then is not None:
            then()
    return stats


@gcpolicy.bulk_pass()
def refresh(
    store: Store, settings: Settings, now: datetime, only: frozenset[str] | None = None
) -> tuple[RunStats, Collection]:
    """Poll the feeds now, in backoff or not (all, or the source ids in ``only``); no digest."""
    stats = RunStats()
    collection = collect(settings, store, now, force=True, only=only)
    with _writing, store.transaction():
        _judge_collected(store, settings, now, collection, stats)
    return stats, collection


def _merge(first: FlushResult, second: FlushResult) -> FlushResult:
    errors = dict.fromkeys(first.errors + second.errors)  # a held digest is named once
    return FlushResult(first.delivered + second.delivered, tuple(errors))


#: Given when the last digest cycle ran, whether this digest slot was already served.
SlotServed = Callable[[datetime | None], bool]


@gcpolicy.bulk_pass()
def run_once(
    store: Store,
    settings: Settings,
    now: datetime,
    *,
    progress: bool = False,
    force: bool = False,
    collected: bool = False,
    slot_served: SlotServed | None = None,
) -> RunResult:
    """Deliver what is waiting, then collect, judge, put the digest in the outbox and deliver it.

    A digest already in the outbox (from an outage or a crash) goes out before
    anything is polled, so a run killed or stuck while collecting cannot hold
    it back. The new digest, the items it covers and the record of this cycle
    are committed together before its delivery starts; it goes out only if
    nothing older is still waiting for a retry (delivery stays oldest first).

    ``collected`` skips collecting and judging (a worker polled its leased
    feeds just before, and its judging leader judged them). ``slot_served`` is
    asked, inside the transaction that would build the digest, whether
    another worker already served this schedule slot; then no digest is
    built, so each slot gets exactly one.
    """
    tidy(settings)
    stats = RunStats()
    with _writing:
        waiting = flush_outbox(store, settings, now)
    collection = (
        Collection((), ())
        if collected
        else collect(settings, store, now, progress=progress, force=force)
    )
    built = None
    digest_id = None
    with _writing:
        with store.transaction():
            if not collected:
                _judge_collected(store, settings, now, collection, stats, progress)
            served = slot_served is not None and slot_served(store.last_digest_run())
            if not served:
                built, _ = build_digest(store, settings, now, stats)
                if built.stories:
                    outbox, story_ids = _to_outbox(store, built, settings, now)
                    store.add_digest(outbox, story_ids)
                    digest_id = outbox.id
                store.record_digest_run(now, digest_id)
        # A digest kept for a retry a moment ago would only fail again now.
        stalled = any(d.status != "failed" and d.id != digest_id for d in store.pending_digests())
        flushed = waiting
        if digest_id is not None and not stalled:
            flushed = _merge(waiting, flush_outbox(store, settings, now))
    return RunResult(
        built if built is not None and built.stories else None,
        digest_id,
        flushed.delivered,
        collection.problems,
        stats,
        flushed.errors,
        served,
    )


def retry_waiting(store: Store, settings: Settings, now: datetime) -> FlushResult:
    """Deliver waiting digests whose retry time has come (the daemon's retry job).

    Safe beside a running poll in another thread: it waits only for a poll's
    judging transaction, never for its network part.
    """
    with _writing:
        return flush_outbox(store, settings, now, due_only=True)


@gcpolicy.bulk_pass()
def preview(
    store: Store,
    settings: Settings,
    now: datetime,
    inspect: Callable[[Store], object] | None = None,
) -> RunResult:
    """The digest ``run_once`` would build now, with nothing written or delivered.

    ``inspect``, if given, reads the store after judging and before the rollback
    (`preview --all` lists the items judged); its answer is ``result.inspected``.
    """
    stats = RunStats()
    collection = collect(settings, store, now)
    result: RunResult | None = None
    try:
        with store.transaction():
            _judge_collected(store, settings, now, collection, stats)
            built, _ = build_digest(store, settings, now, stats)
            inspected = inspect(store) if inspect else None
            result = RunResult(built, None, (), collection.problems, stats, inspected=inspected)
            raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result
