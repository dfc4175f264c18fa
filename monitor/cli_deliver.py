"""`monitor outbox` (what waits to be delivered, and why), `monitor test-mail` and `monitor run`."""

from __future__ import annotations

import click

from monitor.cli_common import (
    Context,
    as_of_option,
    config_option,
    echo_json,
    handle_errors,
    pass_context,
)
from monitor.words import plural


@click.command()
@config_option
@click.option(
    "--retry",
    "retry",
    is_flag=True,
    help="Put digests held after a permanent failure back in line (the next run sends them).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
@handle_errors
def outbox(ctx: Context, retry: bool, as_json: bool) -> None:
    """List the digests waiting to be delivered, with the last error and the next try."""
    from monitor.store import Store

    settings = ctx.settings
    if retry:
        with Store(settings.state) as store, store.transaction():
            reopened = store.reopen_failed()
        click.echo(
            f"Reopened {', '.join(reopened)}; the next run delivers "
            f"{'it' if len(reopened) == 1 else 'them'}."
            if reopened
            else "No digest is held after a permanent failure."
        )
        return
    with Store(settings.state, readonly=True) as store:
        waiting = store.pending_digests()
    if as_json:
        echo_json(
            [
                {
                    "id": d.id, "created_at": d.created_at, "message_id": d.message_id,
                    "subject": d.subject, "stories": d.story_count, "status": d.status,
                    "attempts": d.attempts, "last_error": d.last_error,
                    "next_attempt": d.next_attempt,
                }
                for d in waiting
            ]
        )  # fmt: skip
        return
    if not waiting:
        click.echo("The outbox is empty: every digest has been delivered.")
        return
    for d in waiting:
        if d.status == "failed":
            state = "held: permanent failure (fix it, then `monitor outbox --retry`)"
        elif d.attempts == 0:
            state = "not tried yet"
        else:
            from monitor.timeutil import minute_text, parse_time

            when = minute_text(parse_time(d.next_attempt)) if d.next_attempt else "the next run"
            state = f"waiting: next try after {when}"
        counts = f"{plural(d.story_count, 'story')}  {plural(d.attempts, 'attempt')}"
        click.echo(f"{d.id}  {counts}  {state}")
        if d.last_error:
            click.echo(f"    last error: {d.last_error}")


@click.command()
@config_option
@as_of_option
@pass_context
@handle_errors
def run(ctx: Context) -> None:
    """Run as a daemon: poll on an interval, send the digest on the configured schedule."""
    from monitor import scheduler

    scheduler.serve(ctx.settings)


@click.command("test-mail")
@config_option
@pass_context
@handle_errors
def test_mail(ctx: Context) -> None:
    """Send a test mail through the configured SMTP server; the password is read as for a digest."""
    from monitor import mail
    from monitor.timeutil import utcnow

    settings = ctx.settings
    where = mail.send_test(settings, utcnow())
    assert settings.smtp is not None
    login = settings.smtp.username
    source = mail.password_source(settings.smtp) if login else "no login"
    click.echo(f"Sent a test mail through {where} ({f'{login}, ' if login else ''}{source}).")
