"""The feeds to follow: ``[[feeds]]`` in config.toml plus the ``feeds_opml`` file.

``configured_feeds`` merges both (a URL listed twice counts once, the config
entry winning). ``add_feed`` and ``remove_feed`` change the files:

- with ``feeds_opml`` set, a feed is added to that OPML file (created if
  missing, rewritten: folders and categories are kept as tags, other
  attributes and unusable outlines are not);
- without it, a ``[[feeds]]`` table is appended to config.toml, leaving the
  rest of the file, comments included, as it was;
- a feed is removed from whichever lists it: its OPML outline, or its
  ``[[feeds]]`` table in config.toml when that table is a plain block of
  ``key = value`` lines (otherwise the message says to edit the file by hand).

Every edit of config.toml is validated by loading the result before it
replaces the file. A removed feed keeps its state and items in the database.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from pathlib import Path

from monitor.config import load
from monitor.errors import ConfigError, UsageError
from monitor.settings import FeedSettings, Settings
from monitor.sources.opml import read_opml, replace_text, save_opml
from monitor.urls import canonical

log = logging.getLogger("monitor.feeds")
SOURCE_PREFIX = "feed:"
_TABLE_HEADER = re.compile(r"^\s*\[")


def feed_source_id(configured_url: str) -> str:
    """The stable source id of a feed: its URL as configured (not as redirected)."""
    return SOURCE_PREFIX + configured_url


def configured_feeds(settings: Settings) -> tuple[list[FeedSettings], list[str]]:
    """Every feed to follow, config first then OPML, and problems reading the OPML file."""
    feeds = list(settings.feeds)
    problems: list[str] = []
    if settings.feeds_opml is not None:
        try:
            listed, unusable = read_opml(settings.feeds_opml)
            feeds.extend(listed)
            problems.extend(unusable)
        except ConfigError as exc:
            problems.extend(str(exc).splitlines())
    unique: dict[str, FeedSettings] = {}
    for feed in feeds:
        unique.setdefault(canonical(feed.url), feed)
    return list(unique.values()), problems


def _managed_opml(path: Path) -> list[FeedSettings]:
    """The feeds of the ``feeds_opml`` file, about to be rewritten without its unusable outlines."""
    listed, unusable = read_opml(path)
    for problem in unusable:
        log.warning("%s; it is dropped from the file rewritten now", problem)
    return listed


def find_feed(settings: Settings, url: str) -> FeedSettings | None:
    """The configured feed with this URL (compared canonically), if any."""
    wanted = canonical(url)
    feeds, _ = configured_feeds(settings)
    return next((feed for feed in feeds if canonical(feed.url) == wanted), None)


def _toml_feed(feed: FeedSettings) -> str:
    # A JSON string is a valid TOML basic string.
    lines = ["", "[[feeds]]", f"url = {json.dumps(feed.url, ensure_ascii=False)}"]
    if feed.name:
        lines.append(f"name = {json.dumps(feed.name, ensure_ascii=False)}")
    if feed.weight != 1.0:
        lines.append(f"weight = {feed.weight:g}")
    if feed.tags:
        lines.append(f"tags = {json.dumps(list(feed.tags), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _replace_config(settings: Settings, text: str, check: str) -> None:
    """Validate new config text by loading it, then atomically replace the file."""
    path = settings.path
    candidate = path.with_name(f".{path.name}.check")
    try:
        candidate.write_text(text, encoding="utf-8")
        load(candidate)
        replace_text(path, text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {check} would make the config invalid: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the config file: {exc.strerror}") from None
    finally:
        candidate.unlink(missing_ok=True)


def add_feeds(
    settings: Settings, new: list[FeedSettings]
) -> tuple[Path, list[FeedSettings], list[FeedSettings]]:
    """Add feeds not yet followed, in one write; return the file, those added, those skipped.

    The file is the OPML file or config.toml (see the module docstring).
    """
    followed = {canonical(feed.url) for feed in configured_feeds(settings)[0]}
    added: list[FeedSettings] = []
    skipped: list[FeedSettings] = []
    for feed in new:
        key = canonical(feed.url)
        (skipped if key in followed else added).append(feed)
        followed.add(key)
    target = settings.feeds_opml or settings.path
    if not added:
        return target, added, skipped
    if settings.feeds_opml is not None:
        listed = _managed_opml(settings.feeds_opml) if settings.feeds_opml.exists() else []
        save_opml(settings.feeds_opml, listed + added)
        return target, added, skipped
    text = settings.path.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    tables = "".join(_toml_feed(feed) for feed in added)
    _replace_config(settings, text + tables, f"adding {len(added)} feeds")
    return target, added, skipped


def add_feed(settings: Settings, feed: FeedSettings) -> Path:
    """Add one feed; UsageError if it is already followed. Returns the file changed."""
    existing = find_feed(settings, feed.url)
    if existing is not None:
        raise UsageError(f"{feed.url}: already followed (as {existing.url})")
    return add_feeds(settings, [feed])[0]


def _remove_toml_table(text: str, url: str) -> str | None:
    """``text`` without the ``[[feeds]]`` table whose url is ``url``, or None if not found."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines):
        if lines[start].strip() != "[[feeds]]":
            start += 1
            continue
        end = start + 1
        while end < len(lines) and not _TABLE_HEADER.match(lines[end]):
            end += 1
        block = "".join(lines[start + 1 : end])
        try:
            table = tomllib.loads(block)
        except tomllib.TOMLDecodeError:
            table = {}
        if canonical(str(table.get("url", ""))) == canonical(url):
            while start > 0 and not lines[start - 1].strip():
                start -= 1  # the blank line that separated it
            return "".join(lines[:start] + lines[end:])
        start = end
    return None


def remove_feed(settings: Settings, url: str) -> Path:
    """Remove a feed from the file that lists it; return which file changed."""
    wanted = canonical(url)
    if any(canonical(feed.url) == wanted for feed in settings.feeds):
        text = settings.path.read_text(encoding="utf-8")
        changed = _remove_toml_table(text, url)
        if changed is None:
            raise ConfigError(
                f"{settings.path}: cannot find a plain [[feeds]] table for {url}; edit it by hand"
            )
        _replace_config(settings, changed, f"removing {url}")
        return settings.path
    if settings.feeds_opml is not None and settings.feeds_opml.exists():
        listed = _managed_opml(settings.feeds_opml)
        kept = [feed for feed in listed if canonical(feed.url) != wanted]
        if len(kept) != len(listed):
            save_opml(settings.feeds_opml, kept)
            return settings.feeds_opml
    raise UsageError(f"{url}: not among the configured feeds (see `monitor feeds list`)")
