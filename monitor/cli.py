"""The command line: parses arguments, wires stages together, turns errors into exit codes.

Exit codes (the one place they are defined, see ``monitor.errors``):
    0  success
    1  runtime failure (unreadable state, delivery failed, another run holds the lock)
    2  usage or configuration error

Every error a user can cause is printed on one line to stderr; ``--debug``
adds the traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import TYPE_CHECKING

import click

from monitor import __version__, gcpolicy
from monitor.cli_common import (
    Context,
    _setup_logging,
    as_of_option,
    config_option,
    echo_json,
    handle_errors,
    pass_context,
)
from monitor.config import CONFIG_ENV
from monitor.errors import ConfigError, UsageError
from monitor.settings import Settings
from monitor.words import plural

if TYPE_CHECKING:
    from monitor.store import Store

log = logging.getLogger("monitor")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    metavar="PATH",
    help=f"Configuration file (default: ${CONFIG_ENV}, else ./config.toml).",
)
@click.option("--debug", is_flag=True, help="Log more, and show tracebacks for errors.")
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, config: str | None, debug: bool) -> None:
    """monitor: a daily digest of what is new about Japan's AI industry and SoftBank."""
    _setup_logging(debug)
    gcpolicy.no_collection_at_exit()
    from monitor import timeutil

    timeutil.set_as_of(None)  # the wall clock, unless this command's --as-of says otherwise
    ctx.obj = Context(config, debug)


@main.command("check-config")
@config_option
@pass_context
@handle_errors
def check_config(ctx: Context) -> None:
    """Validate the configuration file and what it points to, and print a summary.

    Exit 2 when run-once would fail (an unset password variable, a placeholder
    SMTP host, ...); warnings say what run-once will do instead.
    """
    from monitor.checks import check
    from monitor.cli_state import describe_state

    settings = ctx.settings
    found = check(settings)
    errors = len(found.errors)
    click.echo(
        f"{settings.path}: "
        + (f"{errors} {'error' if errors == 1 else 'errors'}" if errors else "ok")
    )
    click.echo(f"  state:    {describe_state(settings)}")
    click.echo(f"  corpus:   {', '.join(str(p) for p in settings.corpus) or '(none)'}")
    click.echo(
        f"  feeds:    {len(settings.feeds)}"
        + (f" + {settings.feeds_opml}" if settings.feeds_opml else "")
    )
    click.echo(f"  deliver:  {', '.join(settings.deliver)} -> {settings.digest.directory}")
    rules = ", ".join("+".join(rule) for rule in settings.relevance.rules)
    if settings.relevance.groups:
        click.echo(
            f"  topic:    {len(settings.relevance.groups)} term groups; rules {rules}; "
            f"threshold {settings.relevance.threshold:.2f}"
        )
    else:
        click.echo("  topic:    none: without [relevance.groups] no story is ever relevant")
        log.warning("%s: no [relevance] topic profile; every story will be dropped", settings.path)
    smtp = settings.smtp
    if smtp is not None:
        from monitor.mail import password_source

        secret = password_source(smtp)
        click.echo(
            f"  smtp:     {smtp.host}:{smtp.port} ({smtp.security}), {secret}, "
            f"to {', '.join(smtp.to)}"
        )
    schedule = settings.schedule
    click.echo(
        f"  schedule: poll every {schedule.poll_interval_minutes:g} min; "
        f"digest at '{schedule.digest_cron}' {schedule.timezone}"
    )
    for warning in found.warnings:
        log.warning("%s", warning)
    if found.errors:
        raise ConfigError("\n".join(found.errors))


def _open_store(settings: Settings, *, readonly: bool = False) -> Store:
    from monitor.store import Store

    return Store(settings.state, readonly=readonly)


def _nothing_new(settings: Settings, earlier: bool) -> str:
    """What to say when there is no story to send."""
    if not (settings.corpus or settings.feeds or settings.feeds_opml):
        return "Nothing to read: no corpus directory and no feed is configured."
    if not earlier:
        return "No stories yet: nothing read so far is about the topic."
    return "Nothing new since the last digest."


