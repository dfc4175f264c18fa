"""A pass runs with the garbage collector spaced out, and leaves it as it found it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import gcpolicy, runner
from monitor.config import load
from monitor.store import Store

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def defaults() -> Iterator[tuple[int, int, int]]:
    """The collector as a daemon between passes has it; put back whatever a test did."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)
    gc.unfreeze()


def test_a_run_once_leaves_the_collector_as_it_found_it(
    project: Path, defaults: tuple[int, int, int]
) -> None:
    settings = load(project / "config.toml")
    with Store(settings.state) as store:
        result = runner.run_once(store, settings, T0)
    assert result.digest is not None and len(result.digest.stories) == 4  # the seed digest
    assert gc.get_threshold() == defaults
    # Nothing stays frozen: a daemon's cycles between passes are found as before.
    assert gc.get_freeze_count() == 0


def test_overlapping_passes_restore_the_collector_when_the_last_ends(
    defaults: tuple[int, int, int],
) -> None:
    entered, leave_first = threading.Event(), threading.Event()

    def first() -> None:
        with gcpolicy.bulk_pass():
            entered.set()
            leave_first.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    assert entered.wait(5)
    with gcpolicy.bulk_pass():  # a delivery retry beside a poll
        assert gc.get_threshold() == gcpolicy.PASS_THRESHOLD
        leave_first.set()
        thread.join(5)
        assert gc.get_threshold() == gcpolicy.PASS_THRESHOLD  # this one is still running
    assert gc.get_threshold() == defaults
    assert gc.get_freeze_count() == 0


def test_a_failing_pass_restores_the_collector(defaults: tuple[int, int, int]) -> None:
    with pytest.raises(RuntimeError), gcpolicy.bulk_pass():
        assert gc.get_freeze_count() > 0  # what existed is frozen
        raise RuntimeError("a store error")
    assert gc.get_threshold() == defaults
    assert gc.get_freeze_count() == 0
