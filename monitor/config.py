"""Load ``config.toml`` and validate it into frozen, typed settings.

Every problem is reported at once, one line each, naming the file, the key and
what was expected; an unknown key gets a did-you-mean. Paths are relative to
the config file. The config never holds a secret: the SMTP password comes from
an environment variable or a file named here. Each section is read by
``monitor.config_sections`` with the checks of ``monitor.config_reader``; the
settings themselves are the dataclasses of ``monitor.settings``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from monitor.config_reader import TableReader
from monitor.config_sections import (
    read_digest,
    read_feeds,
    read_fetch,
    read_novelty,
    read_rank,
    read_relevance,
    read_schedule,
    read_smtp,
    read_state,
)
from monitor.errors import ConfigError
from monitor.settings import Settings

CONFIG_ENV = "MONITOR_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"
DELIVERY_TARGETS = ("file", "smtp")


def _parse(path: Path, data: Mapping[str, Any]) -> Settings:
    errors: list[str] = []
    top = TableReader(path, data, "", errors)
    state = read_state(top)
    corpus = top.get("corpus", list, ["seeds"], "a list of directories")
    corpus_paths = []
    for entry in corpus:
        if not isinstance(entry, str):
            top.error("corpus", f"expected directory names, got {entry!r}")
            continue
        corpus_paths.append((path.parent / os.path.expanduser(entry)).resolve())
    feeds = read_feeds(top)
    feeds_opml = top.path("feeds_opml", None)
    # An [smtp] table turns mail on unless `deliver` says otherwise.
    default_targets = ["file", "smtp"] if "smtp" in data else ["file"]
    deliver = top.get("deliver", list, default_targets, "a list of targets: file, smtp")
    for target in deliver:
        if target not in DELIVERY_TARGETS:
            top.error("deliver", f"unknown target {target!r}: expected file or smtp")
    digest = read_digest(top)
    novelty = read_novelty(top)
    rank = read_rank(top)
    schedule = read_schedule(top)
    settings = Settings(
        path=path,
        state=state,
        corpus=tuple(corpus_paths),
        feeds=feeds,
        feeds_opml=feeds_opml,
        fetch=read_fetch(top),
        relevance=read_relevance(top),
        novelty=novelty,
        rank=rank,
        digest=digest,
        deliver=tuple(dict.fromkeys(deliver)),
        smtp=read_smtp(top),
        schedule=schedule,
    )
    if "smtp" in settings.deliver and settings.smtp is None:
        top.error("deliver", "lists smtp but there is no [smtp] table")
    if not settings.deliver:
        top.error("deliver", "expected at least one target: file, smtp")
    top.finish()
    if errors:
        raise ConfigError("\n".join(errors))
    return settings


def resolve_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The config file to use: --config, else $MONITOR_CONFIG, else ./config.toml."""
    chosen = explicit or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_NAME
    return Path(chosen).expanduser().resolve()


def load(path: Path) -> Settings:
    """Read and validate a config file; raise ConfigError naming every problem."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found (pass --config PATH or set {CONFIG_ENV})"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    try:
        # utf-8-sig: an editor (Notepad) may save a byte-order mark, which TOML does not allow.
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _parse(path, data)
