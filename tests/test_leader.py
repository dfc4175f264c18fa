"""The judging leader on a real PostgreSQL server: workers prepare, one leader judges.

Each "worker" and "leader" here is a Store connection (and a Leadership with its
own lock connection) of its own, as separate processes would have.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pgcluster
import pytest
from conftest import REPO, seed_text
from conftest_pg import (
    new_database,
    pg_server,
    pg_target,
    start_cluster,
    stop_cluster,
    target_for,
)

from monitor.config import load
from monitor.leader import Leadership
from monitor.model import Document
from monitor.pipeline import DUPLICATE, PENDING, Collection, RunStats, judge, keep_prepared
from monitor.settings import PostgresTarget, Settings
from monitor.store import Store

__all__ = ["pg_server", "pg_target"]  # fixtures, used by name

NOW = datetime(2025, 5, 13, 9, 0, tzinfo=UTC)
SEEDS = ("000", "001", "002", "003")


def settings_on(target: PostgresTarget) -> Settings:
    return replace(load(REPO / "config.toml"), state=target)


def documents(tag: str, seeds: tuple[str, ...] = SEEDS) -> list[Document]:
    """The seeds as feed entries of one outlet; another ``tag`` republishes the same stories."""
    return [
        Document(
            f"feed:{tag}",
            f"Outlet {tag}",
            f"{tag}-{seed}",
            seed_text(seed),
            "text",
            NOW,
            url=f"https://{tag}.example/{seed}",
        )
        for seed in seeds
    ]


def prepare_on(target: PostgresTarget, settings: Settings, docs: list[Document]) -> None:
    """A worker's poll: prepared and kept pending, without the exclusive write lock."""
    with Store(target) as worker, worker.transaction(exclusive=False):
        keep_prepared(Collection(tuple(docs), ()), worker, settings, NOW, RunStats())


def pending_rows(target: PostgresTarget) -> dict[str, tuple[str, str, bytes]]:
    with Store(target, readonly=True) as store:
        rows = store.db.execute(
            "SELECT id, status, relevance_json, fingerprint FROM items WHERE fingerprint"
            " IS NOT NULL"
        ).fetchall()
    return {row[0]: (row[1], row[2], bytes(row[3])) for row in rows}


def refuse_per_document_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, extraction, relevance scoring and fingerprinting fail in this process."""
    import monitor.extract
    import monitor.fingerprint
    import monitor.novelty
    import monitor.pipeline
    import monitor.prepare
    import monitor.relevance

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the leader redid per-document work")

    for module, name in (
        (monitor.extract, "extract"), (monitor.prepare, "extract"),
        (monitor.relevance, "score"), (monitor.prepare, "relevance_score"),
        (monitor.pipeline, "prepare_document"), (monitor.novelty, "fingerprint_texts"),
        (monitor.fingerprint, "fingerprint_texts"),
    ):  # fmt: skip
        monkeypatch.setattr(module, name, refuse)


def test_the_leader_judges_what_a_worker_prepared_with_the_worker_s_evidence(
    pg_target: PostgresTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_on(pg_target)
    prepare_on(pg_target, settings, documents("a") + documents("b", ("000", "002")))
    prepared = pending_rows(pg_target)
    assert prepared and {status for status, _, _ in prepared.values()} == {PENDING}

    refuse_per_document_work(monkeypatch)
    leader = Leadership(settings, "leader-b")
    try:
        with Store(pg_target) as store:
            stats = RunStats()
            assert leader.judge(store, NOW, stats) == len(prepared)
    finally:
        leader.close()
    judged = pending_rows(pg_target)
    assert set(judged) == set(prepared)
    for item_id, (status, relevance, fingerprint) in judged.items():
        assert status != PENDING
        # The evidence is the worker's, as it computed it: relevance and fingerprint unchanged.
        assert (relevance, fingerprint) == prepared[item_id][1:]
    # Outlet b's two republished reports fold under outlet a's.
    assert stats.by_status.get(DUPLICATE) == 2


def test_only_one_worker_leads_and_the_window_is_kept_until_judging_changes_hands(
    pg_target: PostgresTarget,
) -> None:
    settings = settings_on(pg_target)
    first, second = Leadership(settings, "w1"), Leadership(settings, "w2")
    try:
        with Store(pg_target) as store:
            prepare_on(pg_target, settings, documents("a"))
            assert first.judge(store, NOW, RunStats()) == len(SEEDS)
            assert second.judge(store, NOW, RunStats()) is None  # the first one leads
            assert (first.builds, second.builds) == (1, 0)

            # Later passes add to the kept window: a republished story still folds.
            prepare_on(pg_target, settings, documents("b", ("001",)))
            stats = RunStats()
            assert first.judge(store, NOW + timedelta(minutes=5), stats) == 1
            assert stats.by_status == {DUPLICATE: 1} and first.builds == 1

            # The leader goes; the next one builds its window from the stored fingerprints.
            first.close()
            prepare_on(pg_target, settings, documents("c", ("002",)))
            stats = RunStats()
            assert second.judge(store, NOW + timedelta(minutes=10), stats) == 1
            assert stats.by_status == {DUPLICATE: 1} and second.builds == 1

            # Back to the first: its window missed the second's pass, so it builds again.
            second.close()
            prepare_on(pg_target, settings, documents("d", ("002",)))
            stats = RunStats()
            assert first.judge(store, NOW + timedelta(minutes=15), stats) == 1
            assert stats.by_status == {DUPLICATE: 1} and first.builds == 2

            # Judging outside any leader (run-once) makes the leader build again too.
            with store.transaction():
                collection = Collection(tuple(documents("e", ("003",))), ())
                judge(collection, store, settings, NOW, RunStats())
            prepare_on(pg_target, settings, documents("f", ("003",)))
            stats = RunStats()
            assert first.judge(store, NOW + timedelta(minutes=20), stats) == 1
            assert stats.by_status == {DUPLICATE: 1} and first.builds == 3
    finally:
        first.close()
        second.close()


def test_after_a_server_restart_the_locks_are_taken_again_and_never_twice(
    tmp_path: Path,
) -> None:
    from monitor.errors import LockedError
    from monitor.store import postgres

    server, directory = start_cluster()  # private: restarting it disturbs no other test
    try:
        target = target_for(server, new_database(server), tmp_path / "cache")
        settings = settings_on(target)
        first, second = Leadership(settings, "w1"), Leadership(settings, "w2")
        with postgres.hold_process_lock(target, "run", shared=True) as process:
            prepare_on(target, settings, documents("a"))
            with Store(target) as store:
                assert first.judge(store, NOW, RunStats()) == len(SEEDS)
            assert server.directory is not None
            pgcluster.restart(server.directory)  # every session, and its locks, is gone

            # The processing lock: lost, taken again; `run-once` is refused once more.
            assert not process.held()
            assert process.take()
            with pytest.raises(LockedError), postgres.hold_process_lock(target, "run-once"):
                pass

            # The lead: the first leader reconnects and leads again; the second cannot.
            prepare_on(target, settings, documents("b", ("000",)))
            with Store(target) as store:
                stats = RunStats()
                assert first.judge(store, NOW + timedelta(minutes=1), stats) == 1
                assert second.judge(store, NOW + timedelta(minutes=1), RunStats()) is None
            # Nobody else judged meanwhile, so its window was kept, and it still folds.
            assert stats.by_status == {DUPLICATE: 1} and first.builds == 1
        first.close()
        second.close()
    finally:
        stop_cluster(directory)
