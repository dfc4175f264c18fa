"""Fixtures for the feed tests: a real HTTP server on 127.0.0.1, settings and a store.

Import what a test module needs (``from conftest_feeds import feed_server, ...``):
pytest finds fixtures in the module's namespace.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.config import load
from monitor.model import Document
from monitor.settings import FetchSettings, Settings
from monitor.sources import feeds
from monitor.store import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Timeouts far above what a 127.0.0.1 fetch needs even on a loaded machine (the suite runs in
# four processes on two cores); tests of the timeouts themselves use SHORT_TIMEOUTS.
FAST = FetchSettings(
    concurrency=8,
    per_host=4,
    connect_timeout=5.0,
    total_timeout=10.0,
    max_bytes=1024 * 1024,
    backfill_days=2.0,
    max_backoff_hours=24.0,
)
SHORT_TIMEOUTS = dataclasses.replace(FAST, connect_timeout=1.0, total_timeout=1.5)
Handler = Callable[[BaseHTTPRequestHandler], None]


def channel(title: str, items: str) -> bytes:
    """An RSS 2.0 feed around ``items``, raw ``<item>`` XML written by the test."""
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"{items}</channel></rss>"
    ).encode()


def rss(title: str, items: Iterable[tuple[str, str]], *, extra: str = "") -> bytes:
    """A small RSS 2.0 feed; ``items`` are (title, link) pairs, dated 1 March 2026."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link>"
        f"<pubDate>Sun, 01 Mar 2026 12:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;About {t}.&lt;/p&gt;</description></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{extra}<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


# The classic "billion laughs": nine levels of ten references each.
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 2 else "") + ";") * 10}">'
        for n in range(2, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title>'
    "<item><title>&lol9;</title><link>https://l.example/1</link></item></channel></rss>"
).encode()

GOOD_FEED = rss("Good feed", [("SoftBank invests in AI", "https://good.example/a1")])


@dataclass
class Hit:
    path: str
    headers: dict[str, str]


@dataclass
class FeedServer:
    """An HTTP server in a thread: ``route`` maps paths to handlers; ``hits`` lists requests."""

    host: str = "127.0.0.1"
    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    # -- handlers ----------------------------------------------------------------

    def static(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/rss+xml",
        headers: dict[str, str] | None = None,
    ) -> str:
        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)

        return self.route(path, handle)

    def conditional(self, path: str, body: bytes, etag: str, modified: str) -> str:
        def handle(request: BaseHTTPRequestHandler) -> None:
            if request.headers.get("If-None-Match") == etag:
                request.send_response(304)
                request.send_header("ETag", etag)
                request.end_headers()
                return
            request.send_response(200)
            request.send_header("Content-Type", "application/rss+xml")
            request.send_header("ETag", etag)
            request.send_header("Last-Modified", modified)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)

        return self.route(path, handle)

    def redirect(self, path: str, status: int, location: str) -> str:
        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            request.send_header("Location", location)
            request.send_header("Content-Length", "0")
            request.end_headers()

        return self.route(path, handle)

    def stream(
        self, path: str, chunks: Callable[[], Iterator[bytes]], headers: dict[str, str]
    ) -> str:
        """A body of unknown length, written chunk by chunk until the client hangs up."""

        def handle(request: BaseHTTPRequestHandler) -> None:
            request.send_response(200)
            for name, value in headers.items():
                request.send_header(name, value)
            request.end_headers()
            try:
                for chunk in chunks():
                    request.wfile.write(chunk)
                    request.wfile.flush()
            except OSError:
                pass

        return self.route(path, handle)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        owner.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}))
        handler = owner.routes.get(self.path)
        if handler is None:
            self.send_error(404)
            return
        handler(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A fresh HTTP server on 127.0.0.1, serving the GOOD_FEED at /good.xml."""
    server = _Server(("127.0.0.1", 0), _RequestHandler)
    owner = FeedServer(port=server.server_address[1])
    server.owner = owner
    owner.static("/good.xml", GOOD_FEED)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield owner
    server.shutdown()
    server.server_close()


def make_settings(
    directory: Path,
    urls: Iterable[str],
    *,
    fetch: FetchSettings = FAST,
    opml: str | None = None,
) -> Settings:
    """Settings with these feeds in config.toml (and ``feeds_opml`` if given)."""
    lines = ['state = "state/monitor.db"', "corpus = []"]
    if opml:
        lines.append(f'feeds_opml = "{opml}"')
    for url in urls:
        lines += ["", "[[feeds]]", f'url = "{url}"']
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dataclasses.replace(load(path), fetch=fetch)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "state" / "monitor.db") as opened:
        yield opened


def poll(settings: Settings, store: Store, now: datetime = NOW) -> feeds.FeedRun:
    """One cycle as the pipeline runs it: collect, then record documents and feed state."""
    run = feeds.collect(settings, store, now)
    with store.transaction():
        store.record_feed_documents(run.documents, now)
        store.apply_feed_updates(run.updates, now)
    return run


def documents_of(run: feeds.FeedRun, source_url: str) -> list[Document]:
    """The documents a run yielded from the feed configured as ``source_url``."""
    return [d for d in run.documents if d.source_id == f"feed:{source_url}"]


def titles(run: feeds.FeedRun, source_url: str | None = None) -> list[str]:
    """Titles of the documents a run yielded (from one feed, if given)."""
    chosen = run.documents if source_url is None else documents_of(run, source_url)
    return [d.title or "" for d in chosen]


def good_feed_ok(run: feeds.FeedRun, server: FeedServer) -> bool:
    """Whether the good feed, polled in the same run, still yielded its entry."""
    return "SoftBank invests in AI" in titles(run, server.url("/good.xml"))


def wait_until(condition: Callable[[], bool], timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
