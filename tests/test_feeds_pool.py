"""Many feeds at once: parsing moves to worker processes, results are the same."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest_feeds import (
    LAUGHS,
    NOW,
    FeedServer,
    feed_server,
    good_feed_ok,
    make_settings,
    poll,
    rss,
    store,
)
from monitor_process import run_monitor

from monitor import prepare
from monitor.prepare import Workers
from monitor.sources import feeds
from monitor.store import Store

__all__ = ["feed_server", "store"]  # fixtures, used by name


def test_many_feeds_are_parsed_in_worker_processes(
    feed_server: FeedServer, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted: list[str] = []
    real = Workers.submit

    def recording(self: Workers, fn: Any, *args: Any) -> Any:
        submitted.append(fn.__name__)
        return real(self, fn, *args)

    monkeypatch.setattr(Workers, "submit", recording)
    urls = [
        feed_server.static(
            f"/f{i}.xml",
            rss(f"Feed {i}", [(f"Story {i}-{j}", f"https://p.example/{i}/{j}") for j in range(5)]),
        )
        for i in range(feeds.POOL_MIN_FEEDS + 4)
    ]
    laughs = feed_server.static("/laughs.xml", LAUGHS)
    run = poll(make_settings(tmp_path, [*urls, laughs, feed_server.url("/good.xml")]), store)
    assert submitted.count("parse_and_prepare") >= len(urls)  # parsed in the pool
    assert good_feed_ok(run, feed_server)
    assert len([d for d in run.documents if d.title and d.title.startswith("Story ")]) == 5 * len(
        urls
    )
    assert next(p for p in run.problems if "entity expansion" in p).startswith(laughs)
    assert all(update.ok for update in run.updates if update.url != laughs)
    # Each entry came back extracted and scored, beside its parse.
    assert len(run.prepared) == len(run.documents)
    for document, prepared in zip(run.documents, run.prepared, strict=True):
        assert prepared is not None and len(prepared.relevance) == len(prepared.stories)
        if document.title and document.title.startswith("Story "):
            assert prepared.stories[0].title == document.title


def test_a_threaded_poll_in_which_every_feed_answers_304_spawns_no_worker_process(
    feed_server: FeedServer, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [
        feed_server.conditional(
            f"/c{i}.xml", rss(f"Feed {i}", [(f"Entry {i}", f"https://c.example/{i}")]),
            f'"etag-{i}"', "Mon, 01 Jan 2024 00:00:00 GMT",
        )
        for i in range(feeds.POOL_MIN_FEEDS + 2)
    ]  # fmt: skip
    # The scheduler's polls run beside its other threads, where workers are spawned (~0.3 s
    # of CPU each), so only a body to parse starts them; a one-thread run-once forks them
    # before its poll instead (milliseconds each).
    settings = make_settings(tmp_path, urls)
    pools: list[object] = []
    real = prepare.ProcessPoolExecutor

    def recording(*args: Any, **kwargs: Any) -> Any:
        pools.append(real(*args, **kwargs))
        return pools[-1]

    monkeypatch.setattr(prepare, "ProcessPoolExecutor", recording)
    first = poll(settings, store)
    assert len(pools) == 1 and len(first.documents) == len(urls)
    again = poll(settings, store, NOW + timedelta(hours=1))
    assert len(pools) == 1  # none started for the second poll
    assert not again.documents and all(update.ok for update in again.updates)


def test_a_process_forks_its_workers_only_while_it_runs_one_thread() -> None:
    # A fork copies every lock as it is; another thread may hold one (logging's, the store's).
    alone = subprocess.run(
        [sys.executable, "-c", "from monitor.prepare import start_method; print(start_method())"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert alone.stdout.split() == ["fork"]
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        assert prepare.start_method() == "spawn"
    finally:
        stop.set()
        beside.join()


def test_run_once_with_forked_workers_judges_as_with_spawned_ones(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    on_topic = "SoftBank Group invests in Japanese AI start-up Sakana AI"
    urls = [
        feed_server.static(
            f"/p{i}.xml",
            rss(f"Feed {i}", [(f"Story {i}-{j}", f"https://q.example/{i}/{j}") for j in range(3)]
                + [(f"{on_topic}, report {i}", f"https://q.example/{i}/sb")]),
        )
        for i in range(feeds.POOL_MIN_FEEDS + 2)
    ]  # fmt: skip
    listed = {}
    for way in ("forked", "spawned"):
        project = tmp_path / way
        project.mkdir()
        make_settings(project, urls)
        as_of = ("--as-of", "2026-08-20T20:00:00Z")
        if way == "forked":  # a process of its own, with one thread: run-once as a user runs it
            run = run_monitor(project, "--debug", "run-once", *as_of)
            assert run.returncode == 0, run.stderr
            assert "worker processes, started by fork" in run.stderr
            listed[way] = run_monitor(project, "items").stdout
        else:  # in this threaded test process (the feed server's thread), like the scheduler
            from monitor.cli import main

            config = ["--config", str(project / "config.toml")]
            assert CliRunner().invoke(main, [*config, "run-once", *as_of]).exit_code == 0
            listed[way] = CliRunner().invoke(main, [*config, "items"]).output
    assert listed["forked"] == listed["spawned"]
    assert listed["forked"].count(on_topic) == feeds.POOL_MIN_FEEDS + 2
    assert listed["forked"].count("Story ") == 3 * (feeds.POOL_MIN_FEEDS + 2)
