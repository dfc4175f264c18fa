"""OPML import and export keep what they are given: one bad outline does not reject the file,
folders and categories become tags (and go back out), and export uses the feed's known title."""

from __future__ import annotations

import tomllib
from pathlib import Path

from click.testing import CliRunner, Result
from conftest_feeds import FeedServer, feed_server, rss

from monitor.cli import main
from monitor.config import load
from monitor.sources.opml import read_opml

__all__ = ["feed_server"]  # fixture, used by name

HEAD = 'state = "state/monitor.db"\ncorpus = []\n\n[fetch]\ntotal_timeout = 3\n'
MIXED = (
    '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
    '<outline text="Japan"><outline text="AI">'
    '<outline text="Sakana" xmlUrl="https://sakana.example/rss" category="/Startups,/Tokyo"/>'
    '<outline text="Evil" xmlUrl="javascript:alert(1)"/>'
    "</outline></outline>"
    '<outline text="Old" xmlUrl="ftp://files.example/feed.xml"/>'
    '<outline text="SoftBank" xmlUrl="https://softbank.example/rss"/>'
    "</body></opml>"
)


def feeds_cli(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), "feeds", *args])


def write_config(tmp_path: Path, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    config.write_text(HEAD + extra, encoding="utf-8")
    return config


def test_import_takes_the_good_outlines_and_names_each_bad_one(tmp_path: Path) -> None:
    source = tmp_path / "mine.opml"
    source.write_text(MIXED, encoding="utf-8")
    config = write_config(tmp_path)
    result = feeds_cli(config, "import", str(source))
    assert result.exit_code == 0, result.output
    assert "Imported 2 feeds" in result.stdout and "2 unusable outlines skipped" in result.stdout
    assert "'javascript:alert(1)': not an http(s) URL, skipped" in result.stderr
    assert "'ftp://files.example/feed.xml': not an http(s) URL, skipped" in result.stderr
    feeds = tomllib.loads(config.read_text(encoding="utf-8"))["feeds"]
    assert [(f["url"], f.get("tags")) for f in feeds] == [
        ("https://sakana.example/rss", ["Japan", "AI", "Startups", "Tokyo"]),
        ("https://softbank.example/rss", None),
    ]
    assert load(config).feeds[0].tags == ("Japan", "AI", "Startups", "Tokyo")


def test_a_file_with_only_bad_outlines_imports_nothing_and_exits_2(tmp_path: Path) -> None:
    source = tmp_path / "bad.opml"
    source.write_text(
        '<opml version="2.0"><body><outline text="x" xmlUrl="javascript:void(0)"/></body></opml>',
        encoding="utf-8",
    )
    config = write_config(tmp_path)
    result = feeds_cli(config, "import", str(source))
    assert result.exit_code == 2
    assert "no usable feed outline (1 skipped)" in result.stderr
    assert config.read_text(encoding="utf-8") == HEAD


def test_tags_are_listed_and_exported_back_as_folders_and_categories(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        '\n[[feeds]]\nurl = "https://sakana.example/rss"\nname = "Sakana"\n'
        'tags = ["Japan", "AI, startups"]\n',
    )
    listed = feeds_cli(config, "list")
    assert "  tags: Japan, AI, startups" in listed.stdout
    exported = feeds_cli(config, "export")
    assert exported.exit_code == 0, exported.output
    assert '<outline text="Japan" title="Japan">' in exported.stdout
    back = tmp_path / "back.opml"
    back.write_text(exported.stdout, encoding="utf-8")
    (feed,), problems = read_opml(back)
    assert problems == []
    assert feed.tags == ("Japan", "AI  startups")  # "," separates categories in OPML


def test_the_managed_opml_file_keeps_tags_when_a_feed_is_added(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(MIXED, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        HEAD.replace("corpus = []\n", 'corpus = []\nfeeds_opml = "feeds.opml"\n'), encoding="utf-8"
    )
    listed = feeds_cli(config, "list")
    assert listed.exit_code == 0
    assert "not an http(s) URL" in listed.stderr  # a warning, the good feeds still listed
    assert "https://sakana.example/rss" in listed.stdout
    assert feeds_cli(config, "add", "--no-check", "https://new.example/rss").exit_code == 0
    kept, problems = read_opml(opml)
    assert [f.tags for f in kept if "sakana" in f.url] == [("Japan", "AI", "Startups", "Tokyo")]
    assert len(kept) == 3 and problems == []


def test_export_uses_the_title_the_feed_gave_not_its_url(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    url = feed_server.static("/t.xml", rss("Nikkei Tech", [("Entry", "https://n.example/1")]))
    config = write_config(tmp_path, f'\n[[feeds]]\nurl = "{url}"\n')
    refreshed = feeds_cli(config, "refresh")
    assert refreshed.exit_code == 0, refreshed.output
    exported = feeds_cli(config, "export")
    assert f'<outline type="rss" text="Nikkei Tech" xmlUrl="{url}" title="Nikkei Tech"' in (
        exported.stdout
    )
