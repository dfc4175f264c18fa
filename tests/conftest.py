"""Shared fixtures: a project directory with the default config and a copy of the seeds."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

if TYPE_CHECKING:
    from monitor.model import Novelty
    from monitor.novelty import Encoder, Fingerprint
    from monitor.relevance import Profile

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the slow tests first (in file order), the quick ones after them.

    The slow ones mostly wait on real processes (lease expiries, poll intervals,
    digest slots); begun first under ``pytest -n``, that waiting overlaps the
    quick tests instead of trailing after them.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory laid out like a fresh checkout: config.toml and seeds/."""
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return tmp_path


@pytest.fixture
def cli(project: Path) -> Callable[..., Result]:
    """Run the monitor CLI in-process against the project's config."""
    from monitor.cli import main

    def invoke(*args: str, config: Path | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(main, ["--config", str(config or project / "config.toml"), *args])

    return invoke


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The sentence encoder, loaded once per test process for every test that embeds text."""
    from monitor.novelty import Encoder

    return Encoder()


@pytest.fixture(scope="session")
def profile() -> Profile:
    """The shipped config.toml's topic profile (a test file may override it)."""
    from monitor.config import load
    from monitor.relevance import compile_profile

    return compile_profile(load(REPO / "config.toml").relevance)


def seed_text(name_prefix: str) -> str:
    """The text of the seed file whose name starts with ``name_prefix``."""
    (path,) = SEEDS.glob(f"{name_prefix}*")
    return path.read_text(encoding="utf-8")


def judged_second(
    first: Fingerprint,
    second: Fingerprint,
    first_seen: datetime,
    later: timedelta = timedelta(hours=1),
) -> Novelty:
    """The verdict on ``second``, published ``later`` than ``first`` and judged an hour after.

    The index holds only ``first`` (as item "first", published at ``first_seen``).
    """
    from monitor.novelty import NoveltyIndex

    index = NoveltyIndex()
    index.add("first", first_seen, first)
    published = first_seen + later
    return index.judge(second, published, published + timedelta(hours=1))


def judged_in_stories(
    reports: list[tuple[str, datetime, Fingerprint, str]], new: Fingerprint, published: datetime
) -> Novelty:
    """The verdict on ``new``, published at ``published`` and judged an hour after, against
    ``reports``: (item id, published, fingerprint, story id) each, in the index and its stories.
    """
    from monitor.novelty import NoveltyIndex

    index = NoveltyIndex()
    for item, when, fingerprint, _ in reports:
        index.add(item, when, fingerprint)
    stories = {item: story for item, _, _, story in reports}
    verdict, _ = index.judge_story(new, published, published + timedelta(hours=1), stories)
    return verdict
