"""Corpus files are dated, named and linked by what they say about themselves, and an old
article read today is judged against everything seen in the window."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import Result
from conftest import seed_text

from monitor.novelty import Encoder, NoveltyIndex, fingerprint_texts

Cli = Callable[..., Result]

ARTICLE = (
    "SoftBank unveils a Japanese AI model for banks\n\n"
    "SoftBank Corp said on Monday its unit SB Intuitions built a Japanese large language model "
    "for banks and insurers, trained on the Fugaku supercomputer. The model goes on sale in "
    "Tokyo next spring, the company said, with Japanese banks among the first customers.\n"
)


def preview(cli: Cli) -> list[dict]:
    result = cli("preview", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["stories"]


def only(project: Path, name: str, text: str) -> None:
    for path in (project / "seeds").iterdir():
        path.unlink()
    (project / "seeds" / name).write_text(text, encoding="utf-8")


def test_front_matter_gives_the_date_publisher_and_link(cli: Cli, project: Path) -> None:
    only(
        project,
        "softbank.md",
        "---\ntitle: SoftBank's AI model for banks\ndate: 2023-06-01T09:30:00+09:00\n"
        "source: Nikkei Asia\nurl: https://asia.nikkei.com/softbank-ai\n---\n\n" + ARTICLE,
    )
    (story,) = preview(cli)
    assert story["published"] == "2023-06-01T00:30:00+00:00"
    assert story["source"] == "Nikkei Asia"
    assert story["url"] == "https://asia.nikkei.com/softbank-ai"
    assert story["title"] == "SoftBank's AI model for banks"
    assert cli("run-once").exit_code == 0
    explained = cli("explain", story["id"]).stdout
    assert "published:  2023-06-01 00:30 UTC, from the front matter's date" in explained
    assert "file:       seeds/softbank.md" in explained


def test_a_text_file_front_matter_is_read_and_not_shown(cli: Cli, project: Path) -> None:
    only(project, "a.txt", "---\ndate: 2024-02-03\nsource: Kyodo\n---\n" + ARTICLE)
    (story,) = preview(cli)
    assert story["published"] == "2024-02-03T00:00:00+00:00"
    assert story["source"] == "Kyodo"
    assert story["title"] == "SoftBank unveils a Japanese AI model for banks"
    assert "date:" not in cli("preview").stdout


def test_html_meta_gives_the_date_site_and_canonical_link(cli: Cli, project: Path) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[1:])
    only(
        project,
        "page.html",
        "<html><head><title>x</title>"
        '<meta property="article:published_time" content="2023-11-05T12:00:00Z">'
        '<meta property="og:site_name" content="The Japan Times">'
        '<link rel="canonical" href="https://www.japantimes.co.jp/news/softbank-ai/">'
        f"</head><body><h1>SoftBank unveils a Japanese AI model</h1>{paragraphs}</body></html>",
    )
    (story,) = preview(cli)
    assert story["published"] == "2023-11-05T12:00:00+00:00"
    assert story["source"] == "The Japan Times"
    assert story["url"] == "https://www.japantimes.co.jp/news/softbank-ai/"


def test_an_undated_file_is_dated_by_its_modification_time_and_explain_says_so(
    cli: Cli, project: Path
) -> None:
    only(project, "plain.txt", ARTICLE)
    when = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    os.utime(project / "seeds" / "plain.txt", (when.timestamp(), when.timestamp()))
    (story,) = preview(cli)
    assert story["published"] == when.isoformat()
    assert story["source"] == "local corpus"
    assert cli("run-once").exit_code == 0
    explained = cli("explain", story["id"]).stdout
    assert "published:  2025-03-04 05:06 UTC, from the file's modification time" in explained


def test_old_dated_copies_still_fold_together(cli: Cli, project: Path) -> None:
    # Seeds 003 and 004 are the same story (004 a translation round trip). Dated two
    # years back, outside the 30-day window, they must still fold: the window counts
    # from when monitor first saw them.
    for name in ("003_c7f54767b450a83e.txt", "004_cdec6e705ad5a241.txt"):
        path = project / "seeds" / name
        day = "2023-06-01" if name.startswith("003") else "2023-06-02"
        path.write_text(f"---\ndate: {day}\n---\n" + path.read_text(encoding="utf-8"))
    stories = preview(cli)
    assert len(stories) == 4
    dated = [s for s in stories if s["published"].startswith("2023-")]
    (japan,) = dated
    assert len(japan["also"]) == 1


def test_the_window_counts_from_first_seen_not_from_published() -> None:
    original = seed_text("003")
    prints = fingerprint_texts([("", original), ("", original)], Encoder())
    now = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    two_years_ago = now - timedelta(days=730)
    index = NoveltyIndex(window=timedelta(days=30))
    index.add("feed-a", two_years_ago, prints[0], seen=now - timedelta(hours=1))
    assert index.judge(prints[1], two_years_ago, now).kind == "duplicate"
    # Seen long ago, it is out of the window whatever its date.
    index = NoveltyIndex(window=timedelta(days=30))
    index.add("feed-a", now, prints[0], seen=now - timedelta(days=31))
    assert index.judge(prints[1], now, now).kind == "new"
    assert index.evict(now) == 1
