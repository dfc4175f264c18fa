"""`monitor feeds`: list the feeds with their health, add, remove, import and export OPML.

Where the changes go: with ``feeds_opml`` set in config.toml, ``add`` and
``import`` write to that OPML file; without it they append ``[[feeds]]``
tables to config.toml, leaving the rest of it untouched. ``remove`` deletes
the feed from whichever of the two lists it (see ``monitor.sources.feedlist``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click

from monitor.cli_common import Context, config_option, echo_json, handle_errors, pass_context
from monitor.errors import ConfigError, UsageError
from monitor.settings import FeedSettings, Settings
from monitor.sources.feedlist import (
    add_feed,
    add_feeds,
    configured_feeds,
    feed_source_id,
    remove_feed,
)
from monitor.sources.opml import OPML_TITLE, read_opml, render_opml
from monitor.store.feeds import FeedState, FeedUpdate
from monitor.timeutil import minute_text
from monitor.urls import canonical, is_web_url


def _when(moment: datetime | None, never: str = "never") -> str:
    return minute_text(moment) if moment else never


def _states(settings: Settings) -> dict[str, FeedState]:
    from monitor.store import Store

    with Store(settings.state, readonly=True) as store:
        return store.feed_states()


def _health(feed: FeedSettings, state: FeedState | None) -> dict[str, object]:
    """One row of `feeds list`; times as text, '' when there is none."""
    row: dict[str, object] = {
        "url": feed.url,
        "name": feed.name,
        "weight": feed.weight,
        "tags": list(feed.tags),
        "status": "new",
        "fetched_from": feed.url,
        "moved": False,
        "last_success": "",
        "last_error": "",
        "failures": 0,
        "items_seen": 0,
        "next_attempt": "",
        "note": "",
    }
    if state is None:
        return row
    row.update(
        name=feed.name or state.name,
        status=state.status,
        fetched_from=state.url,
        moved=state.url != feed.url,
        last_success=_when(state.last_success, ""),
        last_error=state.last_error or "",
        failures=state.failures,
        items_seen=state.items_seen,
        next_attempt="" if state.status == "gone" else _when(state.next_attempt, ""),
        note=state.status_note or "",
    )
    return row


@click.group()
def feeds() -> None:
    """List, add, remove, import and export the feeds monitor follows.

    With `feeds_opml` set in config.toml, `add` and `import` write to that
    OPML file; otherwise they append [[feeds]] tables to config.toml.
    `remove` edits whichever file lists the feed.
    """


@feeds.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@pass_context
@handle_errors
def list_feeds(ctx: Context, as_json: bool) -> None:
    """Show each feed's health: last success, last error, items seen, next attempt."""
    settings = ctx.settings
    listed, problems = configured_feeds(settings)
    states = _states(settings)
    rows = [_health(feed, states.get(feed_source_id(feed.url))) for feed in listed]
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("No feeds configured: add one with `monitor feeds add URL`.")
    for row in [] if as_json else rows:
        click.echo(f"{row['name'] or row['url']}  [{row['status']}]")
        click.echo(f"  {row['url']}")
        tags = row["tags"]
        if isinstance(tags, list) and tags:
            click.echo(f"  tags: {', '.join(tags)}")
        if row["moved"]:
            click.echo(f"  moved permanently: now fetched from {row['fetched_from']}")
        next_attempt = row["next_attempt"] or ("never" if row["status"] == "gone" else "next run")
        click.echo(
            f"  last success: {row['last_success'] or 'never'}; items seen: {row['items_seen']};"
            f" next attempt: {next_attempt}"
        )
        if row["last_error"]:
            click.echo(f"  last error: {row['last_error']} ({row['failures']} in a row)")
        if row["note"]:
            click.echo(f"  note: {row['note']}")
    for problem in problems:
        click.echo(f"monitor: warning: {problem}", err=True)


def _pick(settings: Settings, wanted: str) -> list[FeedSettings]:
    """The feeds NAME names: by URL, else by name (whole, then part; case ignored)."""
    listed, _ = configured_feeds(settings)
    states = _states(settings)
    by_url = [feed for feed in listed if canonical(feed.url) == canonical(wanted)]
    if by_url:
        return by_url

    def name(feed: FeedSettings) -> str:
        state = states.get(feed_source_id(feed.url))
        return (feed.name or (state.name if state else "") or "").casefold()

    folded = wanted.casefold()
    exact = [feed for feed in listed if name(feed) == folded]
    partial = [feed for feed in listed if folded in name(feed) or folded in feed.url.casefold()]
    found = exact or partial
    if not found:
        raise UsageError(
            f"{wanted}: no configured feed has that URL or name (`monitor feeds list`)"
        )
    return found


