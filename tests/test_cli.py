"""The command line end to end, on real SQLite files and the seed corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from monitor.cli import main

GLUED_ON = ("Kuiper", "antitrust", "tariff", "Rust", "Alphabet Workers Union", "Tim Cook")
Cli = Callable[..., Result]


def preview_json(cli: Cli) -> dict:
    result = cli("preview", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def digest_files(project: Path) -> list[Path]:
    # index.html lists the digests (tests/test_operating.py); it is not one of them.
    return sorted(p for p in (project / "digests").glob("*.*") if p.name != "index.html")


def file_of(cli: Cli, item_id: str) -> str:
    """The corpus file `monitor explain` names for an item."""
    result = cli("explain", item_id)
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("  file:")]
    return line.split(":", 1)[1].strip()


def test_first_run_gives_four_stories_with_the_translation_folded(cli: Cli, project: Path) -> None:
    data = preview_json(cli)
    # The seeds name no publisher: they are shown as the local corpus, not by file name.
    assert {story["source"] for story in data["stories"]} == {"local corpus"}
    assert len(data["stories"]) == 4
    for story in data["stories"]:
        assert story["kind"] == "new"
        assert 0.0 <= story["relevance"] <= 1.0 and 0.0 <= story["novelty"] <= 1.0
        assert story["why"]

    result = cli("run-once")
    assert result.exit_code == 0, result.output
    assert "4 stories" in result.stdout
    files = digest_files(project)
    assert [f.suffix for f in files] == [".eml", ".html", ".txt"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        for word in GLUED_ON:
            assert word not in text, f"{word!r} leaked into {path.name}"
        assert "Why Japan lags behind" in text  # the folded translation is listed under 003
    # Which file each story came from (ids are stable: preview's ids are run-once's).
    files = {file_of(cli, story["id"]): story for story in data["stories"]}
    assert sorted(files) == [
        "seeds/000_57d23291fd337fe4.txt",
        "seeds/001_f245b16d3cb02700.txt",
        "seeds/002_ab24856deeaf0a1a.txt",
        "seeds/003_c7f54767b450a83e.txt",
    ]
    japan_story = files["seeds/003_c7f54767b450a83e.txt"]
    folded = [file_of(cli, also["id"]) for also in japan_story["also"]]
    assert folded == ["seeds/004_cdec6e705ad5a241.txt"]


def test_as_of_runs_the_cycle_at_that_time_in_the_digest_zone(cli: Cli, project: Path) -> None:
    # 20:00 UTC on 20 August is already 21 August in Tokyo, the digest's zone.
    result = cli("run-once", "--as-of", "2026-08-20T20:00:00Z")
    assert result.exit_code == 0, result.output
    assert [f.name for f in digest_files(project)] == [
        "2026-08-21.eml",
        "2026-08-21.html",
        "2026-08-21.txt",
    ]
    eml = (project / "digests" / "2026-08-21.eml").read_text(encoding="utf-8")
    assert "Date: Fri, 21 Aug 2026 05:00:" in eml and "+0900" in eml

    # Without --as-of the next command is back on the wall clock.
    assert not preview_json(cli)["generated_at"].startswith("2026-08-2")
    as_of = cli("preview", "--format", "json", "--as-of", "2026-08-20T20:00:00+09:00")
    assert json.loads(as_of.stdout)["generated_at"].startswith("2026-08-20T11:00:")


def test_a_bad_as_of_is_a_usage_error(cli: Cli) -> None:
    result = cli("preview", "--as-of", "yesterday")
    assert result.exit_code == 2
    assert "'yesterday' is not an ISO 8601 time" in result.output


def test_second_run_finds_nothing_and_a_new_article_appears_alone(cli: Cli, project: Path) -> None:
    assert cli("run-once").exit_code == 0
    first_files = digest_files(project)

    again = cli("run-once")
    assert again.exit_code == 0
    assert "Nothing new" in again.stdout
    assert digest_files(project) == first_files
    assert preview_json(cli)["stories"] == []

    (project / "seeds" / "005_new.txt").write_text(
        "Sakana AI raises funds for Japanese language models\n\n"
        "Tokyo-based Sakana AI said on Tuesday it raised new funding to build large language "
        "models tuned for Japanese businesses, with backing from Japanese banks. The startup "
        "plans to hire researchers in Tokyo and expand its work with government agencies.\n",
        encoding="utf-8",
    )
    stories = preview_json(cli)["stories"]
    assert [s["source"] for s in stories] == ["local corpus"]
    assert stories[0]["title"] == "Sakana AI raises funds for Japanese language models"


def test_bad_corpus_files_are_named_and_the_run_goes_on(cli: Cli, project: Path) -> None:
    (project / "seeds" / "empty.txt").write_text("", encoding="utf-8")
    (project / "seeds" / "binary.txt").write_bytes(b"\xff\xfe\x00garbage\x80")
    result = cli("run-once")
    assert result.exit_code == 0, result.output
    assert "seeds/empty.txt: empty file, skipped" in result.stderr
    assert "seeds/binary.txt: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.output
    assert "4 stories" in result.stdout


def test_bad_config_value_exits_2_with_one_line(cli: Cli, project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("window_days = 30", 'window_days = "a month"'))
    result = cli("run-once")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "config.toml: novelty.window_days: expected a number" in lines[0]


def test_missing_config_exits_2(cli: Cli, project: Path) -> None:
    result = cli("check-config", config=project / "nope.toml")
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_explain_says_why_an_item_was_folded_or_dropped(cli: Cli, project: Path) -> None:
    assert cli("run-once").exit_code == 0
    folded = cli("explain", str(project / "seeds" / "004_cdec6e705ad5a241.txt"))
    assert folded.exit_code == 0, folded.output
    assert "folded into story" in folded.stdout
    assert "Japan" in folded.stdout
    dropped = cli("explain", str(project / "seeds" / "003_c7f54767b450a83e.txt"))
    assert dropped.stdout.count("dropped: not about the topic") == 3
    assert "kept: a new story" in dropped.stdout
    assert cli("explain", "ffffffffffff").exit_code == 2


def test_compare_reports_the_translation_as_the_same_story(cli: Cli, project: Path) -> None:
    seeds = project / "seeds"
    result = cli(
        "compare",
        "--json",
        str(seeds / "003_c7f54767b450a83e.txt"),
        str(seeds / "004_cdec6e705ad5a241.txt"),
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] in {"copy", "same story"}
    assert 0.0 <= data["similarity"] <= 1.0
    different = json.loads(
        cli(
            "compare",
            "--json",
            str(seeds / "000_57d23291fd337fe4.txt"),
            str(seeds / "002_ab24856deeaf0a1a.txt"),
        ).stdout
    )
    assert different["verdict"] in {"related", "different"}
    assert different["same_story"] < data["same_story"]


def test_compare_pairs_prints_one_result_per_line(cli: Cli, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    lines = [
        {"a": "SoftBank invests in OpenAI.", "b": "SoftBank invests in OpenAI."},
        {"a": "Japan's METI funds a supercomputer.", "b": "Apple shares rallied on tariff relief."},
    ]
    pairs.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    result = cli("compare", "--pairs", str(pairs))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["similarity"] > out[1]["similarity"]
    assert "error" in out[2]


@pytest.mark.parametrize(
    "command", [[], ["run-once"], ["preview"], ["check-config"], ["explain"], ["compare"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
