"""Reading each section of ``config.toml`` into its frozen settings (``monitor.settings``).

One function a section, each with a :class:`~monitor.config_reader.TableReader`
that collects every problem; ``monitor.config`` calls them in order and
raises one ``ConfigError`` naming them all.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from monitor.config_reader import (
    TableReader,
    read_password_source,
    section,
    valid_cron,
    valid_timezone,
)
from monitor.entities import Entity, entity_from_table
from monitor.settings import (
    DigestSettings,
    FeedSettings,
    FetchSettings,
    NoveltySettings,
    PostgresTarget,
    RankSettings,
    RelevanceSettings,
    ScheduleSettings,
    SmtpSettings,
    TermGroup,
)

SMTP_SECURITY = ("starttls", "tls", "none")


def read_feeds(top: TableReader) -> tuple[FeedSettings, ...]:
    """``[[feeds]]``: each feed's URL, name, weight and tags."""
    raw = top.get("feeds", list, [], "a list of [[feeds]] tables")
    feeds = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            top.error("feeds", f"entry {index + 1}: expected a table with url, name, weight, tags")
            continue
        reader = TableReader(top.file, entry, f"feeds[{index + 1}].", top.errors, FeedSettings)
        url = reader.string("url", "", "an http(s) URL")
        if not url.lower().startswith(("http://", "https://")):
            reader.error("url", f"expected an http:// or https:// URL, got {url!r}")
        name = reader.optional_string("name")
        weight = reader.number("weight", low=0.0, high=10.0)
        tags = reader.get("tags", list, [], 'a list of words such as ["SoftBank", "Japan"]')
        if not all(isinstance(tag, str) and tag.strip() for tag in tags):
            reader.error("tags", f"expected a list of non-empty strings, got {tags!r}")
            tags = []
        reader.finish()
        clean = tuple(dict.fromkeys(tag.strip() for tag in tags))
        feeds.append(FeedSettings(url=url, name=name, weight=weight, tags=clean))
    return tuple(feeds)


def _read_terms(reader: TableReader, key: str) -> dict[str, float]:
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


def read_relevance(top: TableReader) -> RelevanceSettings:
    """``[relevance]``: the topic profile (term groups, rules, exclusions, entities)."""
    reader = section(top, "relevance")
    threshold = reader.number("threshold", 0.45, low=0.0, high=1.0)
    groups_reader = section(reader, "groups")
    groups = []
    for name in groups_reader.table:
        group = section(groups_reader, name)
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


def _read_entities(reader: TableReader) -> tuple[Entity, ...]:
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


def read_smtp(top: TableReader) -> SmtpSettings | None:
    """``[smtp]``: the mail server and recipients (None without the table); never a password."""
    if "smtp" not in top.table:
        top.used.add("smtp")
        return None
    reader = section(top, "smtp", SmtpSettings)
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
    subject = reader.string("subject")
    try:
        subject.format(title="t", count=1, new_stories="1 new story", date="2026-01-01")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        reader.error(
            "subject",
            f"bad template {subject!r} ({type(exc).__name__}: {exc}); "
            "it may use {title}, {count}, {new_stories} and {date}",
        )
        subject = reader.default("subject")
    username = reader.optional_string("username")
    source = read_password_source(reader)
    if username and not source.given:
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
        password_env=source.env,
        password_file=source.file,
        password_credential=source.credential,
        timeout=reader.number("timeout", low=1.0, high=600.0),
    )
    reader.finish()
    return settings


PG_SCHEMES = ("postgresql://", "postgres://")


def read_state(top: TableReader) -> Path | PostgresTarget:
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
    reader = section(top, "postgresql")
    source = read_password_source(reader)
    target = PostgresTarget(
        url=url,
        where=str(top.file),
        cache_dir=reader.path("cache_dir", "state/cache") or top.file.parent / "state/cache",
        password_env=source.env,
        password_file=source.file,
        password_credential=source.credential,
    )
    reader.finish()
    return target


def read_fetch(top: TableReader) -> FetchSettings:
    """``[fetch]``: concurrency, timeouts and limits of feed polling."""
    reader = section(top, "fetch", FetchSettings)
    settings = FetchSettings(
        concurrency=reader.integer("concurrency", low=1, high=256),
        per_host=reader.integer("per_host", low=1, high=32),
        connect_timeout=reader.number("connect_timeout", low=0.1, high=300.0),
        total_timeout=reader.number("total_timeout", low=0.5, high=600.0),
        max_bytes=reader.integer("max_bytes", low=1024, high=1024**3),
        backfill_days=reader.number("backfill_days", low=0.0, high=3650.0),
        max_backoff_hours=reader.number("max_backoff_hours", low=0.01, high=24.0 * 30),
        allow_private=reader.boolean("allow_private"),
    )
    reader.finish()
    return settings


def read_digest(top: TableReader) -> DigestSettings:
    """``[digest]``: where digests are written and what goes into them."""
    reader = section(top, "digest", DigestSettings)
    digest = DigestSettings(
        directory=reader.path("directory", "digests") or top.file.parent / "digests",
        title=reader.string("title"),
        max_stories=reader.integer("max_stories", low=1, high=500),
        extract_chars=reader.integer("extract_chars", low=40, high=5000),
        timezone=valid_timezone(reader, "timezone"),
    )
    reader.finish()
    return digest


def read_novelty(top: TableReader) -> NoveltySettings:
    """``[novelty]``: how far back a story counts as already seen."""
    reader = section(top, "novelty", NoveltySettings)
    novelty = NoveltySettings(window_days=reader.number("window_days", low=0.5, high=3650.0))
    reader.finish()
    return novelty


def read_rank(top: TableReader) -> RankSettings:
    """``[rank]``: the weights of the ordering formula."""
    reader = section(top, "rank", RankSettings)
    rank = RankSettings(
        relevance_weight=reader.number("relevance_weight", low=0.0, high=1.0),
        novelty_weight=reader.number("novelty_weight", low=0.0, high=1.0),
        recency_weight=reader.number("recency_weight", low=0.0, high=1.0),
        recency_half_life_hours=reader.number("recency_half_life_hours", low=0.1, high=10000.0),
    )
    reader.finish()
    return rank


def read_schedule(top: TableReader) -> ScheduleSettings:
    """``[schedule]``: when ``monitor run`` polls and sends the digest."""
    reader = section(top, "schedule", ScheduleSettings)
    schedule = ScheduleSettings(
        poll_interval_minutes=reader.number("poll_interval_minutes", low=1.0, high=10080.0),
        digest_cron=valid_cron(reader, "digest_cron"),
        timezone=valid_timezone(reader, "timezone"),
        lease_minutes=reader.number("lease_minutes", low=0.01, high=1440.0),
    )
    reader.finish()
    return schedule