@feeds.command("refresh")
@config_option
@click.argument("name", required=False)
@pass_context
@handle_errors
def refresh(ctx: Context, name: str | None) -> None:
    """Poll every feed (or those NAME matches, by URL or name) now, even those backing off.

    What they bring is judged and kept for the next digest; nothing is delivered.
    Exits 1 when every feed polled failed.
    """
    from monitor import lock, runner
    from monitor.errors import SourceError
    from monitor.store import Store
    from monitor.timeutil import utcnow

    settings = ctx.settings
    chosen = _pick(settings, name) if name else configured_feeds(settings)[0]
    if not chosen:
        raise UsageError("No feeds configured: add one with `monitor feeds add URL`.")
    only = frozenset(feed_source_id(feed.url) for feed in chosen)
    with lock.hold(settings.state, "feeds refresh"), Store(settings.state) as store:
        _stats, collection = runner.refresh(store, settings, utcnow(), only)
    updates = [u for u in collection.feed_updates if isinstance(u, FeedUpdate)]
    for update in updates:
        if update.ok:
            click.echo(f"{update.name}: ok, {update.new_items} new items")
            continue
        retry = f"; next attempt {_when(update.next_attempt)}" if update.next_attempt else ""
        click.echo(f"{update.name}: failed: {update.error}{retry}")
    if updates and not any(update.ok for update in updates):
        raise SourceError(f"every feed polled failed ({len(updates)})")


@feeds.command("export")
@config_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@pass_context
@handle_errors
def export_feeds(ctx: Context, output: Path | None) -> None:
    """Print every configured feed as OPML 2.0 (or write it to --output).

    A feed without a configured name is exported under the title its feed gave;
    its tags become the folder it sits in and its categories.
    """
    listed, problems = configured_feeds(ctx.settings)
    if problems:
        raise ConfigError("\n".join(problems))
    states = _states(ctx.settings)
    named = []
    for feed in listed:
        state = states.get(feed_source_id(feed.url))
        known = state.name if state and state.name else None
        named.append(feed if feed.name or not known else replace(feed, name=known))
    text = render_opml(named, OPML_TITLE)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror}") from None


@feeds.command("import")
@config_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_context
@handle_errors
def import_feeds(ctx: Context, file: Path) -> None:
    """Follow every feed listed in an OPML FILE (feeds already followed are skipped).

    An outline that cannot be used (not an http(s) URL, a bad weight) is named
    and skipped; the others are imported. Folders and categories become tags.
    """
    listed, unusable = read_opml(file.resolve())
    for problem in unusable:
        click.echo(f"monitor: warning: {problem}", err=True)
    if not listed and unusable:
        raise ConfigError(f"{file}: no usable feed outline ({len(unusable)} skipped)")
    where, added, skipped = add_feeds(ctx.settings, listed)
    click.echo(
        f"Imported {len(added)} feeds into {where}; {len(skipped)} already followed"
        + (f"; {len(unusable)} unusable outlines skipped." if unusable else ".")
    )


@feeds.command("add")
@config_option
@click.argument("url")
@click.option("--name", help="Name shown in the digest (default: the feed's title).")
@click.option("--weight", type=click.FloatRange(0, 10), default=1.0, help="Relevance weight.")
@click.option("--no-check", is_flag=True, help="Add the URL as given, without fetching it.")
@pass_context
@handle_errors
def add(ctx: Context, url: str, name: str | None, weight: float, no_check: bool) -> None:
    """Follow the feed at URL, or the feed a web page at URL advertises."""
    if not is_web_url(url):
        raise UsageError(f"{url}: expected an http:// or https:// URL")
    settings = ctx.settings
    if not no_check:
        from monitor.sources.discover import discover

        found = discover(url, settings.fetch)
        if found.via_page:
            click.echo(f"{found.via_page} is a web page; it advertises the feed {found.url}")
        elif canonical(found.url) != canonical(url):
            click.echo(f"{url} moved permanently to {found.url}")
        click.echo(f"Feed: {found.title or '(untitled)'}, {found.entries} entries")
        url = found.url
    where = add_feed(settings, FeedSettings(url=url, name=name, weight=weight))
    click.echo(f"Added {url} to {where}.")


@feeds.command("remove")
@config_option
@click.argument("url")
@pass_context
@handle_errors
def remove(ctx: Context, url: str) -> None:
    """Stop following the feed at URL (its items stay in the database)."""
    where = remove_feed(ctx.settings, url)
    click.echo(f"Removed {url} from {where}.")
