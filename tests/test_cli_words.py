"""Words and numbers the operator and the reader see, end to end on the seeds and a real SMTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from email import message_from_bytes, policy
from pathlib import Path

from click.testing import Result
from conftest_smtp import SmtpServer, add_smtp, smtp_server

__all__ = ["smtp_server"]  # fixtures, used by name
Cli = Callable[..., Result]


def only_seed(project: Path, prefix: str) -> None:
    for path in (project / "seeds").iterdir():
        if not path.name.startswith(prefix):
            path.unlink()


def test_one_story_is_one_story_in_the_output_and_the_subject(cli: Cli, project: Path) -> None:
    only_seed(project, "000")
    result = cli("run-once")
    assert result.exit_code == 0, result.output
    assert ": 1 story." in result.stdout and "1 stories" not in result.stdout
    (eml,) = (project / "digests").glob("*.eml")
    subject = message_from_bytes(eml.read_bytes(), policy=policy.default)["Subject"]
    assert ": 1 new story, " in subject


def test_one_attempt_and_one_reopened_digest_are_singular(
    cli: Cli, project: Path, smtp_server: SmtpServer
) -> None:
    only_seed(project, "000")
    add_smtp(project / "config.toml", smtp_server.port)
    smtp_server.reply = "554 5.7.1 Message rejected as spam"
    assert cli("run-once").exit_code == 1
    listing = cli("outbox").stdout
    assert "  1 story  1 attempt  held" in listing, listing
    reopened = cli("outbox", "--retry").stdout
    assert reopened.startswith("Reopened ") and "delivers it." in reopened, reopened


def test_a_waiting_digest_sent_is_not_announced_as_nothing_new(
    cli: Cli, project: Path, smtp_server: SmtpServer
) -> None:
    only_seed(project, "000")
    add_smtp(project / "config.toml", smtp_server.port)
    smtp_server.reply = "451 4.3.0 Try again later"
    assert cli("run-once").exit_code == 1
    smtp_server.reply = "250 OK"
    # The retry time has not come, but `outbox --retry`... is for held ones: wait by hand.
    from monitor.store import Store

    with Store(project / "state" / "monitor.db") as store, store.transaction() as db:
        db.execute("UPDATE digests SET next_attempt = NULL")
    again = cli("run-once")
    assert again.exit_code == 0, again.output
    assert "Delivered digest" in again.stdout
    assert "Nothing new" not in again.stdout
    assert len(smtp_server.wait_for(1)) == 1


def test_a_first_run_without_sources_or_stories_does_not_speak_of_a_last_digest(
    cli: Cli, project: Path
) -> None:
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('corpus = ["seeds"]', "corpus = []"),
        encoding="utf-8",
    )
    nothing = cli("run-once")
    assert nothing.exit_code == 0, nothing.output
    assert "Nothing new since the last digest" not in nothing.stdout
    assert "no corpus directory and no feed" in nothing.stdout

    config.write_text(
        config.read_text(encoding="utf-8").replace("corpus = []", 'corpus = ["seeds"]'),
        encoding="utf-8",
    )
    for path in (project / "seeds").iterdir():
        path.unlink()
    (project / "seeds" / "weather.txt").write_text(
        "Rain in Osaka\n\nIt will rain in Osaka all week, forecasters said.\n", encoding="utf-8"
    )
    off_topic = cli("run-once")
    assert off_topic.exit_code == 0, off_topic.output
    assert "No stories yet" in off_topic.stdout
    assert "since the last digest" not in off_topic.stdout


def test_operator_counts_stay_out_of_the_mail_and_go_to_preview(cli: Cli, project: Path) -> None:
    (project / "seeds" / "empty.txt").write_text("", encoding="utf-8")
    result = cli("run-once")
    assert result.exit_code == 0, result.output
    for path in (project / "digests").glob("*.*"):
        text = path.read_text(encoding="utf-8")
        for operator_word in ("irrelevant", "unreadable", "left out", "already sent"):
            assert operator_word not in text, (operator_word, path.name)
    (project / "seeds" / "005_weather.txt").write_text(
        "Rain in Osaka\n\nIt will rain in Osaka all week, forecasters said.\n", encoding="utf-8"
    )
    preview = cli("preview")
    assert "1 irrelevant" in preview.stderr


def test_the_folded_translation_lends_its_real_headline_to_the_story(cli: Cli) -> None:
    result = cli("preview", "--format", "json")
    stories = json.loads(result.stdout)["stories"]
    (japan,) = [s for s in stories if s["also"]]
    # Seed 003 has no headline of its own; its folded copy 004 has one.
    assert japan["title"] == "Why Japan lags behind in Generative AI and LLM development"
