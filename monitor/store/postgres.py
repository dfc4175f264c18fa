"""The PostgreSQL backend: everything about the store that is particular to PostgreSQL.

The store's SQL is written once with ``?`` placeholders; ``Connection`` turns
them into psycopg's ``%s``. Timestamps go in as the store's ISO 8601 text
(psycopg sends text untyped, so the server casts it to ``timestamptz``) and
come back as aware datetimes, which ``timeutil.parse_time`` accepts too.

Locks are advisory locks, keyed per purpose (the keys are scoped to the
database): a write transaction takes ``WRITE_KEY`` for its duration, as
SQLite's BEGIN IMMEDIATE would; a migration takes ``MIGRATE_KEY``; a
processing run holds ``PROCESS_KEY`` on its own connection for as long as it
runs, so the server drops it the moment that process dies; the judging leader
holds ``LEAD_KEY`` the same way. A server restart drops every session lock:
:class:`SessionLock` notices its connection is gone and takes the lock again.

psycopg is imported only here, so an SQLite-only install never needs it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from monitor import passwords
from monitor.errors import LockedError, StoreError
from monitor.settings import PostgresTarget

NAME = "postgresql"

#: Column types the migrations name by role (see migrations.py).
TYPES = {"TS": "TIMESTAMPTZ", "BLOB": "BYTEA", "REAL": "DOUBLE PRECISION"}

#: Row locking for a claim: rows another worker is claiming right now are passed over.
SKIP_LOCKED = " FOR UPDATE SKIP LOCKED"


def _key(purpose: str) -> int:
    """A stable positive 62-bit advisory lock key for one purpose."""
    digest = hashlib.blake2b(f"monitor:{purpose}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2


WRITE_KEY = _key("write")
MIGRATE_KEY = _key("migrate")
PROCESS_KEY = _key("process")
LEAD_KEY = _key("lead")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a postgresql:// state needs psycopg: pip install 'monitor[postgresql]'"
        ) from None
    return psycopg


def _one_line(exc: Exception) -> str:
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """``?`` placeholders to ``%s`` (and a literal ``%`` to ``%%``), outside quotes."""
    out, quote = [], ""
    for char in sql:
        if quote:
            out.append("%%" if char == "%" else char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


class Connection:
    """The part of sqlite3.Connection's interface the store uses, over psycopg."""

    def __init__(self, raw: Any, target: PostgresTarget):
        self.raw, self.target = raw, target
        self._operational = _psycopg().OperationalError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.raw.execute(translate(sql), params or None)
        except self._operational as exc:
            raise StoreError(
                f"{self.target}: lost the PostgreSQL server: {_one_line(exc)}"
            ) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        try:
            with self.raw.cursor() as cursor:
                cursor.executemany(translate(sql), rows)
        except self._operational as exc:
            raise StoreError(
                f"{self.target}: lost the PostgreSQL server: {_one_line(exc)}"
            ) from None

    def _lost(self, exc: Exception) -> StoreError:
        return StoreError(f"{self.target}: lost the PostgreSQL server: {_one_line(exc)}")

    def close(self) -> None:
        self.raw.close()


def application_name(purpose: str) -> str:
    """How this process shows in pg_stat_activity (and in "already running" messages)."""
    return f"monitor {purpose} pid {os.getpid()} on {socket.gethostname()}"[:63]


def connect(
    target: PostgresTarget, *, readonly: bool = False, purpose: str = "store"
) -> Connection:
    """Connect in autocommit mode, the session in UTC; a readonly session refuses writes."""
    psycopg = _psycopg()
    password = passwords.resolve(
        f"{target.where}: postgresql",
        target.password_env,
        target.password_file,
        target.password_credential,
    )
    options = "-c timezone=UTC" + (" -c default_transaction_read_only=on" if readonly else "")
    extra = {"password": password} if password is not None else {}
    try:
        raw = psycopg.connect(
            target.url,
            autocommit=True,
            connect_timeout=10,
            application_name=application_name(purpose),
            options=options,
            **extra,
        )
    except psycopg.Error as exc:
        raise StoreError(
            f"{target}: cannot reach the PostgreSQL server: {_one_line(exc)}"
        ) from None
    return Connection(raw, target)


def database_errors() -> tuple[type[Exception], ...]:
    """Errors that mean the database itself is unusable."""
    return (_psycopg().Error,)