@main.command("run-once")
@config_option
@as_of_option
@click.option("--force", is_flag=True, help="Poll feeds in backoff too, now.")
@pass_context
@handle_errors
def run_once(ctx: Context, force: bool) -> None:
    """Collect, judge, write and deliver one digest, and mark its stories delivered.

    Exits 1 when the digest could not be delivered, or when every source failed
    (so a timer's failure alert fires rather than a quiet "nothing new").
    """
    from monitor import lock, runner
    from monitor.errors import DeliveryError, SourceError
    from monitor.timeutil import utcnow

    settings = ctx.settings
    with lock.hold(settings.state, "run-once"), _open_store(settings) as store:
        result = runner.run_once(
            store, settings, utcnow(), progress=sys.stderr.isatty(), force=force
        )
        earlier = store.any_digest()
    log.info("%s", result.stats.summary())
    if result.digest is not None:
        click.echo(f"Digest {result.digest_id}: {plural(len(result.digest.stories), 'story')}.")
    elif result.delivered:
        click.echo("No new stories; delivering the digest that was waiting.")
    else:
        click.echo(_nothing_new(settings, earlier))
    for digest_id in result.delivered:
        click.echo(f"Delivered digest {digest_id}.")
    failed = (
        ["every source failed (see the warnings above); nothing could be collected"]
        if result.all_sources_failed
        else []
    )
    if result.delivery_errors:
        raise DeliveryError("\n".join([*result.delivery_errors, *failed]))
    if failed:
        raise SourceError(failed[0])


@main.command()
@config_option
@as_of_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "json"]),
    default="text",
    show_default=True,
    help="What to print.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="With --format json: also list every item judged now, dropped and folded ones "
    "too, with its status and reason.",
)
@pass_context
@handle_errors
def preview(ctx: Context, fmt: str, show_all: bool) -> None:
    """Print the digest run-once would send now; nothing is marked or delivered."""
    from monitor import digest, runner
    from monitor.timeutil import utcnow

    settings = ctx.settings
    if show_all and fmt != "json":
        raise UsageError("preview --all lists items as JSON: add --format json")
    now = utcnow()
    inspect = None
    if show_all:
        from monitor.cli_items import judged_at

        inspect = functools.partial(judged_at, now=now)
    with _open_store(settings) as store:
        result = runner.preview(store, settings, now, inspect)
        earlier = store.any_digest()
    assert result.digest is not None
    # The operator's counts (irrelevant, unreadable, ...) go to stderr, not into the digest.
    click.echo(f"monitor: {result.stats.summary()}", err=True)
    if fmt == "json":
        data = digest.to_json(result.digest)
        if show_all:
            shown = {story.lead.item.id for story in result.digest.stories}
            data["items"] = [
                {**entry, "reason": "kept: in this digest"}
                if entry["status"] in ("new", "follow-up") and entry["story"] in shown
                else entry
                for entry in result.inspected  # type: ignore[attr-defined]
            ]
        echo_json(data)
    elif fmt == "html":
        click.echo(digest.render_html(result.digest, settings.digest), nl=False)
    else:
        if not result.digest.stories:
            click.echo(_nothing_new(settings, earlier))
            return
        click.echo(digest.render_text(result.digest, settings.digest), nl=False)


# Sub-commands defined in other modules (they import cli_common, never this module).
from monitor.cli_inspect import compare, explain  # noqa: E402

main.add_command(explain)
main.add_command(compare)

from monitor.cli_items import items  # noqa: E402

main.add_command(items)

from monitor.cli_feeds import feeds  # noqa: E402

main.add_command(feeds)

from monitor.cli_deliver import outbox, run, test_mail  # noqa: E402

main.add_command(outbox)
main.add_command(run)
main.add_command(test_mail)

from monitor.cli_state import migrate, workers  # noqa: E402

main.add_command(migrate)
main.add_command(workers)
