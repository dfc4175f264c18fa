"""The processing lock: one monitor at a time per state database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from monitor import lock

Cli = Callable[..., Result]


def test_run_once_says_who_holds_the_lock_and_exits_1(cli: Cli, project: Path) -> None:
    with lock.hold(project / "state" / "monitor.db", "run"):
        result = cli("run-once")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "(monitor run) is already processing it" in line
    assert not (project / "digests").exists()

    again = cli("run-once")  # released: the next run goes ahead
    assert again.exit_code == 0, again.output
    assert "4 stories" in again.stdout


def test_the_lock_dies_with_its_holder(project: Path) -> None:
    import subprocess
    import sys

    state = project / "state" / "monitor.db"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from monitor import lock\n"
         "with lock.hold(Path(sys.argv[1]), 'run'):\n    print('held', flush=True); time.sleep(60)",
         str(state)],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        holder.kill()  # SIGKILL: no cleanup runs
        holder.wait()
        with lock.hold(state, "run-once"):
            pass
    finally:
        holder.kill()
