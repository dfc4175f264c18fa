"""Relevance end to end: what the digest keeps and what `monitor explain` says it dropped."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

Cli = Callable[..., Result]

FIXTURES = Path(__file__).resolve().parent / "data" / "relevance"


def test_explain_says_a_passing_mention_was_dropped_and_the_japanese_company_story_kept(
    cli: Cli, project: Path
) -> None:
    for name in ("en_today_in_history.txt", "ja_fujitsu_ai.txt", "en_kioxia_tel_ai_chips.txt"):
        shutil.copy(FIXTURES / name, project / "seeds" / name)
    result = cli("preview", "--format", "json")
    assert result.exit_code == 0, result.output
    titles = {story["title"] for story in json.loads(result.stdout)["stories"]}
    assert any(title.startswith("富士通、製造業向けに生成") for title in titles)
    assert any(title.startswith("Kioxia, Tokyo Electron jump") for title in titles)
    assert not any("Today in History" in title for title in titles)

    assert cli("run-once").exit_code == 0
    explained = cli("explain", str(project / "seeds" / "en_today_in_history.txt"))
    assert explained.exit_code == 0, explained.output
    assert "dropped: not about the topic" in explained.stdout
    assert "SoftBank Group named once, in a list: a passing mention" in explained.stdout
    kept = cli("explain", str(project / "seeds" / "ja_fujitsu_ai.txt")).stdout
    assert "about Japan and AI" in kept and "富士通" in kept
