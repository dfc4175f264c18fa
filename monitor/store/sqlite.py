"""The SQLite backend: everything about the store that is particular to SQLite.

One file in WAL mode with ``synchronous=FULL`` (delivery state must survive a
power cut), opened in autocommit mode so that every write happens inside an
explicit ``BEGIN IMMEDIATE`` transaction: one writer at a time, taken at BEGIN.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from monitor.errors import StoreError

NAME = "sqlite"

#: Column types the migrations name by role (see migrations.py).
TYPES = {"TS": "TEXT", "BLOB": "BLOB", "REAL": "REAL"}

#: Row locking for a claim: nothing, BEGIN IMMEDIATE already excludes every other writer.
SKIP_LOCKED = ""


def database_errors() -> tuple[type[Exception], ...]:
    """Errors that mean the database itself is unusable."""
    return (sqlite3.DatabaseError,)


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """Open the state file (a readonly store on a missing file is an empty in-memory one)."""
    try:
        if readonly:
            if not path.exists():
                db = sqlite3.connect(":memory:", isolation_level=None)
            else:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot use the state database: {exc}") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the state database: {exc.strerror}") from None
    return db


@contextmanager
def transaction(db: sqlite3.Connection, *, exclusive: bool = True) -> Iterator[None]:
    """BEGIN IMMEDIATE: the write lock is taken now, so no transaction fails half-way.

    Every SQLite write transaction is exclusive, whatever ``exclusive`` says.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


@contextmanager
def migration_lock(db: sqlite3.Connection) -> Iterator[None]:
    """The migration's own BEGIN IMMEDIATE already excludes every other writer."""
    yield


@contextmanager
def try_lock(db: sqlite3.Connection, purpose: str) -> Iterator[bool]:
    """Always granted: the processing lock already makes this process the only one."""
    yield True


def has_table(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def table_names(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return [row[0] for row in rows if not row[0].startswith("sqlite_")]


def prefix_match(column: str, prefix: str) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause for ``column`` starting with ``prefix`` that can use the index."""
    return f"{column} >= ? AND {column} < ?", (prefix, prefix + "\uffff")
