"""`monitor items`: every judged item with its status and the reason, filtered.

The answer to "why didn't I get that story?" starts here: dropped and folded
items appear in no digest, so this lists them, and `monitor explain ID` says more.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click

from monitor.cli_common import Context, config_option, echo_json, handle_errors, pass_context
from monitor.errors import UsageError
from monitor.store import Store, StoredJudgement

# What a reader calls them -> the statuses in the store.
STATUS_WORDS = {
    "kept": ("new", "follow-up"),
    "new": ("new",),
    "follow-up": ("follow-up",),
    "dropped": ("irrelevant",),
    "irrelevant": ("irrelevant",),
    "folded": ("duplicate",),
    "duplicate": ("duplicate",),
    "backlog": ("backlog",),
}


def _reason(store: Store, judged: StoredJudgement) -> str:
    """Why the item has its status, in one short phrase."""
    from monitor import codec

    if judged.status == "irrelevant":
        return f"not about the topic: {codec.relevance_from_json(judged.relevance_json).reason}"
    if judged.status == "backlog":
        return "older than backfill_days when its feed was added"
    if judged.status == "duplicate":
        return f"folded into story {judged.story_id}" if judged.story_id else "folded"
    placed = store.story_digest(judged.story_id) if judged.story_id else None
    if placed is None:
        return "kept: waiting for the next digest"
    digest_id, status = placed
    return f"kept: in digest {digest_id} ({'sent' if status == 'sent' else 'in the outbox'})"


def _as_json(j: StoredJudgement, reason: str) -> dict[str, object]:
    return {
        "id": j.item.id, "status": j.status, "reason": reason,
        "title": j.item.title, "source": j.item.source_name, "url": j.item.url,
        "first_seen": j.item.first_seen.isoformat(),
        "published": j.item.published.isoformat(), "story": j.story_id,
        "relevance": j.relevance, "novelty": j.novelty,
    }  # fmt: skip


def judged_at(store: Store, now: datetime) -> list[dict[str, object]]:
    """Every item judged by the run at ``now``, as `items --json` shows them (`preview --all`)."""
    found = store.list_items(since=now, until=now + timedelta(microseconds=1))
    return [_as_json(judged, _reason(store, judged)) for judged in found]


def _day_bounds(day: str, timezone: str) -> tuple[datetime, datetime]:
    try:
        start = datetime.combine(date.fromisoformat(day), time(), ZoneInfo(timezone))
    except ValueError:
        raise UsageError(f"--day {day!r}: expected a date such as 2026-11-22") from None
    return start, start + timedelta(days=1)


@click.command()
@config_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(sorted(STATUS_WORDS)),
    help="Only items kept, dropped (irrelevant), folded (duplicate), ... (repeatable).",
)
@click.option("--source", help="Only items from a source whose name or id contains this.")
@click.option("--day", help="Only items first seen on this day (YYYY-MM-DD, digest time zone).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@pass_context
@handle_errors
def items(
    ctx: Context, statuses: tuple[str, ...], source: str | None, day: str | None, as_json: bool
) -> None:
    """List every judged item with its status and why (oldest first).

    Each line: id, day first seen, status, source: headline, and the reason.
    `monitor explain ID` gives the figures behind one of them.
    """
    from monitor.cli_inspect import item_line

    settings = ctx.settings
    wanted = sorted({s for word in statuses for s in STATUS_WORDS[word]})
    since, until = _day_bounds(day, settings.digest.timezone) if day else (None, None)
    with Store(settings.state, readonly=True) as store:
        found = store.list_items(wanted, source, since, until)
        rows = [(judged, _reason(store, judged)) for judged in found]
    if as_json:
        echo_json([_as_json(judged, reason) for judged, reason in rows])
        return
    if not rows:
        click.echo("No judged item matches.")
        return
    for judged, reason in rows:
        click.echo(item_line(judged, settings.digest.timezone))
        click.echo(f"    {reason}")
