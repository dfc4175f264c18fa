"""`monitor feeds`: list, add (with discovery), remove, import and export OPML."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from click.testing import CliRunner, Result
from conftest_feeds import NOW, FeedServer, feed_server, make_settings, poll, rss

from monitor.cli import main
from monitor.sources.opml import read_opml
from monitor.store import Store

__all__ = ["feed_server"]  # fixture, used by name

CONFIG_HEAD = (
    '# my monitor\nstate = "state/monitor.db"\ncorpus = []\n\n[fetch]\ntotal_timeout = 2\n'
)


def _cli(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), "feeds", *args])


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG_HEAD + extra, encoding="utf-8")
    return path


def test_every_feeds_command_has_help(tmp_path: Path) -> None:
    for command in ([], ["list"], ["add"], ["remove"], ["refresh"], ["import"], ["export"]):
        result = _cli(tmp_path / "none.toml", *command, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_add_discovers_the_feed_a_page_advertises_and_remove_takes_it_out(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.static("/blog/feed.xml", rss("Blog", [("Post", "https://b.example/1")]))
    page = feed_server.static(
        "/blog/",
        b'<html><head><link rel="alternate" type="application/rss+xml" href="feed.xml"></head>',
        content_type="text/html",
    )
    config = _config(tmp_path)
    added = _cli(config, "add", page, "--name", "My blog")
    assert added.exit_code == 0, added.output
    feed_url = feed_server.url("/blog/feed.xml")
    assert f"it advertises the feed {feed_url}" in added.output
    text = config.read_text(encoding="utf-8")
    assert text.startswith(CONFIG_HEAD)  # comments and the rest kept
    assert tomllib.loads(text)["feeds"] == [{"url": feed_url, "name": "My blog"}]

    again = _cli(config, "add", feed_url)
    assert again.exit_code == 2 and "already followed" in again.output

    removed = _cli(config, "remove", feed_url)
    assert removed.exit_code == 0, removed.output
    assert config.read_text(encoding="utf-8") == CONFIG_HEAD
    missing = _cli(config, "remove", feed_url)
    assert missing.exit_code == 2 and "not among the configured feeds" in missing.output


def test_add_refuses_what_is_not_a_feed(feed_server: FeedServer, tmp_path: Path) -> None:
    config = _config(tmp_path)
    page = feed_server.static("/page", b"<html><body>hi</body></html>", content_type="text/html")
    result = _cli(config, "add", page)
    assert result.exit_code == 1
    assert f"{page}: is a web page that advertises no feed" in result.output
    assert _cli(config, "add", "ftp://example.com/feed").exit_code == 2
    assert config.read_text(encoding="utf-8") == CONFIG_HEAD


def test_opml_round_trip_and_opml_backed_add_remove(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    source = tmp_path / "elsewhere.opml"
    source.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>'
        '<outline text="News"><outline text="One" xmlUrl="https://one.example/rss"/>'
        '<outline title="Two" text="2" xmlUrl="https://two.example/atom" weight="2.5"/></outline>'
        '<outline text="Not a feed" htmlUrl="https://three.example/"/></body></opml>',
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    config.write_text(
        CONFIG_HEAD.replace("corpus = []\n", 'corpus = []\nfeeds_opml = "feeds.opml"\n')
        + '\n[[feeds]]\nurl = "https://one.example/rss"\n',
        encoding="utf-8",
    )
    imported = _cli(config, "import", str(source))
    assert imported.exit_code == 0, imported.output
    assert "Imported 1 feeds" in imported.output and "1 already followed" in imported.output
    listed, _ = read_opml(tmp_path / "feeds.opml")
    assert [(f.url, f.name, f.weight, f.tags) for f in listed] == [
        ("https://two.example/atom", "Two", 2.5, ("News",))
    ]

    exported = _cli(config, "export")
    assert exported.exit_code == 0
    out = tmp_path / "out.opml"
    out.write_text(exported.output, encoding="utf-8")
    assert [f.url for f in read_opml(out)[0]] == [
        "https://one.example/rss",
        "https://two.example/atom",
    ]

    added = _cli(config, "add", "--no-check", "https://four.example/feed")
    assert added.exit_code == 0 and "feeds.opml" in added.output
    removed = _cli(config, "remove", "https://two.example/atom")
    assert removed.exit_code == 0
    assert [f.url for f in read_opml(tmp_path / "feeds.opml")[0]] == ["https://four.example/feed"]


def test_list_shows_health(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.static("/new.xml", rss("Moved feed", [("Entry", "https://m.example/1")]))
    moved = feed_server.redirect("/old.xml", 301, "/new.xml")
    broken = feed_server.static("/broken.xml", b"no", status=503, content_type="text/plain")
    settings = make_settings(tmp_path, [moved, broken])
    with Store(settings.state) as store:
        poll(settings, store, NOW)
    with settings.path.open("a", encoding="utf-8") as config:
        config.write('\n[[feeds]]\nurl = "https://never.example/feed"\n')
    result = _cli(settings.path, "list")
    assert result.exit_code == 0, result.output
    assert "Moved feed  [active]" in result.output
    assert f"moved permanently: now fetched from {feed_server.url('/new.xml')}" in result.output
    assert "items seen: 1" in result.output
    assert "last error: HTTP 503 Service Unavailable (1 in a row)" in result.output
    assert "https://never.example/feed" in result.output

    rows = json.loads(_cli(settings.path, "list", "--json").output)
    by_url = {row["url"]: row for row in rows}
    assert by_url[broken]["status"] == "failing" and by_url[broken]["next_attempt"]
    assert by_url["https://never.example/feed"]["status"] == "new"


def test_remove_refuses_a_feed_it_cannot_find_as_a_plain_table(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    original = CONFIG_HEAD.replace(
        "corpus = []\n", 'corpus = []\nfeeds = [{ url = "https://inline.example/rss" }]\n'
    )
    config.write_text(original, encoding="utf-8")
    result = _cli(config, "remove", "https://inline.example/rss")
    assert result.exit_code == 2
    assert "cannot find a plain [[feeds]] table" in result.output
    assert config.read_text(encoding="utf-8") == original
    added = _cli(config, "add", "--no-check", "https://other.example/rss")
    assert added.exit_code == 2 and "would make the config invalid" in added.output
    assert config.read_text(encoding="utf-8") == original
