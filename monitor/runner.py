"""One full cycle (`run-once`) and its dry twin (`preview`).

Both collect, judge and build the digest inside one store transaction.
``run_once`` commits it, putting the digest in the outbox together with the
items it covers, and then delivers everything waiting. ``preview`` rolls the
transaction back: nothing is marked, nothing is delivered.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid

from monitor import digest as digest_stage
from monitor.config import DEFAULT_SUBJECT, Settings
from monitor.deliver import flush_outbox
from monitor.errors import DeliveryError
from monitor.model import Digest
from monitor.pipeline import RunStats, build_digest, collect, judge
from monitor.store import Store
from monitor.store.outbox import OutboxDigest
from monitor.timeutil import to_text

log = logging.getLogger("monitor.runner")


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one cycle did: the digest it built (if any) and what it delivered."""

    digest: Digest | None
    digest_id: str | None
    delivered: tuple[str, ...]
    problems: tuple[str, ...]
    stats: RunStats


class _Rollback(Exception):
    """Raised inside the preview transaction to discard everything it wrote."""


def _subject(settings: Settings, built: Digest, day: str) -> str:
    template = settings.smtp.subject if settings.smtp else DEFAULT_SUBJECT
    return template.format(title=settings.digest.title, count=len(built.stories), date=day)


def _message_domain(settings: Settings) -> str:
    if settings.smtp and "@" in settings.smtp.sender:
        return settings.smtp.sender.rsplit("@", 1)[1].strip(" >")
    return "monitor.localhost"


def _to_outbox(store: Store, built: Digest, settings: Settings, now: datetime) -> OutboxDigest:
    day = digest_stage.local_day(now, settings.digest.timezone)
    count = store.digests_on_day(day)
    digest_id = day if count == 0 else f"{day}-{count + 1}"
    html = digest_stage.render_html(built, settings.digest)
    text = digest_stage.render_text(built, settings.digest)
    subject = _subject(settings, built, day)
    message_id = make_msgid(idstring=f"digest-{digest_id}", domain=_message_domain(settings))
    eml = None
    if "smtp" in settings.deliver:
        from monitor import mail

        eml = mail.build_message(settings, subject, html, text, message_id, now)
    return OutboxDigest(
        id=digest_id, day=day, created_at=to_text(now), message_id=message_id, subject=subject,
        story_count=len(built.stories), html=html, text=text,
        json=json.dumps(digest_stage.to_json(built), ensure_ascii=False), eml=eml,
        status="pending", attempts=0, last_error=None, next_attempt=None,
    )  # fmt: skip


def _cycle(
    store: Store, settings: Settings, now: datetime, *, progress: bool
) -> tuple[Digest, list[str], RunStats, tuple[str, ...], tuple[object, ...]]:
    stats = RunStats()
    collection = collect(settings, store, now, progress=progress)
    stats.problems.extend(collection.problems)
    judge(collection.documents, store, settings, now, stats)
    if collection.feed_updates:
        store.apply_feed_updates(collection.feed_updates, now)  # type: ignore[attr-defined]
    built, story_ids = build_digest(store, settings, now, stats)
    return built, story_ids, stats, collection.problems, collection.feed_updates


def run_once(
    store: Store, settings: Settings, now: datetime, *, progress: bool = False
) -> RunResult:
    """Collect, judge, build the digest into the outbox, then deliver what waits."""
    with store.transaction():
        built, story_ids, stats, problems, _ = _cycle(store, settings, now, progress=progress)
        digest_id = None
        if built.stories:
            outbox = _to_outbox(store, built, settings, now)
            store.add_digest(outbox, story_ids)
            digest_id = outbox.id
    delivered, errors = flush_outbox(store, settings, now)
    if errors:
        raise DeliveryError("; ".join(errors))
    return RunResult(built if built.stories else None, digest_id, tuple(delivered), problems, stats)


def preview(store: Store, settings: Settings, now: datetime) -> RunResult:
    """The digest ``run_once`` would build now, with nothing written or delivered."""
    result: RunResult | None = None
    try:
        with store.transaction():
            built, _, stats, problems, _ = _cycle(store, settings, now, progress=False)
            result = RunResult(built, None, (), problems, stats)
            raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result
