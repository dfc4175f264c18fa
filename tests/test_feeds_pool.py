"""Many feeds at once: parsing moves to worker processes, results are the same."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
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


def test_a_poll_in_which_every_feed_answers_304_starts_no_worker_process(
    feed_server: FeedServer, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [
        feed_server.conditional(
            f"/c{i}.xml", rss(f"Feed {i}", [(f"Entry {i}", f"https://c.example/{i}")]),
            f'"etag-{i}"', "Mon, 01 Jan 2024 00:00:00 GMT",
        )
        for i in range(feeds.POOL_MIN_FEEDS + 2)
    ]  # fmt: skip
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
