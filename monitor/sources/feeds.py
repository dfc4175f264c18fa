"""The feed source: poll every due feed once and turn the answers into documents.

``collect`` only reads the store (validators, backoff, first-poll state); the
new state of each feed comes back as ``FeedUpdate`` values which the pipeline
writes with ``store.apply_feed_updates`` in the same transaction as the items,
so a preview that rolls back changes nothing.

Fetching is async (``fetch.Fetcher``); parsing is CPU-bound, so with many due
feeds it runs in a pool of worker processes (``monitor.prepare.Workers``)
while the event loop keeps fetching, and each entry is extracted and scored
for relevance there too, beside its parse (``FeedRun.prepared``). One feed's
failure is one line in ``problems`` and a backoff in its update; it never
stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.errors import FeedError
from monitor.model import Document, Prepared
from monitor.prepare import WORKERS, Workers, start_method
from monitor.settings import FeedSettings, FetchSettings, Settings
from monitor.sources.feedlist import configured_feeds, feed_source_id
from monitor.sources.feedparse import ParsedFeed
from monitor.sources.feedprepare import parse_and_prepare
from monitor.sources.fetch import Fetcher, FetchResult, backoff_delay, retry_delay
from monitor.sources.progress import Progress
from monitor.store.feeds import FeedState, FeedUpdate
from monitor.timeutil import minute_text
from monitor.urls import host_of

if TYPE_CHECKING:
    from monitor.store import Store

__all__ = ["FeedRun", "FeedUpdate", "collect"]

log = logging.getLogger("monitor.feeds")
POOL_MIN_FEEDS = 16  # below this, worker start-up costs more than it saves
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class FeedRun:
    """What one poll of the feeds yielded (see the module docstring)."""

    documents: tuple[Document, ...]
    problems: tuple[str, ...]
    updates: tuple[FeedUpdate, ...]
    # Relevance weight of each configured feed, by source id.
    weights: Mapping[str, float] = field(default_factory=dict)
    skipped: int = 0  # feeds not due (backing off) or gone
    failed: int = 0  # feeds that failed now, or were skipped because they failed before
    # Per document, its stories and their relevance, made beside the parse (None: not made).
    prepared: tuple[Prepared | None, ...] = ()


@dataclass(frozen=True, slots=True)
class _Job:
    feed: FeedSettings
    source_id: str
    url: str
    state: FeedState | None


@dataclass(frozen=True, slots=True)
class _Answer:
    job: _Job
    fetched: FetchResult
    parsed: ParsedFeed | None = None
    error: str | None = None
    prepared: tuple[Prepared, ...] = ()  # one per parsed entry


def _due(job: _Job, now: datetime) -> bool:
    state = job.state
    if state is None:
        return True
    if state.status == "gone":
        return False
    return state.next_attempt is None or state.next_attempt <= now


def _skipped_line(job: _Job) -> str:
    """Why a feed was not polled, and until when (the line run-once prints as a warning)."""
    state = job.state
    assert state is not None  # a feed never polled is always due
    url = job.feed.url
    if state.status == "gone":
        return f"{url}: skipped: disabled after HTTP 410 Gone; `monitor feeds remove {url}`"
    until = minute_text(state.next_attempt) if state.next_attempt else "the next run"
    failures = f"{state.failures} failure{'' if state.failures == 1 else 's'}"
    last = f"; last error: {state.last_error}" if state.last_error else ""
    return (
        f"{url}: skipped until {until}, backing off after {failures}{last} "
        "(`monitor feeds refresh` polls it now)"
    )


async def _parse(
    workers: Workers, job: _Job, fetched: FetchResult, due: int
) -> tuple[ParsedFeed, tuple[Prepared, ...]]:
    args = (fetched.body, fetched.url, fetched.content_type, job.source_id, job.feed.weight)
    # A spawned pool starts with the first body to parse, not before the poll: a cycle in
    # which every feed answers 304 spawns none (~0.3 s of CPU per worker). A forked pool
    # (one-thread process) was started before the poll: forking costs milliseconds.
    if workers.want(due, POOL_MIN_FEEDS):
        try:
            future = workers.submit(parse_and_prepare, *args)
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            log.warning("parser process died on %s; parsing in this process", job.feed.url)
    return parse_and_prepare(*args, profile=workers.profile)


async def _poll(
    jobs: list[_Job], settings: FetchSettings, progress: Progress, workers: Workers
) -> list[_Answer]:
    # Bodies held in memory at once: those being fetched plus a few queued to parse.
    in_flight = asyncio.Semaphore(settings.concurrency + 2 * WORKERS)
    try:
        async with Fetcher(settings) as fetcher:

            async def one(job: _Job) -> _Answer:
                async with in_flight:
                    state = job.state
                    validators = (state.etag, state.last_modified) if state else (None, None)
                    fetched = await fetcher.fetch(job.url, *validators)
                    answer = _Answer(job, fetched)
                    if fetched.outcome == "ok":
                        # The body is dropped once parsed: only this many are held at once.
                        bodiless = replace(fetched, body=b"")
                        try:
                            parsed, prepared = await _parse(workers, job, fetched, len(jobs))
                            answer = _Answer(job, bodiless, parsed, prepared=prepared)
                        except FeedError as exc:
                            answer = _Answer(job, bodiless, error=str(exc))
                        except Exception as exc:  # a parser bug must not end the run
                            log.debug("parser failed on %s", job.feed.url, exc_info=True)
                            answer = _Answer(job, bodiless, error=f"parser failed: {exc!r}"[:200])
                progress.step(failed=answer.error is not None or fetched.error is not None)
                return answer

            return list(await asyncio.gather(*(one(job) for job in jobs)))
    finally:
        progress.finish()


def _name(job: _Job, parsed: ParsedFeed | None) -> str:
    if job.feed.name:
        return job.feed.name
    if parsed is not None and parsed.title:
        return parsed.title
    if job.state is not None and job.state.name:
        return job.state.name
    return host_of(job.feed.url) or job.feed.url


def _failure(answer: _Answer, now: datetime, settings: FetchSettings) -> tuple[FeedUpdate, str]:
    """The update and problem line for a failed fetch or parse: backoff, or disabled if gone."""
    job, fetched, state = answer.job, answer.fetched, answer.job.state
    failures = (state.failures if state else 0) + 1
    reason = answer.error or fetched.error or "failed"
    update = FeedUpdate(
        source_id=job.source_id,
        name=_name(job, None),
        configured_url=job.feed.url,
        url=job.url,
        ok=False,
        status="failing",
        failures=failures,
        # Validators stay as they were: a 304 must not hide a feed still broken.
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
        error=reason,
    )
    if fetched.outcome == "gone":
        note = f"disabled: HTTP 410 Gone on {now:%Y-%m-%d}; remove it with `monitor feeds remove`"
        problem = f"{job.feed.url}: {reason}; feed disabled"
        return replace(update, status="gone", status_note=note), problem
    cap = settings.max_backoff_hours * 3600
    asked = None
    if fetched.status in RETRY_AFTER_STATUSES:
        asked = retry_delay(fetched.retry_after, now)
    if asked is not None:
        delay = min(asked, cap)
        update = replace(update, status_note=f"server asked to retry after {delay:g} s")
    else:
        delay = backoff_delay(failures, cap, job.source_id)
    next_attempt = now + timedelta(seconds=delay)
    problem = (
        f"{job.feed.url}: {reason} (failure {failures}; next attempt {minute_text(next_attempt)})"
    )
    return replace(update, next_attempt=next_attempt), problem


def _documents(
    answer: _Answer, parsed: ParsedFeed, name: str, now: datetime, backfill: timedelta
) -> list[Document]:
    first_poll = answer.job.state is None or answer.job.state.last_success is None
    oldest = now - backfill
    documents = []
    for entry in parsed.entries:
        published = min(entry.published, now) if entry.published else None
        document = Document(
            source_id=answer.job.source_id,
            source_name=name,
            key=entry.key,
            body=entry.body,
            content_type="html",
            fetched_at=now,
            url=entry.url,
            title=entry.title,
            published=published,
            backlog=first_poll and published is not None and published < oldest,
            hints=entry.hints,
        )
        documents.append(document)
    return documents


def _success(
    answer: _Answer, name: str, now: datetime, new_items: int
) -> tuple[FeedUpdate, str | None]:
    """The update for a fetch that worked (200 parsed, or 304), and a warning line if any."""
    job, fetched, parsed, state = answer.job, answer.fetched, answer.parsed, answer.job.state
    etag, modified, problem = fetched.etag, fetched.last_modified, None
    if parsed is None:  # 304: validators may be repeated or not; the content is unchanged
        etag = etag or (state.etag if state else None)
        modified = modified or (state.last_modified if state else None)
        note = state.status_note if state and state.status == "active" else None
    else:
        note = parsed.warning
        if parsed.warning:
            problem = f"{job.feed.url}: {parsed.warning}; {len(parsed.entries)} entries kept"
    if fetched.permanent_url:
        log.info("%s moved permanently to %s", job.url, fetched.permanent_url)
    update = FeedUpdate(
        source_id=job.source_id,
        name=name,
        configured_url=job.feed.url,
        url=fetched.permanent_url or job.url,
        ok=True,
        status="active",
        failures=0,
        etag=etag,
        last_modified=modified,
        status_note=note,
        new_items=new_items,
    )
    return update, problem


def collect(
    settings: Settings,
    store: Store,
    now: datetime,
    *,
    progress: bool = False,
    force: bool = False,
    only: frozenset[str] | None = None,
    workers: Workers | None = None,
) -> FeedRun:
    """Poll every configured feed that is due; read the store, never write it.

    ``force`` polls feeds in backoff (or gone) too; ``only`` limits the poll to
    those source ids. Each feed skipped for its backoff is one line in
    ``problems``, saying until when. ``progress`` draws a live progress line
    when stderr is a terminal; when it is not (systemd), a log line marks
    every tenth of the feeds. ``workers`` is the pool to parse and prepare
    in (default: one of this call's own, when enough feeds are due).
    """
    feeds, problems = configured_feeds(settings)
    states = store.feed_states()
    weights = {feed_source_id(feed.url): feed.weight for feed in feeds}
    jobs = []
    for feed in feeds:
        source_id = feed_source_id(feed.url)
        if only is not None and source_id not in only:
            continue
        state = states.get(source_id)
        jobs.append(_Job(feed, source_id, state.url if state else feed.url, state))
    due = [job for job in jobs if force or _due(job, now)]
    skipped = len(jobs) - len(due)
    problems.extend(_skipped_line(job) for job in jobs if not (force or _due(job, now)))
    own = workers is None
    pool = workers or Workers(settings.relevance, settings.cache_dir)
    if start_method() == "fork":
        # Forked workers cost milliseconds to start, and must start before the event loop.
        pool.start(len(due), POOL_MIN_FEEDS)
    try:
        answers = asyncio.run(_poll(due, settings.fetch, Progress(len(due), live=progress), pool))
    finally:
        if own:
            pool.close()

    parsed_keys = [e.key for a in answers if a.parsed for e in a.parsed.entries]
    known = store.known_documents(parsed_keys) if parsed_keys else set()
    backfill = timedelta(days=settings.fetch.backfill_days)
    documents: list[Document] = []
    prepared: list[Prepared | None] = []
    updates: list[FeedUpdate] = []
    for answer in answers:
        if answer.fetched.outcome in ("ok", "not_modified") and answer.error is None:
            name, new_items = _name(answer.job, answer.parsed), 0
            if answer.parsed is not None:
                found = _documents(answer, answer.parsed, name, now, backfill)
                new_items = sum(1 for document in found if document.key not in known)
                documents.extend(found)
                prepared.extend(answer.prepared or [None] * len(found))
            update, problem = _success(answer, name, now, new_items)
        else:
            update, problem = _failure(answer, now, settings.fetch)
        updates.append(update)
        if problem:
            problems.append(problem)
    failed = skipped + sum(not update.ok for update in updates)
    return FeedRun(
        tuple(documents), tuple(problems), tuple(updates), weights, skipped, failed,
        tuple(prepared),
    )  # fmt: skip
