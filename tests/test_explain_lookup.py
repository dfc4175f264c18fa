""" "Why didn't I get that story?": items are found by URL, headline words or the id the
digest prints, and every judged item, dropped and folded ones too, can be listed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Cli = Callable[..., Result]
AS_OF = "2026-11-22T01:00:00Z"  # 10:00 in Tokyo, the digest's zone


def run(cli: Cli) -> None:
    result = cli("run-once", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output


def listed(cli: Cli, *args: str) -> list[dict]:
    result = cli("items", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_items_lists_every_judged_item_with_status_and_reason(cli: Cli, project: Path) -> None:
    run(cli)
    every = listed(cli)
    assert len(every) == 8  # 4 stories, 1 folded translation, 3 off the topic
    dropped = listed(cli, "--status", "dropped")
    assert {d["status"] for d in dropped} == {"irrelevant"} and len(dropped) == 3
    assert all(d["reason"].startswith("not about the topic") for d in dropped)
    (folded,) = listed(cli, "--status", "folded")
    (lead,) = [i for i in every if i["id"] == folded["story"]]
    assert folded["reason"] == f"folded into story {lead['id']}"
    kept = listed(cli, "--status", "kept")
    assert len(kept) == 4 and all("in digest 2026-11-22" in k["reason"] for k in kept)
    assert len(listed(cli, "--day", "2026-11-22")) == 8
    assert listed(cli, "--day", "2026-11-21") == []
    assert len(listed(cli, "--source", "corpus", "--status", "dropped")) == 3
    assert listed(cli, "--source", "nikkei") == []

    lines = cli("items", "--status", "dropped").stdout.splitlines()
    assert len(lines) == 6 and lines[0].split()[2] == "irrelevant"
    assert cli("items", "--day", "22/11").exit_code == 2


def test_explain_finds_an_item_by_words_of_its_headline(cli: Cli, project: Path) -> None:
    run(cli)
    one = cli("explain", "pursuit of ai")
    assert one.exit_code == 0, one.output
    assert one.stdout.startswith("item ") and "SoftBank’s Pursuit of AI-ness" in one.stdout

    many = cli("explain", "Japan")
    assert many.exit_code == 2
    assert "2 headlines contain 'Japan'" in many.stdout
    assert "Japan tech giants form AI unit" in many.stdout
    assert "Why Japan lags behind" in many.stdout
    assert "ambiguous" in many.stderr and "Traceback" not in many.output

    none = cli("explain", "no such headline anywhere")
    assert none.exit_code == 2 and "no item id, file, address or headline" in none.stderr


def test_explain_finds_an_item_by_its_url(cli: Cli, project: Path) -> None:
    (project / "seeds" / "005.md").write_text(
        "---\nurl: https://asia.nikkei.com/softbank-ai-bank\nsource: Nikkei Asia\n---\n"
        "# SoftBank builds an AI model for Japanese banks\n\n"
        "SoftBank Corp said its unit SB Intuitions built a Japanese large language model for "
        "banks, trained in Tokyo, with Japanese banks among its first customers.\n",
        encoding="utf-8",
    )
    run(cli)
    result = cli("explain", "https://asia.nikkei.com/softbank-ai-bank")
    assert result.exit_code == 0, result.output
    assert "SoftBank builds an AI model for Japanese banks" in result.stdout
    assert "source:     Nikkei Asia" in result.stdout
    missing = cli("explain", "https://example.com/never-seen")
    assert missing.exit_code == 2 and "no item was seen at this address" in missing.stderr


def test_the_digest_prints_each_story_id_and_explain_takes_it(cli: Cli, project: Path) -> None:
    run(cli)
    (text,) = (project / "digests").glob("2026-11-22.txt")
    (html,) = (project / "digests").glob("2026-11-22.html")
    refs = re.findall(r"· id ([0-9a-f]{8})\n", text.read_text(encoding="utf-8"))
    assert len(refs) == 4
    html_text = html.read_text(encoding="utf-8")
    for ref in refs:
        assert f"id {ref}" in html_text
        explained = cli("explain", ref)
        assert explained.exit_code == 0, explained.output
        assert "in digest 2026-11-22" in explained.stdout


def test_preview_all_lists_every_item_judged_now_with_status_and_reason(cli: Cli) -> None:
    result = cli("preview", "--format", "json", "--all")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    statuses = sorted(item["status"] for item in data["items"])
    assert statuses == ["duplicate"] + ["irrelevant"] * 3 + ["new"] * 4
    by_status = {item["status"]: item for item in data["items"]}
    assert by_status["irrelevant"]["reason"].startswith("not about the topic")
    assert by_status["duplicate"]["reason"].startswith("folded into story ")
    kept = {item["id"] for item in data["items"] if item["status"] == "new"}
    assert kept == {story["id"] for story in data["stories"]}
    assert all(i["reason"] == "kept: in this digest" for i in data["items"] if i["id"] in kept)
    # Nothing was kept: a preview writes nothing.
    assert json.loads(cli("items", "--json").stdout) == []
    wrong = cli("preview", "--all")
    assert wrong.exit_code == 2 and "--format json" in wrong.stderr
