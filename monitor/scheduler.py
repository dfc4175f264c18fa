"""The daemon (`monitor run`): placeholder until the scheduler lands."""

from __future__ import annotations

from monitor.config import Settings
from monitor.errors import UsageError


def serve(settings: Settings) -> None:
    """Run the poll and digest jobs on the configured schedule until SIGTERM."""
    raise UsageError("`monitor run` is not built yet")
