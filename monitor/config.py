"""Load ``config.toml`` and validate it into frozen, typed settings.

Every problem is reported at once, one line each, naming the file, the key and
what was expected; an unknown key gets a did-you-mean. Paths are relative to
the config file. The config never holds a secret: the SMTP password comes from
an environment variable or a file named here.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.entities import Entity, entity_from_table
from monitor.errors import ConfigError
from monitor.settings import (
    DEFAULT_SUBJECT,
    DEFAULT_TITLE,
    DigestSettings,
    FeedSettings,
    FetchSettings,
    NoveltySettings,
    PostgresTarget,
    RankSettings,
    RelevanceSettings,
    ScheduleSettings,
    Settings,
    SmtpSettings,
    TermGroup,
)

CONFIG_ENV = "MONITOR_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"
T = TypeVar("T")


DELIVERY_TARGETS = ("file", "smtp")
SMTP_SECURITY = ("starttls", "tls", "none")


class _Reader:
    """Reads one TOML table, remembering which keys were used and every error."""

    def __init__(self, file: Path, table: Mapping[str, Any], prefix: str, errors: list[str]):
        self.file, self.table, self.prefix, self.errors = file, table, prefix, errors
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.file}: {self._key(key)}: {message}")

    def get(self, key: str, kind: type[T] | tuple[type, ...], default: T, what: str) -> T:
        self.used.add(key)
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML integers are acceptable where a float is expected; bools are not numbers.
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            self.error(key, f"expected {what}, got {value!r}")
            return default
        if not isinstance(value, kinds):
            self.error(key, f"expected {what}, got {value!r}")
            return default
        return value  # type: ignore[return-value]

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.get(key, float, default, f"a number from {low:g} to {high:g}")
        if not low <= value <= high:
            self.error(key, f"expected a number from {low:g} to {high:g}, got {value:g}")
            return default
        return value

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        value = self.get(key, int, default, f"a whole number from {low} to {high}")
        if not low <= value <= high:
            self.error(key, f"expected a whole number from {low} to {high}, got {value}")
            return default
        return value

    def string(self, key: str, default: str, what: str = "a string") -> str:
        return self.get(key, str, default, what)

    def optional_string(self, key: str) -> str | None:
        return self.get(key, (str, type(None)), None, "a string")  # type: ignore[arg-type]

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(key, default, "one of " + ", ".join(choices))
        if value not in choices:
            self.error(key, f"expected one of {', '.join(choices)}, got {value!r}")
            return default
        return value

    def path(self, key: str, default: str | None) -> Path | None:
        value = self.optional_string(key) if default is None else self.string(key, default)
        if value is None:
            return None
        return (self.file.parent / os.path.expanduser(value)).resolve()

    def table_of(self, key: str) -> Mapping[str, Any]:
        return self.get(key, dict, {}, "a table")

    def finish(self) -> None:
        for key in self.table:
            if key not in self.used:
                close = difflib.get_close_matches(key, sorted(self.used), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(key, f"unknown key{hint}")


def _section(reader: _Reader, key: str) -> _Reader:
    return _Reader(reader.file, reader.table_of(key), f"{reader.prefix}{key}.", reader.errors)


def _read_feeds(top: _Reader) -> tuple[FeedSettings, ...]:
    raw = top.get("feeds", list, [], "a list of [[feeds]] tables")
    feeds = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            top.error("feeds", f"entry {index + 1}: expected a table with url, name, weight, tags")
            continue
        reader = _Reader(top.file, entry, f"feeds[{index + 1}].", top.errors)
        url = reader.string("url", "", "an http(s) URL")
        if not url.lower().startswith(("http://", "https://")):
            reader.error("url", f"expected an http:// or https:// URL, got {url!r}")
        name = reader.optional_string("name")
        weight = reader.number("weight", 1.0, low=0.0, high=10.0)
        tags = reader.get("tags", list, [], 'a list of words such as ["SoftBank", "Japan"]')
        if not all(isinstance(tag, str) and tag.strip() for tag in tags):
            reader.error("tags", f"expected a list of non-empty strings, got {tags!r}")
            tags = []
        reader.finish()
        clean = tuple(dict.fromkeys(tag.strip() for tag in tags))
        feeds.append(FeedSettings(url=url, name=name, weight=weight, tags=clean))
    return tuple(feeds)


def _read_terms(reader: _Reader, key: str) -> dict[str, float]:
    table = reader.table_of(key)
    terms: dict[str, float] = {}
    for term, weight in table.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            reader.error(f"{key}.{term}", f"expected a weight >= 0, got {weight!r}")
            continue
        if not term.strip():
            reader.error(key, "a term is empty")
            continue
        terms[term] = float(weight)
    return terms


def _read_relevance(top: _Reader) -> RelevanceSettings:
    reader = _section(top, "relevance")
    threshold = reader.number("threshold", 0.45, low=0.0, high=1.0)
    groups_reader = _section(reader, "groups")
    groups = []
    for name in groups_reader.table:
        group = _section(groups_reader, name)
        groups.append(TermGroup(name=name, terms=_read_terms(group, "terms")))
        group.finish()
    groups_reader.used.update(groups_reader.table)
    names = {g.name for g in groups}
    rules = []
    for rule in reader.get("rules", list, [], "a list of strings such as 'japan+ai'"):
        parts = tuple(p.strip() for p in str(rule).split("+"))
        missing = [p for p in parts if p not in names]
        if missing:
            reader.error("rules", f"rule {rule!r} names unknown group {missing[0]!r}")
            continue
        rules.append(parts)
    if groups and not rules:
        reader.error("rules", "expected at least one rule such as 'japan+ai'")
    drivers: list[tuple[str, str]] = []
    for rule in reader.get("driver_rules", list, [], "a list of strings such as 'japan+chips'"):
        parts = tuple(p.strip() for p in str(rule).split("+"))
        missing = [p for p in parts if p not in names]
        if len(parts) != 2:
            reader.error("driver_rules", f"rule {rule!r} must name two groups, subject+driver")
        elif missing:
            reader.error("driver_rules", f"rule {rule!r} names unknown group {missing[0]!r}")
        else:
            drivers.append((parts[0], parts[1]))
    exclude = _read_terms(reader, "exclude")
    entities = _read_entities(reader)
    reader.finish()
    return RelevanceSettings(
        threshold, tuple(groups), tuple(rules), exclude, entities, tuple(drivers)
    )


def _read_entities(reader: _Reader) -> tuple[Entity, ...]:
    raw = reader.get("entities", list, [], "a list of [[relevance.entities]] tables")
    entities = []
    for index, entry in enumerate(raw):
        where = f"entities[{index + 1}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            reader.error(where, "expected a table with id, names, tags (and kind, exact)")
            continue
        try:
            entities.append(entity_from_table(entry["id"].strip(), entry, where))
        except ValueError as exc:
            reader.error(where, str(exc).removeprefix(f"{where}: "))
    return tuple(entities)


def _valid_timezone(reader: _Reader, key: str, default: str) -> str:
    name = reader.string(key, default, "an IANA time zone such as Asia/Tokyo")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.error(key, f"expected an IANA time zone such as Asia/Tokyo, got {name!r}")
        return default
    return name


def _read_smtp(top: _Reader) -> SmtpSettings | None:
    if "smtp" not in top.table:
        top.used.add("smtp")
        return None
    reader = _section(top, "smtp")
    security = reader.choice("security", "starttls", SMTP_SECURITY)
    default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
    host = reader.string("host", "")
    if not host:
        reader.error("host", "expected the SMTP server's host name")
    sender = reader.string("from", "", "an e-mail address")
    to = reader.get("to", list, [], "a list of e-mail addresses")
    for address in [sender, *to]:
        if "@" not in str(address) or any(c in str(address) for c in "\r\n"):
            reader.error(
                "from" if address == sender else "to", f"not an e-mail address: {address!r}"
            )
    if not to:
        reader.error("to", "expected at least one recipient")
    if "password" in reader.table:
        reader.used.add("password")
        reader.error(
            "password", "never put a password in the config: use password_env or password_file"
        )
    subject = reader.string("subject", DEFAULT_SUBJECT)
    try:
        subject.format(title="t", count=1, new_stories="1 new story", date="2026-01-01")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        reader.error(
            "subject",
            f"bad template {subject!r} ({type(exc).__name__}: {exc}); "
            "it may use {title}, {count}, {new_stories} and {date}",
        )
        subject = DEFAULT_SUBJECT
    username = reader.optional_string("username")
    secrets = [
        k for k in ("password_env", "password_file", "password_credential") if k in reader.table
    ]
    if len(secrets) > 1:
        reader.error(secrets[1], f"give only one of {', '.join(secrets)}")
    if username and not secrets:
        reader.error(
            "username",
            "a username needs a password source: password_env, password_file or "
            "password_credential",
        )
    settings = SmtpSettings(
        host=host,
        port=reader.integer("port", default_port, low=1, high=65535),
        security=security,
        sender=sender,
        to=tuple(str(a) for a in to),
        subject=subject,
        username=username,
        password_env=reader.optional_string("password_env"),
        password_file=reader.path("password_file", None),
        password_credential=reader.optional_string("password_credential"),
        timeout=reader.number("timeout", 30.0, low=1.0, high=600.0),
    )
    reader.finish()
    return settings


PG_SCHEMES = ("postgresql://", "postgres://")


def _read_state(top: _Reader) -> Path | PostgresTarget:
    """``state``: an SQLite path, or a postgresql:// URL with a [postgresql] password source."""
    raw = top.table.get("state")
    has_pg_table = "postgresql" in top.table
    if not (isinstance(raw, str) and raw.lower().startswith(PG_SCHEMES)):
        if has_pg_table:
            top.used.add("postgresql")
            top.error("postgresql", "only used when state is a postgresql:// URL")
        return top.path("state", "state/monitor.db") or top.file.parent / "state/monitor.db"
    top.used.add("state")
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        top.error("state", f"not a valid postgresql:// URL: {exc}")
        parts = urlsplit("postgresql://localhost/monitor")
    if parts.password is not None or "password" in parse_qs(parts.query):
        top.error(
            "state",
            "never put a password in the config: drop it from the URL and set "
            "[postgresql] password_env, password_file or password_credential",
        )
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    reader = _section(top, "postgresql")
    secrets = [
        k for k in ("password_env", "password_file", "password_credential") if k in reader.table
    ]
    if len(secrets) > 1:
        reader.error(secrets[1], f"give only one of {', '.join(secrets)}")
    if "password" in reader.table:
        reader.used.add("password")
        reader.error(
            "password", "never put a password in the config: use password_env or password_file"
        )
    target = PostgresTarget(
        url=url,
        where=str(top.file),
        cache_dir=reader.path("cache_dir", "state/cache") or top.file.parent / "state/cache",
        password_env=reader.optional_string("password_env"),
        password_file=reader.path("password_file", None),
        password_credential=reader.optional_string("password_credential"),
    )
    reader.finish()
    return target


