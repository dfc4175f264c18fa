"""The settings monitor runs with: frozen, typed, read once from ``config.toml``.

``monitor.config`` reads and validates the file into these; every other module
only reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.entities import Entity

DEFAULT_TITLE = "Japan AI & SoftBank monitor"
DEFAULT_SUBJECT = "{title}: {new_stories}, {date}"


@dataclass(frozen=True, slots=True)
class FeedSettings:
    url: str
    name: str | None = None
    weight: float = 1.0
    # Categories (OPML folders or `category`), shown by `feeds list` and exported back.
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FetchSettings:
    concurrency: int = 16
    per_host: int = 2
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    backfill_days: float = 2.0
    max_backoff_hours: float = 24.0
    # Loopback and private networks (intranet feeds); link-local etc. are never fetched.
    allow_private: bool = True


@dataclass(frozen=True, slots=True)
class TermGroup:
    name: str
    terms: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class RelevanceSettings:
    threshold: float
    groups: tuple[TermGroup, ...]
    rules: tuple[tuple[str, ...], ...]
    exclude: Mapping[str, float]
    # [[relevance.entities]]: entities added to (or replacing, by id) the shipped table.
    entities: tuple[Entity, ...] = ()
    # "japan+chips": a story about the first group that names the second as a driver of
    # its news (exports "on chip demand") is kept, at the lowest relevant rank.
    driver_rules: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class NoveltySettings:
    window_days: float = 30.0


@dataclass(frozen=True, slots=True)
class RankSettings:
    relevance_weight: float = 0.45
    novelty_weight: float = 0.35
    recency_weight: float = 0.20
    recency_half_life_hours: float = 36.0


@dataclass(frozen=True, slots=True)
class DigestSettings:
    directory: Path
    title: str = DEFAULT_TITLE
    max_stories: int = 25
    extract_chars: int = 320
    timezone: str = "Asia/Tokyo"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    to: tuple[str, ...]
    subject: str = DEFAULT_SUBJECT
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    password_credential: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class ScheduleSettings:
    poll_interval_minutes: float = 60.0
    digest_cron: str = "0 7 * * *"
    timezone: str = "Asia/Tokyo"
    #: how long a worker's claim on a feed lasts (PostgreSQL workers; see monitor/workers.py)
    lease_minutes: float = 10.0


@dataclass(frozen=True, slots=True)
class PostgresTarget:
    """A PostgreSQL state database: a password-free URL and where its password comes from.

    ``where`` names the config file in messages; ``cache_dir`` is the local
    directory for the encoder's cache (an SQLite state keeps it beside the file).
    """

    url: str
    where: str
    cache_dir: Path
    password_env: str | None = None
    password_file: Path | None = None
    password_credential: str | None = None

    def __str__(self) -> str:
        return self.url


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything monitor reads from its configuration file."""

    path: Path
    #: an SQLite file, or a PostgreSQL database when ``state`` is a postgresql:// URL
    state: Path | PostgresTarget
    corpus: tuple[Path, ...]
    feeds: tuple[FeedSettings, ...]
    feeds_opml: Path | None
    fetch: FetchSettings
    relevance: RelevanceSettings
    novelty: NoveltySettings
    rank: RankSettings
    digest: DigestSettings
    deliver: tuple[str, ...]
    smtp: SmtpSettings | None
    schedule: ScheduleSettings
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def cache_dir(self) -> Path:
        """Where the encoder keeps its fast-loading copy of the model."""
        if isinstance(self.state, PostgresTarget):
            return self.state.cache_dir
        return self.state.parent / "cache"
