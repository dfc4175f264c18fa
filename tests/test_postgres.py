"""monitor on a PostgreSQL state, end to end on a real server: config, password sources,
check-config, migrate, run-once, the processing lock."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest_pg import PgServer, drop_database, new_database, pg_server, pg_target, target_for

from monitor.config import load
from monitor.errors import ConfigError, LockedError
from monitor.settings import PostgresTarget
from monitor.store import Store
from monitor.store.migrations import SCHEMA_VERSION
from monitor.store.postgres import hold_process_lock

__all__ = ["pg_server", "pg_target"]  # fixtures, used by name

Cli = Callable[..., Result]


def use_state(project: Path, line: str, extra: str = "") -> Path:
    """Point the project's config.toml at another state (and append ``extra`` tables)."""
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    assert 'state = "state/monitor.db"' in text
    config.write_text(text.replace('state = "state/monitor.db"', line) + extra, encoding="utf-8")
    return config


@pytest.fixture
def pg_project(project: Path, pg_target: PostgresTarget) -> Path:
    """The default project with its state in a fresh PostgreSQL database."""
    use_state(project, f'state = "{pg_target.url}"')
    return project


def stories(cli: Cli) -> list[str]:
    result = cli("preview", "--format", "json")
    assert result.exit_code == 0, result.output
    return sorted(story["source"] for story in json.loads(result.stdout)["stories"])


def test_a_password_in_the_url_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    for url in ("postgresql://monitor:hunter2@db/monitor", "postgresql://db/m?password=hunter2"):
        config.write_text(f'state = "{url}"\n')
        with pytest.raises(ConfigError, match="never put a password in the config") as caught:
            load(config)
        assert "hunter2" not in str(caught.value)


def test_the_url_and_password_source_are_read(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'state = "postgresql://monitor@db.example:5433/news"\n'
        '[postgresql]\npassword_env = "PGPW"\ncache_dir = "/var/cache/monitor"\n'
    )
    settings = load(config)
    assert settings.state == PostgresTarget(
        "postgresql://monitor@db.example:5433/news", str(config), Path("/var/cache/monitor"),
        password_env="PGPW",
    )  # fmt: skip
    assert settings.cache_dir == Path("/var/cache/monitor")
    config.write_text('state = "state/monitor.db"\n[postgresql]\npassword_env = "PGPW"\n')
    with pytest.raises(ConfigError, match="postgresql: only used when state is a postgresql"):
        load(config)


def test_the_same_stories_on_sqlite_and_postgresql(
    cli: Cli, project: Path, pg_target: PostgresTarget
) -> None:
    on_sqlite = stories(cli)
    use_state(project, f'state = "{pg_target.url}"')
    on_postgresql = stories(cli)
    assert on_postgresql == on_sqlite and len(on_sqlite) == 4


def test_run_once_on_postgresql_delivers_once_and_remembers(cli: Cli, pg_project: Path) -> None:
    first = cli("run-once")
    assert first.exit_code == 0, first.output
    assert "4 stories" in first.stdout
    assert len(list((pg_project / "digests").glob("2*.html"))) == 1  # one dated digest
    again = cli("run-once")
    assert again.exit_code == 0, again.output
    assert "Nothing new" in again.stdout
    listed = cli("outbox")
    assert listed.exit_code == 0, listed.output
    assert not (pg_project / "state" / "monitor.db").exists()  # nothing went to SQLite


def test_check_config_reaches_the_server_and_reports_the_schema(cli: Cli, pg_project: Path) -> None:
    before = cli("check-config")
    assert before.exit_code == 0, before.output
    assert "PostgreSQL, reached; empty; `monitor migrate`" in before.stdout
    migrated = cli("migrate")
    assert migrated.exit_code == 0, migrated.output
    assert f"schema 0 -> {SCHEMA_VERSION}." in migrated.stdout
    assert f"schema {SCHEMA_VERSION}, up to date." in cli("migrate").stdout
    after = cli("check-config")
    assert f"PostgreSQL, reached; schema {SCHEMA_VERSION};" in after.stdout


