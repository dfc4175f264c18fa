"""Operating it: the venv on PATH, options after the sub-command, a test mail, an index of past
digests, and the small usage errors (compare, explain, a config with a byte-order mark)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from conftest_smtp import SmtpServer, add_smtp, free_port, smtp_server

from monitor.cli import main

__all__ = ["smtp_server"]  # fixture, used by name

REPO = Path(__file__).resolve().parent.parent
Cli = Callable[..., Result]


def test_the_readme_says_how_to_reach_monitor_inside_the_venv() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert ". .venv/bin/activate" in quick_start
    assert "`.venv/bin/monitor`" in quick_start


def test_debug_and_config_are_accepted_after_the_sub_command(project: Path) -> None:
    config = str(project / "config.toml")
    result = CliRunner().invoke(main, ["check-config", "--config", config, "--debug"])
    assert result.exit_code == 0, result.output
    # --debug after the sub-command shows the traceback of an error, as before it.
    result = CliRunner().invoke(main, ["explain", "0000", "--debug", "--config", config])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    quiet = CliRunner().invoke(main, ["explain", "0000", "--config", config])
    assert quiet.exit_code == 2 and "Traceback" not in quiet.stderr


def test_test_mail_arrives_through_the_configured_server(
    cli: Cli, project: Path, smtp_server: SmtpServer
) -> None:
    add_smtp(project / "config.toml", smtp_server.port)
    result = cli("test-mail")
    assert result.exit_code == 0, result.output
    assert f"Sent a test mail through SMTP 127.0.0.1:{smtp_server.port}" in result.stdout
    (message,) = smtp_server.wait_for(1)
    assert message.recipients == ["reader@example.com"]
    parsed = message.parsed()
    assert parsed["Subject"] == "Japan AI & SoftBank monitor: test mail"
    assert "test mail from monitor" in parsed.get_body(("plain",)).get_content()


def test_test_mail_checks_the_password_source_before_connecting(
    cli: Cli, project: Path, smtp_server: SmtpServer, monkeypatch: object
) -> None:
    add_smtp(
        project / "config.toml",
        smtp_server.port,
        'username = "digest"\npassword_env = "MONITOR_TEST_MAIL_UNSET"\n',
    )
    result = cli("test-mail")
    assert result.exit_code == 2
    assert "the environment variable MONITOR_TEST_MAIL_UNSET is not set" in result.stderr
    assert smtp_server.messages == []


def test_test_mail_to_a_server_that_is_down_exits_1(cli: Cli, project: Path) -> None:
    add_smtp(project / "config.toml", free_port())
    result = cli("test-mail")
    assert result.exit_code == 1
    assert "unreachable" in result.stderr
    no_smtp = cli("test-mail", config=project / "plain.toml")
    assert no_smtp.exit_code == 2


def test_the_index_lists_every_digest_newest_first(cli: Cli, project: Path) -> None:
    digests = project / "digests"
    digests.mkdir()
    for old in ("2026-01-03.html", "2025-12-31.html", "2026-01-03-2.html", "notes.html"):
        (digests / old).write_text("<html></html>", encoding="utf-8")
    result = cli("run-once")
    assert result.exit_code == 0, result.output
    index = (digests / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', index)
    today = sorted(p.name for p in digests.glob("20*.html") if p.name > "2026-01-04")
    assert links[-3:] == ["2026-01-03-2.html", "2026-01-03.html", "2025-12-31.html"]
    assert links[:-3] == sorted(today, reverse=True) and today
    assert "notes.html" not in links and "index.html" not in links
    # Rewritten with each digest, by rename: no temporary file is left behind.
    assert not list(digests.glob(".index.html.*"))


def test_compare_pairs_with_no_valid_line_exits_non_zero(cli: Cli, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('not json\n{"a": "only a"}\n', encoding="utf-8")
    result = cli("compare", "--pairs", str(pairs))
    assert result.exit_code == 2
    assert f"{pairs}: no valid line (2 invalid)" in result.stderr
    assert [json.loads(line)["error"] for line in result.stdout.splitlines()]


def test_compare_with_two_articles_and_pairs_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"a": "x", "b": "y"}\n', encoding="utf-8")
    result = cli("compare", "a.txt", "b.txt", "--pairs", str(pairs))
    assert result.exit_code == 2
    assert "two articles or --pairs FILE, not both" in result.stderr
    assert result.stdout == ""


def test_explain_with_an_empty_id_says_give_an_id(cli: Cli) -> None:
    result = cli("explain", "")
    assert result.exit_code == 2
    assert "give an id" in result.stderr


def test_a_config_saved_with_a_byte_order_mark_is_read(cli: Cli, project: Path) -> None:
    config = project / "config.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    result = cli("check-config")
    assert result.exit_code == 0, result.output
    assert f"{config}: ok" in result.stdout