@contextmanager
def transaction(db: Connection, *, exclusive: bool = True) -> Iterator[None]:
    """One transaction; an ``exclusive`` one waits for ``WRITE_KEY`` first.

    Exclusive transactions run one at a time, as SQLite's BEGIN IMMEDIATE: they
    read, decide and write (judging, folding, building a digest), so the
    workers' judging passes never interleave: whoever holds the lock is the
    judging leader for that pass. Short claims that lock their own rows
    (``FOR UPDATE SKIP LOCKED``) need not wait for a pass to end.
    """
    try:
        with db.raw.transaction():
            if exclusive:
                db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_KEY,))
            yield
    except _psycopg().OperationalError as exc:
        raise db._lost(exc) from None


@contextmanager
def try_lock(db: Connection, purpose: str) -> Iterator[bool]:
    """Take the session advisory lock for ``purpose`` if it is free; yield whether we got it."""
    key = _key(purpose)
    got = bool(db.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()[0])
    try:
        yield got
    finally:
        if got:
            db.execute("SELECT pg_advisory_unlock(?)", (key,))


@contextmanager
def migration_lock(db: Connection) -> Iterator[None]:
    """Inside the migration's transaction: two starting workers cannot both migrate."""
    db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATE_KEY,))
    yield


def has_table(db: Connection, name: str) -> bool:
    # A query on the catalog, not to_regclass(): that reads the session's catalog cache,
    # which an advisory lock does not refresh, so it can miss a table another session
    # created while this one waited for the migration lock.
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables"
        " WHERE schemaname = current_schema() AND tablename = ?)",
        (name,),
    ).fetchone()
    return bool(row[0])


def table_names(db: Connection) -> list[str]:
    rows = db.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()"
    )
    return [row[0] for row in rows]


def prefix_match(column: str, prefix: str) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause for ``column`` starting with ``prefix``, whatever the collation."""
    return f"starts_with({column}, ?)", (prefix,)


class SessionLock:
    """A session advisory lock on a connection of its own, taken again after losing it.

    The server drops a session's locks when its connection ends (the holder
    died, or the server restarted); ``held()`` notices, ``take()`` reconnects
    and tries for the lock again (never waiting for it).
    """

    def __init__(self, target: PostgresTarget, purpose: str, key: int, *, shared: bool = False):
        self.target, self.purpose, self.key, self.shared = target, purpose, key, shared
        self.db: Connection | None = None

    def held(self) -> bool:
        """Whether the lock is still ours (its connection alive); forgets it if not."""
        if self.db is None:
            return False
        try:
            self.db.execute("SELECT 1").fetchone()
            return True
        except StoreError:
            self.close()
            return False

    def take(self) -> bool:
        """Hold the lock, reconnecting if need be; False if another session holds it.

        Raises StoreError when the server cannot be reached.
        """
        if self.held():
            return True
        db = connect(self.target, purpose=self.purpose)
        take = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        try:
            got = bool(db.execute(f"SELECT {take}(?)", (self.key,)).fetchone()[0])
        except StoreError:
            db.close()
            raise
        if got:
            self.db = db
        else:
            db.close()
        return got

    def holder(self) -> str:
        """Who holds the lock (from pg_stat_activity), for messages."""
        db = connect(self.target, purpose=self.purpose)
        try:
            row = db.execute(
                "SELECT a.application_name FROM pg_locks l"
                " JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted"
                # Advisory locks are per database: another database's monitor
                # on the same server holds the same key for its own state.
                " AND l.database = (SELECT oid FROM pg_database"
                " WHERE datname = current_database())"
                " AND (l.classid::bigint << 32 | l.objid::bigint) = ?",
                (self.key,),
            ).fetchone()
        finally:
            db.close()
        return row[0] if row and row[0] else "another process"

    def close(self) -> None:
        """Let the lock go (closing the connection ends the session and its locks)."""
        if self.db is not None:
            with contextlib.suppress(Exception):  # a broken connection is closed anyway
                # Unlocked before closing: the server ends a closed session (and
                # drops its locks) a moment later, and the next run may come sooner.
                self.db.execute("SELECT pg_advisory_unlock_all()")
            with contextlib.suppress(Exception):
                self.db.close()
            self.db = None


@contextmanager
def hold_process_lock(
    target: PostgresTarget, purpose: str, *, shared: bool = False
) -> Iterator[SessionLock]:
    """Hold the processing lock (a session advisory lock) or raise LockedError at once.

    Workers (`monitor run`) hold it ``shared``, so many run together, while
    `run-once` holds it alone. A worker calls ``take()`` on the lock it is
    given before each job, so a server restart does not leave it unheld.
    """
    lock = SessionLock(target, purpose, PROCESS_KEY, shared=shared)
    try:
        if not lock.take():
            raise LockedError(
                f"{target}: {lock.holder()} is already processing it; "
                "wait for it to finish (or stop the daemon) and try again"
            )
        yield lock
    finally:
        lock.close()  # the server releases a session's advisory locks when it ends