def test_an_unreachable_server_is_exit_1_on_one_line(cli: Cli, project: Path) -> None:
    from conftest_smtp import free_port

    use_state(project, f'state = "postgresql://monitor@127.0.0.1:{free_port()}/monitor"')
    for command in ("check-config", "run-once"):
        result = cli(command)
        assert result.exit_code == 1
        (line,) = result.stderr.splitlines()
        assert "cannot reach the PostgreSQL server" in line


def test_the_password_comes_from_its_source_and_is_checked(
    cli: Cli, project: Path, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = new_database(pg_server)
    try:
        pg_server.admin("CREATE ROLE reader LOGIN PASSWORD 's3cret-pw'")
        pg_server.admin(f'GRANT ALL ON DATABASE "{database}" TO reader')
        pg_server.admin(f'ALTER DATABASE "{database}" OWNER TO reader')
        url = pg_server.url(database, user="reader")
        use_state(project, f'state = "{url}"', '\n[postgresql]\npassword_env = "MONITOR_PG_PW"\n')

        unset = cli("check-config")
        assert unset.exit_code == 2
        assert "password_env: the environment variable MONITOR_PG_PW is not set" in unset.stderr

        monkeypatch.setenv("MONITOR_PG_PW", "wrong")
        wrong = cli("migrate")
        assert wrong.exit_code == 1 and "password authentication failed" in wrong.stderr

        monkeypatch.setenv("MONITOR_PG_PW", "s3cret-pw")
        right = cli("check-config")
        assert right.exit_code == 0, right.output
        assert "password from $MONITOR_PG_PW" in right.stdout
        assert "s3cret-pw" not in right.output
        assert cli("run-once").exit_code == 0
    finally:
        drop_database(pg_server, database)
        pg_server.admin("DROP ROLE IF EXISTS reader")


def test_run_once_names_the_holder_of_the_advisory_lock_and_goes_on_after_its_death(
    cli: Cli, pg_project: Path, pg_target: PostgresTarget
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom monitor import lock\nfrom monitor.config import load\n"
         "with lock.hold(load(__import__('pathlib').Path(sys.argv[1])).state, 'run'):\n"
         "    print('held', flush=True); time.sleep(60)",
         str(pg_project / "config.toml")],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        refused = cli("run-once")
        assert refused.exit_code == 1
        (line,) = refused.stderr.splitlines()
        assert f"monitor run pid {holder.pid} on " in line and "already processing" in line
        holder.kill()  # SIGKILL: the server ends its session and drops the lock
        holder.wait()
        allowed = cli("run-once")
        assert allowed.exit_code == 0, allowed.output
    finally:
        holder.kill()
    with Store(pg_target, readonly=True) as store:
        assert store.counts()["new"] == 4


def test_an_sqlite_state_moves_into_postgresql_losing_nothing(
    cli: Cli, project: Path, pg_target: PostgresTarget
) -> None:
    first = cli("run-once")
    assert first.exit_code == 0 and "4 stories" in first.stdout, first.output
    sqlite_state = project / "state" / "monitor.db"
    with Store(sqlite_state, readonly=True) as old:
        before = (old.counts(), old.pending_digests(), old.last_digest_run(), old.feed_states())
        stories = [s.item.id for s in old.judgements()]

    use_state(project, f'state = "{pg_target.url}"')
    moved = cli("migrate", "--from", str(sqlite_state))
    assert moved.exit_code == 0, moved.output
    assert "4 stories, 1 digests, 4 digest_stories, 1 digest_runs." in moved.stdout
    with Store(pg_target, readonly=True) as new:
        after = (new.counts(), new.pending_digests(), new.last_digest_run(), new.feed_states())
        assert [s.item.id for s in new.judgements()] == stories
        leads = [i for i in stories if new.judgement(i).story_id == i]
        assert len(leads) == 4 and new.undelivered_stories() == []
        assert {new.story_digest(i)[1] for i in leads} == {"sent"}  # delivered, as before
    assert after == before

    again = cli("run-once")  # the moved state knows everything: nothing is new
    assert again.exit_code == 0 and "Nothing new" in again.stdout, again.output
    refused = cli("migrate", "--from", str(sqlite_state))
    assert refused.exit_code == 1 and "not empty" in refused.stderr


def test_claims_skip_what_another_worker_holds_and_workers_shows_who_holds_what(
    cli: Cli, pg_project: Path, pg_target: PostgresTarget
) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    feeds = [f"feed:http://example.org/{n}" for n in range(10)]
    lease, interval = timedelta(minutes=5), timedelta(minutes=60)
    with Store(pg_target) as a, Store(pg_target) as b:
        with a.transaction(exclusive=False):  # the feeds' lease rows exist (limit 0: no claim)
            assert (
                a.claim_feeds("hostA:1", feeds, now, lease=lease, interval=interval, limit=0) == []
            )
        with a.transaction(exclusive=False):
            a.heartbeat("hostA:1", "hostA", 1, now, "polling")
            mine = a.claim_feeds("hostA:1", feeds, now, lease=lease, interval=interval, limit=4)
            # A second worker claiming while the first's claim is still open skips its rows.
            with b.transaction(exclusive=False):
                b.heartbeat("hostB:2", "hostB", 2, now, None)
                theirs = b.claim_feeds(
                    "hostB:2", feeds, now, lease=lease, interval=interval, limit=10
                )
        assert len(mine) == 4 and len(theirs) == 6 and not set(mine) & set(theirs)
        with a.transaction(exclusive=False):
            assert a.release_feeds("hostA:1", mine, now) == 4
            # Polled just now: not due again within the interval, for anyone.
            assert (
                a.claim_feeds("hostA:1", feeds, now, lease=lease, interval=interval, limit=10) == []
            )
        later = now + lease + timedelta(seconds=1)  # B died: its leases have expired
        with a.transaction(exclusive=False):
            taken = a.claim_feeds("hostA:1", feeds, later, lease=lease, interval=interval, limit=10)
        assert sorted(taken) == sorted(theirs)
        with a.transaction():  # hostB:2 took the judging lead
            assert a.start_judging_term("hostB:2", now) == 1
    listed = cli("workers")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert any(line.startswith("hostA:1 ") and "polling, 6 feed leases" in line for line in lines)
    assert any(line.startswith("hostB:2 ") and "idle, 0 feed leases" in line for line in lines)
    (leader,) = [line for line in lines if "judging leader (term 1 since" in line]
    assert leader.startswith("hostB:2 ")
    as_json = json.loads(cli("workers", "--json").stdout)
    assert {w["id"]: w["leads_judging"] for w in as_json} == {"hostA:1": False, "hostB:2": True}


def test_the_lock_holder_named_is_the_one_on_this_database_not_on_another(
    pg_server: PgServer, pg_target: PostgresTarget, tmp_path: Path
) -> None:
    # Two monitors on one server, each with its own database: the same lock key.
    other = new_database(pg_server)
    try:
        elsewhere = target_for(pg_server, other, tmp_path / "other-cache")
        with (
            hold_process_lock(elsewhere, "run-once"),
            hold_process_lock(pg_target, "run"),
            pytest.raises(LockedError) as refused,
            hold_process_lock(pg_target, "run-once"),
        ):
            pass
        assert "monitor run pid " in str(refused.value), refused.value
        assert "monitor run-once pid " not in str(refused.value)
        # The other database's lock does not stop this one's run either.
        with hold_process_lock(elsewhere, "run-once"), hold_process_lock(pg_target, "run-once"):
            pass
    finally:
        drop_database(pg_server, other)
