"""`monitor migrate`: bring the state database's schema up to date (SQLite or PostgreSQL)."""

from __future__ import annotations

import click

from monitor.cli_common import Context, config_option, handle_errors, pass_context
from monitor.config import PostgresTarget, Settings


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
@pass_context
@handle_errors
def migrate(ctx: Context) -> None:
    """Create or upgrade the state database's schema, then exit.

    Safe to run while workers start: on PostgreSQL the upgrade holds an advisory
    lock, so only one process migrates and the others wait for it.
    """
    from monitor.store import Store, probe

    settings = ctx.settings
    before = probe(settings.state) or 0
    with Store(settings.state) as store:
        after = store.schema_version()
    if before == after:
        click.echo(f"{settings.state}: schema {after}, up to date.")
    else:
        click.echo(f"{settings.state}: schema {before} -> {after}.")
