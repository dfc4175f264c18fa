"""Many feeds at once: parsing moves to worker processes, results are the same."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

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
    pools: list[Executor | None] = []
    real = feeds._make_pool

    def recording(count: int) -> Executor | None:
        pools.append(real(count))
        return pools[-1]

    monkeypatch.setattr(feeds, "_make_pool", recording)
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
