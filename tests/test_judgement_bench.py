"""bench/judgement.py counts what it says it counts, on a small labelled set written here.

Two days of snapshots of two feeds, in the wire-dev layout, replayed through
whole ``monitor`` processes. The labels are chosen so that each error class
happens for certain whatever the similarity model thinks of near cases:

* a wire copy (same headline and text, another link) labelled with another slug
  is folded as a copy: one WRONG FOLD;
* two unrelated reports labelled with one slug stay two stories, one per day's
  digest: one REPEAT and one missed fold;
* a report about SoftBank's AI labelled ``no`` reaches a digest;
* a ``yes`` report without a single topic word is dropped: story recall 1/2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

STORIES = {
    "sb-dc": (
        "SoftBank to build AI data centre in Osaka",
        "SoftBank Group said on Monday it will build an artificial intelligence data centre in"
        " Osaka, Japan, to train large language models for Japanese companies.",
    ),
    "copy": (
        "SoftBank to build AI data centre in Osaka",
        "SoftBank Group said on Monday it will build an artificial intelligence data centre in"
        " Osaka, Japan, to train large language models for Japanese companies.",
    ),
    "gov": (
        "Japan's cabinet approves generative AI safety bill",
        "Japan's cabinet approved a bill on Tuesday that sets safety testing rules for generative"
        " AI models sold in the country, the Digital Agency said.",
    ),
    "no": (
        "SoftBank shop in Tokyo sells AI robot toys for the holidays",
        "A SoftBank mobile shop in Tokyo, Japan, has put AI robot toys on sale for the holidays,"
        " the store manager said.",
    ),
    "silent": (
        "Quarterly results due next week",
        "The company will publish its quarterly results next week, a spokesperson said.",
    ),
}
# slug, label and where each entry appears: (snapshot, feed file).
ENTRIES = {
    "sb-dc": ("sb-osaka", "yes", [("20260820T0600", "a.xml"), ("20260820T2000", "a.xml")]),
    "copy": ("other-slug", "borderline", [("20260820T2000", "b.xml")]),
    "gov": ("sb-osaka", "yes", [("20260821T2000", "a.xml")]),
    "no": (None, "no", [("20260821T2000", "b.xml")]),
    "silent": ("results", "yes", [("20260821T2000", "b.xml")]),
}


def _write_dataset(root: Path) -> None:
    snapshots = sorted({s for _, _, where in ENTRIES.values() for s, _ in where})
    for snapshot in snapshots:
        for feed in ("a.xml", "b.xml"):
            items = ""
            for key, (_, _, where) in ENTRIES.items():
                if (snapshot, feed) in where:
                    title, text = STORIES[key]
                    items += (
                        f"<item><title>{title}</title><link>https://{feed[0]}.example/{key}</link>"
                        f"<guid isPermaLink='false'>g-{key}</guid>"
                        f"<pubDate>{_rfc822(snapshot)}</pubDate>"
                        f"<description>{text}</description></item>"
                    )
            folder = root / "feeds" / snapshot
            folder.mkdir(parents=True, exist_ok=True)
            (folder / feed).write_text(
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>'
                f"{items}</channel></rss>",
                encoding="utf-8",
            )
    with (root / "labels.jsonl").open("w", encoding="utf-8") as out:
        for key, (slug, relevant, where) in ENTRIES.items():
            row = {
                "guid": f"g-{key}", "link": f"https://{where[0][1][0]}.example/{key}",
                "title": STORIES[key][0], "relevant": relevant, "story": slug,
                "follow_up_of": None,
            }  # fmt: skip
            out.write(json.dumps(row) + "\n")


def _rfc822(snapshot: str) -> str:
    day, hour = int(snapshot[6:8]), snapshot[9:11]
    weekday = {20: "Thu", 21: "Fri"}[day]
    return f"{weekday}, {day} Aug 2026 {int(hour) - 1:02d}:30:00 GMT"


@pytest.mark.slow
def test_the_bench_counts_repeats_wrong_folds_and_misses(tmp_path: Path) -> None:
    _write_dataset(tmp_path / "set")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "judgement.py"), str(tmp_path / "set"),
         "--mode", "replay", "--work", str(tmp_path / "work")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # Two polls on day one (the second with its digest), one run-once on day two.
    assert out.count(" poll ") == 1 and out.count(" run-once ") == 2
    assert "REPEATS: 1\n" in out
    assert "WRONG FOLDS: 1\n" in out
    assert "missed folds: 1\n" in out
    assert "items labelled no in a digest: 1\n" in out
    assert "story recall (yes stories offered): 1/2; missing: results" in out
    # Every error is listed with its title, source and why.
    wrong = out.split("WRONG FOLDS (report -> story it was folded under): 1\n")[1]
    assert wrong.lstrip().startswith("- SoftBank to build AI data centre in Osaka (b; borderline")
    assert "why: relevance" in wrong.split("\n")[1]
    assert "- Quarterly results due next week (b; yes [results]; irrelevant)" in out
    assert "precision 0.667, recall 0.667" in out  # 2 yes in, 1 no in, 1 yes out
    assert "no slug in two digest stories): FAIL; slugs in several digest stories: sb-osaka" in out


@pytest.mark.slow
def test_the_whole_set_as_one_poll_is_one_process_and_one_digest(tmp_path: Path) -> None:
    _write_dataset(tmp_path / "set")
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "judgement.py"), str(tmp_path / "set"),
         "--mode", "one-poll", "--work", str(tmp_path / "work")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "## one-poll (1 processes)" in out
    assert "in 1 digests" in out
    # The two reports of one slug are now two stories of one digest: still a repeat.
    assert "REPEATS: 1\n" in out and "WRONG FOLDS: 1\n" in out


def _atom(entries: list[tuple[str, str]]) -> str:
    body = "".join(
        f'<entry><title>{title}</title><link href="https://n.example/{key}" rel="alternate"/>'
        f"<id>tag:n.example,2026:{key}</id><published>2026-11-16T0{i}:00:00Z</published>"
        f"<summary>{title}.</summary></entry>"
        for i, (key, title) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>n</title><id>https://n.example/</id>{body}</feed>"
    )


def test_one_poll_merges_atom_feeds_as_the_service_reads_them(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from judgement import merge_snapshots

    from monitor.sources.feedparse import parse_feed

    first, second = tmp_path / "20261116T0100", tmp_path / "20261116T0900"
    first.mkdir()
    second.mkdir()
    # "old" rolled off before the second snapshot; "both" is listed in both.
    (first / "n.xml").write_text(_atom([("old", "Old report"), ("both", "Both")]), "utf-8")
    (second / "n.xml").write_text(_atom([("both", "Both"), ("new", "New report")]), "utf-8")
    merge_snapshots([first, second], tmp_path / "merged")
    body = (tmp_path / "merged" / "n.xml").read_bytes()
    parsed = parse_feed(body, url="http://127.0.0.1/n.xml", content_type=None, source_id="n")
    links = sorted(entry.url or "" for entry in parsed.entries)
    assert links == [f"https://n.example/{key}" for key in ("both", "new", "old")]


@pytest.mark.slow
def test_the_default_work_folder_is_removed_at_the_end(tmp_path: Path) -> None:
    # Each run's state and encoder cache take ~110 MB: left in $TMPDIR, hundreds fill a disk.
    _write_dataset(tmp_path / "set")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "judgement.py"), str(tmp_path / "set"),
         "--mode", "one-poll"],
        capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "(removed at the end)" in done.stdout.splitlines()[0]
    assert "REPEATS: 1\n" in done.stdout
    assert not list(scratch.glob("monitor-judgement-*"))
