"""A killed run leaves no worker processes behind: SIGKILL gives the pool no shutdown."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Starts a pool as the poll does, prints its workers' pids, then waits to be killed.
PARENT = """
import os, sys, time
from pathlib import Path
from monitor.config import load
from monitor.prepare import Workers

workers = Workers(load(Path(sys.argv[1])).relevance)
assert workers.want(10, 1)
pids = {workers.submit(os.getpid).result(timeout=60) for _ in range(20)}
print(" ".join(map(str, sorted(pids))), flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone as far as a user can tell; only init has yet to reap it.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_worker_processes_end_when_their_parent_is_sigkilled() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(REPO / "config.toml")],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert parent.stdout is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    try:
        assert pids and all(alive(pid) for pid in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in pids if alive(pid)], "workers outlived their killed parent"
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
