"""Failing feeds do not go quiet: skipped feeds are named with the time of their next attempt,
run-once exits 1 when every source failed, `feeds refresh` / `run-once --force` poll feeds in
backoff now, and a connection reset is called that."""

from __future__ import annotations

import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from click.testing import CliRunner, Result
from conftest_feeds import GOOD_FEED, NOW, FeedServer, feed_server, make_settings, poll, rss

from monitor.cli import main

__all__ = ["feed_server"]  # fixture, used by name

HEAD = 'state = "state/monitor.db"\ncorpus = []\n\n[fetch]\ntotal_timeout = 3\n'


def config(tmp_path: Path, *urls: str, corpus: str = "[]") -> Path:
    path = tmp_path / "config.toml"
    text = HEAD.replace("corpus = []", f"corpus = {corpus}")
    for number, url in enumerate(urls, 1):
        text += f'\n[[feeds]]\nurl = "{url}"\nname = "Feed {number}"\n'
    path.write_text(text, encoding="utf-8")
    return path


def monitor(path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(path), *args])


def broken(server: FeedServer) -> str:
    return server.static("/broken.xml", b"down", status=500, content_type="text/plain")


def test_a_feed_in_backoff_is_named_with_its_next_attempt(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    bad = broken(feed_server)
    path = config(tmp_path, feed_server.url("/good.xml"), bad)
    first = monitor(path, "run-once")
    assert first.exit_code == 0, first.output
    assert f"{bad}: HTTP 500 Internal Server Error (failure 1; next attempt" in first.stderr

    second = monitor(path, "run-once")
    assert second.exit_code == 0, second.output
    assert feed_server.paths().count("/broken.xml") == 1  # backing off: not fetched again
    (line,) = [line for line in second.stderr.splitlines() if "skipped until" in line]
    assert bad in line
    assert "backing off after 1 failure; last error: HTTP 500 Internal Server Error" in line
    assert "`monitor feeds refresh` polls it now" in line


def test_run_once_exits_1_when_every_source_failed(feed_server: FeedServer, tmp_path: Path) -> None:
    path = config(tmp_path, broken(feed_server), corpus='["missing"]')
    first = monitor(path, "run-once")
    assert first.exit_code == 1, first.output
    assert "every source failed" in first.stderr
    # Still failing while it backs off: a timer keeps alerting.
    again = monitor(path, "run-once")
    assert again.exit_code == 1 and "skipped until" in again.stderr
    # One source working is enough for success.
    path = config(tmp_path, broken(feed_server), feed_server.url("/good.xml"))
    assert monitor(path, "run-once").exit_code == 0


def test_feeds_refresh_polls_a_feed_in_backoff_now(feed_server: FeedServer, tmp_path: Path) -> None:
    bad = broken(feed_server)
    path = config(tmp_path, feed_server.url("/good.xml"), bad)
    assert monitor(path, "run-once").exit_code == 0
    feed_server.static("/broken.xml", rss("Back", [("Back again", "https://b.example/1")]))

    refreshed = monitor(path, "feeds", "refresh", "feed 2")  # by name, case ignored
    assert refreshed.exit_code == 0, refreshed.output
    assert refreshed.stdout == "Feed 2: ok, 1 new items\n"
    assert feed_server.paths().count("/broken.xml") == 2
    assert feed_server.paths().count("/good.xml") == 1  # only the feed asked for
    listed = monitor(path, "feeds", "list")
    assert "Feed 2  [active]" in listed.stdout

    unknown = monitor(path, "feeds", "refresh", "nothing like it")
    assert unknown.exit_code == 2 and "no configured feed" in unknown.stderr


def test_feeds_refresh_exits_1_when_the_feed_still_fails(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    bad = broken(feed_server)
    path = config(tmp_path, bad)
    monitor(path, "run-once")
    result = monitor(path, "feeds", "refresh", bad)  # by URL
    assert result.exit_code == 1
    assert "Feed 1: failed: HTTP 500 Internal Server Error; next attempt" in result.stdout
    assert feed_server.paths().count("/broken.xml") == 2


def test_run_once_force_polls_feeds_in_backoff(feed_server: FeedServer, tmp_path: Path) -> None:
    bad = broken(feed_server)
    path = config(tmp_path, feed_server.url("/good.xml"), bad)
    assert monitor(path, "run-once").exit_code == 0
    forced = monitor(path, "run-once", "--force")
    assert forced.exit_code == 0, forced.output
    assert "skipped until" not in forced.stderr
    assert feed_server.paths().count("/broken.xml") == 2
    assert f"{bad}: HTTP 500 Internal Server Error (failure 2;" in forced.stderr


def _reset_mid_body(request: BaseHTTPRequestHandler) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "application/rss+xml")
    request.send_header("Content-Length", str(len(GOOD_FEED) * 10))
    request.end_headers()
    request.wfile.write(GOOD_FEED[:200])
    request.wfile.flush()
    # Give the client time to read the headers, then abort: linger 0 makes close() send RST.
    time.sleep(0.3)
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.connection.close()
    request.close_connection = True


def test_a_connection_reset_says_so_and_when(feed_server: FeedServer, tmp_path: Path) -> None:
    url = feed_server.route("/reset.xml", _reset_mid_body)
    settings = make_settings(tmp_path, [url])
    from monitor.store import Store

    with Store(settings.state) as store:
        run = poll(settings, store, NOW)
    (problem,) = run.problems
    assert "connection reset by peer while reading the body" in problem, problem
    assert "ReadError" not in problem