def _read_fetch(top: _Reader) -> FetchSettings:
    reader = _section(top, "fetch")
    settings = FetchSettings(
        concurrency=reader.integer("concurrency", 16, low=1, high=256),
        per_host=reader.integer("per_host", 2, low=1, high=32),
        connect_timeout=reader.number("connect_timeout", 10.0, low=0.1, high=300.0),
        total_timeout=reader.number("total_timeout", 30.0, low=0.5, high=600.0),
        max_bytes=reader.integer("max_bytes", 10 * 1024 * 1024, low=1024, high=1024**3),
        backfill_days=reader.number("backfill_days", 2.0, low=0.0, high=3650.0),
        max_backoff_hours=reader.number("max_backoff_hours", 24.0, low=0.01, high=24.0 * 30),
        allow_private=reader.get("allow_private", bool, True, "true or false"),
    )
    reader.finish()
    return settings


def _parse(path: Path, data: Mapping[str, Any]) -> Settings:
    errors: list[str] = []
    top = _Reader(path, data, "", errors)
    state = _read_state(top)
    corpus = top.get("corpus", list, ["seeds"], "a list of directories")
    corpus_paths = []
    for entry in corpus:
        if not isinstance(entry, str):
            top.error("corpus", f"expected directory names, got {entry!r}")
            continue
        corpus_paths.append((path.parent / os.path.expanduser(entry)).resolve())
    feeds = _read_feeds(top)
    feeds_opml = top.path("feeds_opml", None)
    # An [smtp] table turns mail on unless `deliver` says otherwise.
    default_targets = ["file", "smtp"] if "smtp" in data else ["file"]
    deliver = top.get("deliver", list, default_targets, "a list of targets: file, smtp")
    for target in deliver:
        if target not in DELIVERY_TARGETS:
            top.error("deliver", f"unknown target {target!r}: expected file or smtp")

    digest_reader = _section(top, "digest")
    digest = DigestSettings(
        directory=digest_reader.path("directory", "digests") or path.parent / "digests",
        title=digest_reader.string("title", DEFAULT_TITLE),
        max_stories=digest_reader.integer("max_stories", 25, low=1, high=500),
        extract_chars=digest_reader.integer("extract_chars", 320, low=40, high=5000),
        timezone=_valid_timezone(digest_reader, "timezone", "Asia/Tokyo"),
    )
    digest_reader.finish()

    novelty_reader = _section(top, "novelty")
    novelty = NoveltySettings(
        window_days=novelty_reader.number("window_days", 30.0, low=0.5, high=3650.0)
    )
    novelty_reader.finish()

    rank_reader = _section(top, "rank")
    rank = RankSettings(
        relevance_weight=rank_reader.number("relevance_weight", 0.45, low=0.0, high=1.0),
        novelty_weight=rank_reader.number("novelty_weight", 0.35, low=0.0, high=1.0),
        recency_weight=rank_reader.number("recency_weight", 0.20, low=0.0, high=1.0),
        recency_half_life_hours=rank_reader.number(
            "recency_half_life_hours", 36.0, low=0.1, high=10000.0
        ),
    )
    rank_reader.finish()

    schedule_reader = _section(top, "schedule")
    schedule = ScheduleSettings(
        poll_interval_minutes=schedule_reader.number(
            "poll_interval_minutes", 60.0, low=1.0, high=10080.0
        ),
        digest_cron=_valid_cron(schedule_reader, "digest_cron", "0 7 * * *"),
        timezone=_valid_timezone(schedule_reader, "timezone", "Asia/Tokyo"),
        lease_minutes=schedule_reader.number("lease_minutes", 10.0, low=0.01, high=1440.0),
    )
    schedule_reader.finish()

    settings = Settings(
        path=path,
        state=state,
        corpus=tuple(corpus_paths),
        feeds=feeds,
        feeds_opml=feeds_opml,
        fetch=_read_fetch(top),
        relevance=_read_relevance(top),
        novelty=novelty,
        rank=rank,
        digest=digest,
        deliver=tuple(dict.fromkeys(deliver)),
        smtp=_read_smtp(top),
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


CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
SECOND_RANGE = (0, 59)


def _cron_field_ok(field_text: str, low: int, high: int) -> bool:
    for part in field_text.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if base == "*":
            continue
        start, _, end = base.partition("-")
        numbers = [start, end] if end else [start]
        if not all(n.isdigit() and low <= int(n) <= high for n in numbers):
            return False
    return True


def _valid_cron(reader: _Reader, key: str, default: str) -> str:
    """Five cron fields (minute hour day month weekday), or six with seconds first."""
    value = reader.string(key, default, "a cron expression such as '0 7 * * *'")
    fields = value.split()
    ranges = CRON_RANGES if len(fields) == 5 else (SECOND_RANGE, *CRON_RANGES)
    if len(fields) not in (5, 6) or not all(
        _cron_field_ok(f, low, high) for f, (low, high) in zip(fields, ranges, strict=True)
    ):
        reader.error(
            key,
            "expected a cron expression: minute hour day month weekday, "
            f"such as '0 7 * * *' (numbers, *, ranges, lists, steps), got {value!r}",
        )
        return default
    return value


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
