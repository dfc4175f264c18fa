"""The fast extraction path gives exactly what the general path gives, on real-looking entries.

Feed entries come from the feed farm (``../shared/tools/feedfarm.py build``) and the
wire-dev snapshots (``../shared/datasets/wire-dev/feeds``) when present, parsed by
the product's own feed parser, plus hand-made summaries with the awkward cases
(ideographic and no-break spaces, credits, citations, footers, two stories).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.errors import FeedError
from monitor.extract import _SPACES, _extract, _fold_spaces, extract
from monitor.sources.feedparse import ParsedEntry, parse_feed

_SHARED = next(
    (
        shared
        for shared in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))
        if shared.is_dir()
    ),
    Path("../shared"),
)
FEEDFARM = _SHARED / "tools" / "feedfarm.py"
WIRE_DEV = _SHARED / "datasets" / "wire-dev" / "feeds"

SUMMARIES = [
    "<p>SoftBank Group shares rose 4% in Tokyo on Tuesday after the company said it would "
    "invest more in OpenAI.</p>",
    "<p>ソフトバンクグループは１３日、\u3000生成ＡＩ向けの投資を拡大すると発表した。</p>",
    "<p>Toyota&nbsp;&nbsp;said\u00a0profit fell. (reuters.com)</p>"
    "<p>Subscribe to our newsletter</p>",
    "Japan's exports jump<br>in May, data showed. (Photo: Kyodo)",
    "<div><p>Tokyo stocks closed higher.</p><figure>x</figure><p>Tokyo | Reuters</p>"
    "<p>Kim Hong-Ji/Reuters</p><p>A second story about rice prices begins here with enough "
    "words to read as a lead sentence of its own.</p></div>",
    "<p>By Jane Doe</p><p>Updated 3 June 2026</p><p>Share</p><p>The Bank of Japan held rates "
    "steady on Friday, as expected by economists polled.</p><p>Read more</p>",
    "<p>\u3000</p><p>\t\u2003 \u3000見出し\u3000だけ\u3000</p>",
    "",
    "<p>Japan has</p>",
]


def _assert_same(entries: list[tuple[str, str | None, object]]) -> int:
    for body, title, hints in entries:
        fast = extract(body, "html", title, hints)  # type: ignore[arg-type]
        general = _extract(body, "html", title, hints, fast=False)  # type: ignore[arg-type]
        assert fast == general, (title, body[:200])
    return len(entries)


def _parsed(files: list[Path]) -> list[ParsedEntry]:
    entries: list[ParsedEntry] = []
    for path in files:
        try:
            feed = parse_feed(
                path.read_bytes(), url=f"http://127.0.0.1/{path.name}", content_type=None,
                source_id=path.stem,
            )  # fmt: skip
        except FeedError:  # a snapshot that is not a usable feed has no entries
            continue
        entries.extend(feed.entries)
    return entries


def test_hand_made_summaries_take_either_path_to_the_same_stories() -> None:
    cases = [(b, t, None) for b in SUMMARIES for t in (None, "Headline - Reuters")]
    assert _assert_same(cases) == 2 * len(SUMMARIES)


@pytest.mark.skipif(not FEEDFARM.exists(), reason=f"{FEEDFARM} is absent")
def test_the_feed_farm_entries_take_either_path_to_the_same_stories(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(FEEDFARM), "build", "--feeds", "20", "--items", "50",
         "--dir", str(tmp_path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    entries = _parsed(sorted(tmp_path.glob("*.xml")))
    assert len(entries) >= 900
    assert _assert_same([(e.body, e.title, e.hints) for e in entries]) == len(entries)


@pytest.mark.skipif(not WIRE_DEV.is_dir(), reason=f"{WIRE_DEV} is absent")
def test_the_wire_dev_entries_take_either_path_to_the_same_stories() -> None:
    snapshots = sorted(p for p in WIRE_DEV.iterdir() if p.is_dir())[:2]
    entries = _parsed([f for s in snapshots for f in sorted(s.iterdir()) if f.is_file()])
    assert len(entries) >= 100
    assert _assert_same([(e.body, e.title, e.hints) for e in entries]) == len(entries)


def test_folding_spaces_by_split_agrees_with_the_regex_for_every_character() -> None:
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if c == "\n" or 0xD800 <= code <= 0xDFFF:
            continue
        line = f" a{c}{c}b {c}"
        assert _fold_spaces(line) == _SPACES.sub(" ", line).strip(), hex(code)
