"""One process at a time per state database: `run-once` and `run` exclude each other.

For an SQLite state the lock is an advisory ``flock`` on ``<state>.lock`` next
to the database. The kernel drops it when the holder dies, even by SIGKILL, so
a crash never leaves a stale lock behind. The file records the holder's pid and
command, only to make the "already running" message useful.

For a PostgreSQL state it is a session advisory lock on the server (see
store/postgres.py), dropped by the server when the holder's connection ends;
the holder is named from pg_stat_activity.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from monitor.errors import LockedError
from monitor.settings import PostgresTarget


def lock_path(state: Path) -> Path:
    """The lock file that guards ``state``."""
    return state.with_name(state.name + ".lock")


@contextmanager
def hold(state: Path | PostgresTarget, purpose: str, *, shared: bool = False) -> Iterator[Any]:
    """Hold the processing lock for ``state`` or raise LockedError at once.

    ``shared`` (workers of `monitor run`) lets many holders run together on a
    PostgreSQL state; an SQLite state always has one holder. On PostgreSQL it
    gives the lock (a ``postgres.SessionLock``, to take again after a server
    restart); on SQLite, None.
    """
    if isinstance(state, PostgresTarget):
        from monitor.store import postgres

        with postgres.hold_process_lock(state, purpose, shared=shared) as held:
            yield held
        return
    path = lock_path(state)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise LockedError(
                f"{state}: {holder} is already processing it; "
                "wait for it to finish (or stop the daemon) and try again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} (monitor {purpose})\n".encode(), 0)
        try:
            yield None
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock
