"""HTTP behaviour of the feed source against a real server on 127.0.0.1.

Every test polls a good feed in the same run and checks it was still processed.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from conftest_feeds import (
    FAST,
    GOOD_FEED,
    NOW,
    SHORT_TIMEOUTS,
    FeedServer,
    feed_server,
    good_feed_ok,
    make_settings,
    poll,
    rss,
    store,
    titles,
)

from monitor.sources import feedprepare, feeds
from monitor.sources.fetch import BACKOFF_BASE_SECONDS
from monitor.store import Store

__all__ = ["feed_server", "store"]  # fixtures, used by name

LIMIT = FAST.max_bytes


def _state(store: Store, url: str):  # type: ignore[no-untyped-def]
    return store.feed_states()[f"feed:{url}"]


def test_user_agent_and_compression_are_offered(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    run = poll(make_settings(tmp_path, [feed_server.url("/good.xml")]), store)
    assert good_feed_ok(run, feed_server)
    headers = feed_server.hits[0].headers
    assert headers["user-agent"].startswith("monitor/")
    assert "gzip" in headers["accept-encoding"] and "deflate" in headers["accept-encoding"]


def test_conditional_get_304_costs_no_parse(
    feed_server: FeedServer, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = rss("Cond", [("Conditional entry", "https://c.example/1")])
    cond = feed_server.conditional("/cond.xml", body, '"v1"', "Sun, 01 Mar 2026 12:00:00 GMT")
    settings = make_settings(tmp_path, [cond, feed_server.url("/good.xml")])
    first = poll(settings, store)
    assert "Conditional entry" in titles(first, cond)
    assert _state(store, cond).etag == '"v1"'

    parsed: list[str] = []
    real = feedprepare.parse_feed

    def counting(body: bytes, **options: str) -> object:
        parsed.append(str(options["url"]))
        return real(body, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(feedprepare, "parse_feed", counting)
    second = poll(settings, store, NOW + timedelta(hours=1))
    revalidation = [h for h in feed_server.hits if h.path == "/cond.xml"][-1]
    assert revalidation.headers["if-none-match"] == '"v1"'
    assert revalidation.headers["if-modified-since"] == "Sun, 01 Mar 2026 12:00:00 GMT"
    assert parsed == [feed_server.url("/good.xml")]  # the 304 was never parsed
    assert titles(second, cond) == []
    assert _state(store, cond).etag == '"v1"'
    assert _state(store, cond).last_success == NOW + timedelta(hours=1)
    assert good_feed_ok(second, feed_server)


def test_301_updates_the_stored_url_and_302_does_not(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    feed_server.static("/new.xml", rss("Moved", [("Moved entry", "https://m.example/1")]))
    moved = feed_server.redirect("/old.xml", 301, "/new.xml")
    feed_server.static("/target.xml", rss("Temp", [("Temp entry", "https://t.example/1")]))
    temporary = feed_server.redirect("/temp.xml", 302, feed_server.url("/target.xml"))
    settings = make_settings(tmp_path, [moved, temporary, feed_server.url("/good.xml")])

    run = poll(settings, store)
    assert "Moved entry" in titles(run, moved) and "Temp entry" in titles(run, temporary)
    assert _state(store, moved).url == feed_server.url("/new.xml")
    assert _state(store, moved).configured_url == moved
    assert _state(store, temporary).url == temporary
    assert good_feed_ok(run, feed_server)

    feed_server.hits.clear()
    again = poll(settings, store, NOW + timedelta(hours=1))
    assert "/old.xml" not in feed_server.paths() and "/new.xml" in feed_server.paths()
    assert "/temp.xml" in feed_server.paths()
    assert good_feed_ok(again, feed_server)


def test_redirect_loops_long_chains_and_unsafe_targets_are_errors(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    loop = feed_server.redirect("/loop-a", 302, "/loop-b")
    feed_server.redirect("/loop-b", 307, "/loop-a")
    for hop in range(6):
        feed_server.redirect(f"/hop{hop}", 302, f"/hop{hop + 1}")
    feed_server.static("/hop6", GOOD_FEED)
    feed_server.redirect("/five0", 308, "/hop2")  # five hops to /hop6: allowed
    metadata = feed_server.redirect("/meta", 302, "http://169.254.169.254/latest/meta-data/")
    local_file = feed_server.redirect("/file", 302, "file:///etc/passwd")
    urls = [loop, feed_server.url("/hop0"), feed_server.url("/five0"), metadata, local_file]
    run = poll(make_settings(tmp_path, [*urls, feed_server.url("/good.xml")]), store)
    problems = "\n".join(run.problems)
    assert f"{loop}: redirect loop" in problems
    assert f"{feed_server.url('/hop0')}: more than 5 redirects" in problems
    assert titles(run, feed_server.url("/five0")) == ["SoftBank invests in AI"]
    assert f"{metadata}: refused to fetch http://169.254.169.254" in problems
    assert f"{local_file}: refused to fetch file:///etc/passwd: only http and https" in problems
    assert good_feed_ok(run, feed_server)


def test_410_disables_the_feed(feed_server: FeedServer, tmp_path: Path, store: Store) -> None:
    gone = feed_server.static("/gone.xml", b"gone", status=410, content_type="text/plain")
    settings = make_settings(tmp_path, [gone, feed_server.url("/good.xml")])
    run = poll(settings, store)
    assert f"{gone}: HTTP 410 Gone; feed disabled" in run.problems
    state = _state(store, gone)
    assert state.status == "gone" and state.next_attempt is None
    assert "410 Gone" in (state.status_note or "")
    assert good_feed_ok(run, feed_server)

    feed_server.hits.clear()
    later = poll(settings, store, NOW + timedelta(days=30))
    assert "/gone.xml" not in feed_server.paths()
    assert good_feed_ok(later, feed_server)


def test_404_and_5xx_back_off_exponentially_up_to_the_cap(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    broken = feed_server.static("/broken.xml", b"oops", status=500, content_type="text/plain")
    missing = feed_server.url("/missing.xml")  # 404
    fetch = dataclasses.replace(FAST, max_backoff_hours=6.0)
    settings = make_settings(tmp_path, [broken, missing, feed_server.url("/good.xml")], fetch=fetch)
    now, delays = NOW, []
    for _ in range(6):
        run = poll(settings, store, now)
        assert good_feed_ok(run, feed_server)
        state = _state(store, broken)
        assert state.next_attempt is not None
        delays.append((state.next_attempt - now).total_seconds())
        # Not due a second before: skipped, no request.
        feed_server.hits.clear()
        poll(settings, store, state.next_attempt - timedelta(seconds=1))
        assert "/broken.xml" not in feed_server.paths()
        now = state.next_attempt
    assert BACKOFF_BASE_SECONDS * 0.75 <= delays[0] <= BACKOFF_BASE_SECONDS
    assert delays[0] < delays[1] < delays[2] < delays[3]
    assert all(delay <= 6 * 3600 for delay in delays)
    assert delays[-1] >= 0.75 * 6 * 3600
    assert _state(store, broken).failures == 6
    assert _state(store, broken).last_error == "HTTP 500 Internal Server Error"
    assert _state(store, missing).failures >= 4
    assert _state(store, missing).last_error == "HTTP 404 Not Found"


def test_429_and_503_honour_retry_after(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    limited = feed_server.static(
        "/limited.xml", b"slow down", status=429, headers={"Retry-After": "120"}
    )
    later = format_datetime(NOW + timedelta(hours=3), usegmt=True)
    busy = feed_server.static("/busy.xml", b"busy", status=503, headers={"Retry-After": later})
    settings = make_settings(tmp_path, [limited, busy, feed_server.url("/good.xml")])
    run = poll(settings, store)
    assert _state(store, limited).next_attempt == NOW + timedelta(seconds=120)
    assert _state(store, busy).next_attempt == NOW + timedelta(hours=3)
    assert "HTTP 429" in "\n".join(run.problems)
    assert good_feed_ok(run, feed_server)


def _zeros(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    block = b"\0" * chunk
    for _ in range(total // chunk):
        yield block


def _compressed_zeros(total: int, wbits: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return b"".join(packer.compress(block) for block in _zeros(total)) + packer.flush()


def _bounded_poll(settings: object, store: Store) -> tuple[feeds.FeedRun, int]:
    tracemalloc.start()
    try:
        run = poll(settings, store)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return run, peak


def test_a_50_mb_body_stops_at_the_limit_with_bounded_memory(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    huge = feed_server.stream(
        "/huge.xml", lambda: _zeros(50 * 1024 * 1024), {"Content-Type": "application/rss+xml"}
    )
    declared = feed_server.stream(
        "/declared.xml",
        lambda: _zeros(50 * 1024 * 1024),
        {"Content-Type": "application/rss+xml", "Content-Length": str(50 * 1024 * 1024)},
    )
    settings = make_settings(tmp_path, [huge, declared, feed_server.url("/good.xml")])
    run, peak = _bounded_poll(settings, store)
    problems = "\n".join(run.problems)
    assert f"{huge}: body is over the {LIMIT:,}-byte limit" in problems
    assert f"{declared}: body of 52,428,800 bytes is over the {LIMIT:,}-byte limit" in problems
    assert peak < 8 * LIMIT
    assert good_feed_ok(run, feed_server)


@pytest.mark.parametrize(
    ("coding", "wbits"), [("gzip", zlib.MAX_WBITS | 16), ("deflate", zlib.MAX_WBITS)]
)
def test_a_compression_bomb_stops_at_the_limit(
    feed_server: FeedServer, tmp_path: Path, store: Store, coding: str, wbits: int
) -> None:
    bomb = _compressed_zeros(64 * 1024 * 1024, wbits)  # 64 MB of zeros in ~64 KB
    assert len(bomb) < LIMIT
    url = feed_server.static(f"/bomb-{coding}.xml", bomb, headers={"Content-Encoding": coding})
    run, peak = _bounded_poll(make_settings(tmp_path, [url, feed_server.url("/good.xml")]), store)
    assert f"{url}: body is over the {LIMIT:,}-byte limit once decompressed" in "\n".join(
        run.problems
    )
    assert peak < 8 * LIMIT
    assert good_feed_ok(run, feed_server)


def test_a_brotli_bomb_stops_at_the_limit(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    brotli = pytest.importorskip("brotli")
    bomb = brotli.compress(b"\0" * (64 * 1024 * 1024), quality=5)
    url = feed_server.static("/bomb.br", bomb, headers={"Content-Encoding": "br"})
    run, peak = _bounded_poll(make_settings(tmp_path, [url, feed_server.url("/good.xml")]), store)
    assert f"{url}: body is over the {LIMIT:,}-byte limit once decompressed" in run.problems[0]
    assert peak < 8 * LIMIT
    assert good_feed_ok(run, feed_server)


def test_gzip_within_the_limit_is_decoded(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    body = packer.compress(rss("Zipped", [("Zipped entry", "https://z.example/1")]))
    url = feed_server.static(
        "/zipped.xml", body + packer.flush(), headers={"Content-Encoding": "gzip"}
    )
    run = poll(make_settings(tmp_path, [url, feed_server.url("/good.xml")]), store)
    assert titles(run, url) == ["Zipped entry"]
    assert good_feed_ok(run, feed_server)


def _trickle(request: BaseHTTPRequestHandler, *, in_headers: bool) -> None:
    stop = time.monotonic() + 10
    try:
        request.wfile.write(b"HTTP/1.0 200 OK\r\n")
        if not in_headers:
            request.wfile.write(b"Content-Type: application/rss+xml\r\n\r\n<rss>")
        while time.monotonic() < stop:
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def test_a_trickling_server_is_cut_off_by_the_total_timeout(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    body = feed_server.route("/trickle-body", lambda r: _trickle(r, in_headers=False))
    headers = feed_server.route("/trickle-headers", lambda r: _trickle(r, in_headers=True))
    settings = make_settings(
        tmp_path, [body, headers, feed_server.url("/good.xml")], fetch=SHORT_TIMEOUTS
    )
    started = time.monotonic()
    run = poll(settings, store)
    assert time.monotonic() - started < SHORT_TIMEOUTS.total_timeout + 2
    problems = "\n".join(run.problems)
    assert f"{body}: timed out after 1.5 s" in problems
    assert f"{headers}: timed out after 1.5 s" in problems
    assert good_feed_ok(run, feed_server)


def test_per_host_concurrency_is_bounded(
    tmp_path: Path, store: Store, feed_server: FeedServer
) -> None:
    active, peak, lock = [0], [0], threading.Lock()

    def slow(request: BaseHTTPRequestHandler) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1
        body = rss("Slow", [("Slow entry", f"https://s.example{request.path}")])
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    urls = [feed_server.route(f"/slow{i}.xml", slow) for i in range(6)]
    fetch = dataclasses.replace(FAST, per_host=2)
    run = poll(make_settings(tmp_path, [*urls, feed_server.url("/good.xml")], fetch=fetch), store)
    assert peak[0] == 2
    assert titles(run).count("Slow entry") == 6
    assert good_feed_ok(run, feed_server)


def test_a_cookie_set_on_a_redirect_hop_is_sent_on_the_next(
    feed_server: FeedServer, tmp_path: Path, store: Store
) -> None:
    # A consent wall: a hop sets a cookie, and the feed itself is served only with it.
    body = rss("Behind a wall", [("Entry behind the consent wall", "https://w.example/1")])

    def walled_feed(request: BaseHTTPRequestHandler) -> None:
        allowed = "consent=yes" in (request.headers.get("Cookie") or "")
        request.send_response(200 if allowed else 403)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(body) if allowed else 0))
        request.end_headers()
        if allowed:
            request.wfile.write(body)

    def consent(request: BaseHTTPRequestHandler) -> None:
        request.send_response(302)
        request.send_header("Set-Cookie", "consent=yes; Path=/")
        request.send_header("Location", "/walled.xml")
        request.send_header("Content-Length", "0")
        request.end_headers()

    feed_server.route("/walled.xml", walled_feed)
    gate = feed_server.route("/consent", consent)
    run = poll(make_settings(tmp_path, [gate, feed_server.url("/good.xml")]), store)
    assert titles(run, gate) == ["Entry behind the consent wall"]
    assert good_feed_ok(run, feed_server)
