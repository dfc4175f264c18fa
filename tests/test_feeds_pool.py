"""Many feeds at once: parsing moves to worker processes, results are the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest_feeds import (
    LAUGHS,
    FeedServer,
    feed_server,
    good_feed_ok,
    make_settings,
    poll,
    rss,
    store,
)

from monitor.sources import feeds
from monitor.store import Store

__all__ = ["feed_server", "store"]  # fixtures, used by name


def test_many_feeds_are_parsed_in_worker_processes(
    feed_server: FeedServer, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    pools: list[object] = []
    real = feeds._workers

    def recording(*args: Any) -> Any:
        workers = real(*args)
        pools.append(workers.pool)
        return workers

    monkeypatch.setattr(feeds, "_workers", recording)
    urls = [
        feed_server.static(
            f"/f{i}.xml",
            rss(f"Feed {i}", [(f"Story {i}-{j}", f"https://p.example/{i}/{j}") for j in range(5)]),
        )
        for i in range(feeds.POOL_MIN_FEEDS + 4)
    ]
    laughs = feed_server.static("/laughs.xml", LAUGHS)
    run = poll(make_settings(tmp_path, [*urls, laughs, feed_server.url("/good.xml")]), store)
    assert pools and pools[0] is not None
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
