"""Run `python -m monitor` as a real process, optionally SIGKILLed at a named point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CRASH_HOOK = Path(__file__).resolve().parent / "crash"


def run_monitor(
    project: Path, *args: str, crash_at: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """One monitor command on ``project``'s config, outside systemd; ``crash_at``: see crash/."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CRASH_HOOK), str(REPO)])}
    for name in ("JOURNAL_STREAM", "INVOCATION_ID"):
        environ.pop(name, None)
    environ.update(env or {})
    if crash_at:
        environ["MONITOR_CRASH_AT"] = crash_at
    command = [sys.executable, "-m", "monitor", "--config", str(project / "config.toml"), *args]
    return subprocess.run(
        command, cwd=project, env=environ, capture_output=True, text=True, timeout=120
    )
