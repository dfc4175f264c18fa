"""`monitor migrate`: bring the state database's schema up to date (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli_common import Context, config_option, echo_json, handle_errors, pass_context
from monitor.settings import PostgresTarget, Settings


def describe_state(settings: Settings) -> str:
    """The check-config line for the state: where it is and its schema version.

    Reaches a PostgreSQL server (a StoreError when it cannot); never writes.
    """
    from monitor import passwords
    from monitor.store import probe
    from monitor.store.migrations import SCHEMA_VERSION

    target = settings.state
    version = probe(target)
    if version is None:
        status = "not created yet; the first run creates it"
    elif version == 0:
        status = "empty; `monitor migrate` or the first run creates the schema"
    elif version < SCHEMA_VERSION:
        status = f"schema {version}, the first run upgrades it to {SCHEMA_VERSION}"
    else:
        status = f"schema {version}"
    if isinstance(target, PostgresTarget):
        source = passwords.describe(
            target.password_env, target.password_file, target.password_credential
        )
        return f"{target} (PostgreSQL, reached; {status}; {source})"
    return f"{target} ({status})"


@click.command()
@config_option
@click.option(
    "--from",
    "source",
    metavar="OLD.db",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Then copy everything from this SQLite state into the (empty) configured one.",
)
@pass_context
@handle_errors
def migrate(ctx: Context, source: Path | None) -> None:
    """Create or upgrade the state database's schema, then exit.

    Safe to run while workers start: on PostgreSQL the upgrade holds an advisory
    lock, so only one process migrates and the others wait for it. With
    ``--from OLD.db`` the whole SQLite state is then copied in (stop every
    process using either first).
    """
    from monitor import lock
    from monitor.errors import UsageError
    from monitor.store import Store, probe
    from monitor.store.transfer import copy_state

    settings = ctx.settings
    before = probe(settings.state) or 0
    if source is not None:
        source = source.resolve()
        if not source.exists():
            raise UsageError(f"{source}: no such state file")
        if source == settings.state:
            raise UsageError(f"{source}: is the configured state itself")
        with (
            lock.hold(source, "migrate --from"),
            lock.hold(settings.state, "migrate --from"),
            Store(source) as old,
            Store(settings.state) as new,
        ):
            copied = copy_state(old, new)
        rows = ", ".join(f"{count} {table}" for table, count in copied.items())
        click.echo(f"{settings.state}: copied from {source}: {rows}.")
        return
    with Store(settings.state) as store:
        after = store.schema_version()
    if before == after:
        click.echo(f"{settings.state}: schema {after}, up to date.")
    else:
        click.echo(f"{settings.state}: schema {before} -> {after}.")


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
@handle_errors
def workers(ctx: Context, as_json: bool) -> None:
    """List the `monitor run` workers on this database: what each holds, when last seen."""
    from monitor.store import Store
    from monitor.timeutil import minute_text, utcnow

    now = utcnow()
    with Store(ctx.settings.state, readonly=True) as store:
        rows = store.workers(now)
        polls = store.feed_polls()
        term, leader, since = store.judging_leader()
    if as_json:
        echo_json(
            [
                {
                    "id": r.id, "host": r.host, "pid": r.pid,
                    "started_at": r.started_at.isoformat(), "last_seen": r.last_seen.isoformat(),
                    "seconds_since_seen": round((now - r.last_seen).total_seconds(), 1),
                    "doing": r.doing, "leases": r.leases, "leads_judging": r.id == leader,
                }
                for r in rows
            ]
        )  # fmt: skip
        return
    if not rows:
        click.echo("No worker has run on this database (workers need a PostgreSQL state).")
        return
    for r in rows:
        ago = (now - r.last_seen).total_seconds()
        leads = (
            f", judging leader (term {term} since {minute_text(since)})"
            if r.id == leader and since
            else ""
        )
        click.echo(
            f"{r.id}  last seen {ago:.0f} s ago ({minute_text(r.last_seen)}), "
            f"{r.doing or 'idle'}, {r.leases} feed leases, started {minute_text(r.started_at)}"
            f"{leads}"
        )
    if polls:
        latest = minute_text(max(polls.values()))
        click.echo(f"{len(polls)} feeds polled by workers; the latest at {latest}")
