"""What the command modules share: the context, error handling, common options, JSON output.

A module of its own so that ``cli`` and the sub-command modules (``cli_feeds``,
``cli_inspect``, ``cli_deliver``, ``cli_state``) import it and not each other.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from monitor.config import CONFIG_ENV, load, resolve_path
from monitor.errors import MonitorError
from monitor.logformat import OneLineFormatter, error_line, to_journal
from monitor.settings import Settings

log = logging.getLogger("monitor")
F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command gets: where the config is, and how loud to be."""

    def __init__(self, config: str | None, debug: bool):
        self.config_path = resolve_path(config)
        self.debug = debug
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load(self.config_path)
        return self._settings


def _setup_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(journal=to_journal(sys.stderr)))
    root = logging.getLogger("monitor")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False


def handle_errors(command: F) -> F:
    """Turn a MonitorError into one line on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.obj and ctx.obj.debug)
        try:
            return command(*args, **kwargs)
        except MonitorError as error:
            if debug:
                log.exception("%s", error)
            for line in str(error).splitlines() or [type(error).__name__]:
                click.echo(error_line(f"monitor: error: {line}"), err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("monitor: interrupted", err=True)
            ctx.exit(130)

    return wrapper  # type: ignore[return-value]


def config_option(command: F) -> F:
    """Accept --config and --debug after the sub-command too (`monitor run-once --debug`)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is not None:
            ctx.find_object(Context).config_path = resolve_path(value)

    def louder(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.find_object(Context).debug = True
            _setup_logging(True)

    command = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=louder,
        is_eager=True,
        help="Log more, and show tracebacks for errors.",
    )(command)
    return click.option(
        "--config",
        metavar="PATH",
        expose_value=False,
        callback=remember,
        is_eager=True,
        help=f"Configuration file (default: ${CONFIG_ENV}, else ./config.toml).",
    )(command)


def as_of_option(command: F) -> F:
    """``--as-of TIME``: run with the clock set to TIME (replays of old snapshots, tests)."""

    def set_clock(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is None:
            return
        from monitor import timeutil

        try:
            timeutil.set_as_of(timeutil.parse_as_of(value))
        except ValueError as error:
            raise click.BadParameter(str(error)) from None

    return click.option(
        "--as-of",
        metavar="TIME",
        expose_value=False,
        callback=set_clock,
        is_eager=True,
        help="Run as if the time were TIME (ISO 8601; UTC unless it has an offset), "
        "the clock running on from there. For replaying old feed snapshots and for tests.",
    )(command)


pass_context = click.make_pass_decorator(Context)


def echo_json(value: object) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))
