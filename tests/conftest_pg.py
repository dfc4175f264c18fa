"""A real PostgreSQL server for the store's tests, and a fixture that runs a test on both backends.

The server is the one named by ``$MONITOR_TEST_POSTGRES`` (an admin URL; `.ci/run`
starts a throwaway cluster and sets it), else a throwaway cluster this session
starts itself with initdb/pg_ctl (tests/pgcluster.py) when PostgreSQL is
installed. Only when neither is possible do the PostgreSQL tests skip, saying why.
Every test gets a database of its own, dropped afterwards.

Import what a test module needs (``from conftest_pg import state_target, ...``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pgcluster
import pytest

from monitor.settings import PostgresTarget

ENV = "MONITOR_TEST_POSTGRES"


@dataclass(frozen=True)
class PgServer:
    """A reachable server: its superuser URL and, when this session started it, its directory."""

    admin_url: str
    directory: Path | None = None

    def url(self, database: str, user: str | None = None) -> str:
        parts = urlsplit(self.admin_url)
        netloc = parts.netloc if user is None else f"{user}@{parts.netloc.split('@')[-1]}"
        return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))

    def admin(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run one statement as the superuser on the maintenance database."""
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as db:
            cursor = db.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []


def start_cluster() -> tuple[PgServer, Path]:
    """A private throwaway cluster (for tests that restart the server)."""
    directory = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
    os.chmod(directory, 0o755)  # the cluster runs as nobody when we are root
    try:
        url = pgcluster.start(directory / "pg")
    except (RuntimeError, OSError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        pytest.skip(f"cannot start a PostgreSQL cluster: {exc}")
    pgcluster.reap_with(os.getpid(), directory / "pg", directory)  # should this session die
    return PgServer(url, directory / "pg"), directory


def stop_cluster(directory: Path) -> None:
    pgcluster.stop(directory / "pg")
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The session's PostgreSQL server, or a skip naming what is missing."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install -e '.[test]'")
    if os.environ.get(ENV):
        yield PgServer(os.environ[ENV])
        return
    if pgcluster.binaries() is None:
        pytest.skip(
            f"no PostgreSQL server: set ${ENV} to an admin URL, or install the postgresql "
            "package (initdb, pg_ctl) so the tests can start one"
        )
    server, directory = start_cluster()
    try:
        yield server
    finally:
        stop_cluster(directory)


def new_database(server: PgServer) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    server.admin(f'CREATE DATABASE "{name}"')
    return name


def drop_database(server: PgServer, name: str) -> None:
    server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def target_for(server: PgServer, database: str, cache: Path, **password: object) -> PostgresTarget:
    return PostgresTarget(
        url=server.url(database), where="test config", cache_dir=cache, **password
    )  # type: ignore[arg-type]


@pytest.fixture
def pg_target(pg_server: PgServer, tmp_path: Path) -> Iterator[PostgresTarget]:
    """A fresh, empty PostgreSQL database for this test."""
    name = new_database(pg_server)
    try:
        yield target_for(pg_server, name, tmp_path / "cache")
    finally:
        drop_database(pg_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def state_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | PostgresTarget:
    """The state database, once as an SQLite file and once as a PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "state" / "monitor.db"
    return request.getfixturevalue("pg_target")


def state_line(target: Path | PostgresTarget) -> str:
    """The config.toml line that names this state."""
    return f'state = "{target}"'
