"""Labelled same-story pairs from a wire-dev snapshot set, for choosing verdict thresholds.

    from wiredev import dev_pairs; pairs = dev_pairs(Path("../shared/datasets/wire-dev"))

Every entry the labeller read (``note`` not "prefilter") is taken once, as the
feed first showed it (title; content, else summary, tags removed). Pairs:
every two entries that carry a story slug, and every slugged entry against
every read entry without one. Same slug = same story; a pair linked by
``follow_up_of`` is left out (the novelty stage calls those follow-ups, not
folds); everything else is a different story (the labelling rules give every
report of one event the same slug, so an unslugged entry is never a report of
a slugged one).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", text or "")).split())


def entries(root: Path) -> list[dict]:
    """Read entries of ``labels.jsonl`` with their title and text from the first snapshot."""
    import feedparser

    labels = [json.loads(line) for line in (root / "labels.jsonl").open(encoding="utf-8")]
    read = [r for r in labels if not r["note"].startswith("prefilter")]
    wanted: dict[tuple[str, str], list[dict]] = {}
    for r in read:
        wanted.setdefault((r["snapshots"][0], r["file"]), []).append(r)
    out = []
    for (snap, name), rows in sorted(wanted.items()):
        feed = feedparser.parse(str(root / "feeds" / snap / name))
        by_guid = {e.get("id") or e.get("guid"): e for e in feed.entries}
        # An Atom id may be written out in full where the label keeps its tail: the link decides.
        by_link = {e.get("link"): e for e in feed.entries}
        for r in rows:
            e = by_guid.get(r["guid"]) or by_link.get(r["link"])
            if e is None:
                continue
            body = e["content"][0]["value"] if e.get("content") else e.get("summary", "")
            out.append({**r, "text": _plain(body), "title": _plain(e.get("title", r["title"]))})
    return out


def dev_pairs(root: Path) -> list[tuple[dict, dict, bool]]:
    """(entry, entry, same story) pairs, as described above."""
    items = entries(root)
    slugged = [e for e in items if e["story"]]
    others = [e for e in items if not e["story"]]
    pairs = []
    for i, a in enumerate(slugged):
        for b in slugged[i + 1 :] + others:
            if b["story"] and (a["follow_up_of"] == b["story"] or b["follow_up_of"] == a["story"]):
                continue
            pairs.append((a, b, bool(b["story"]) and a["story"] == b["story"]))
    return pairs


def fingerprinted_pairs(root: Path, encoder: Any) -> list[tuple[dict, dict, bool, Any, Any]]:
    """``dev_pairs`` of ``root``, each with its two entries' fingerprints (one encoder pass
    over every entry): (entry, entry, same story, fingerprint, fingerprint)."""
    from monitor.novelty import fingerprint_texts

    items = entries(root)
    prints = fingerprint_texts([(e["title"], e["text"]) for e in items], encoder)
    by_key = {(e["file"], e["guid"]): fp for e, fp in zip(items, prints, strict=True)}
    return [
        (a, b, same, by_key[(a["file"], a["guid"])], by_key[(b["file"], b["guid"])])
        for a, b, same in dev_pairs(root)
    ]
