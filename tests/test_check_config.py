"""check-config is honest: it fails (exit 2) when run-once would fail, and warns when it would
do nothing or less than the config suggests; every commented hint in the shipped configs works
when uncommented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.config import load

REPO = Path(__file__).resolve().parent.parent
SHIPPED = [REPO / "config.toml", REPO / "systemd" / "config.toml"]


def check(config: Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, ["--config", str(config), "check-config"])


def smtp_config(project: Path, extra: str, host: str = "127.0.0.1") -> Path:
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[smtp]\nhost = "{host}"\nport = 2525\nsecurity = "none"\n'
        + 'from = "monitor <digest@monitor.example.org>"\nto = ["reader@mail.example.jp"]\n'
        + extra,
        encoding="utf-8",
    )
    return config


def test_an_unset_password_variable_is_an_error(project: Path) -> None:
    config = smtp_config(project, 'username = "u"\npassword_env = "MONITOR_TEST_UNSET_PW"\n')
    result = check(config, env={"MONITOR_TEST_UNSET_PW": None})  # type: ignore[dict-item]
    assert result.exit_code == 2, result.output
    assert "the environment variable MONITOR_TEST_UNSET_PW is not set" in result.stderr
    assert "run-once would fail to send mail" in result.stderr
    assert ": ok" not in result.stdout
    # With the variable set, the same config is fine.
    assert check(config, env={"MONITOR_TEST_UNSET_PW": "pw"}).exit_code == 0


def test_a_missing_password_file_is_an_error(project: Path) -> None:
    config = smtp_config(project, f'username = "u"\npassword_file = "{project / "nope"}"\n')
    result = check(config)
    assert result.exit_code == 2
    assert f"smtp.password_file: cannot read {project / 'nope'}" in result.stderr


def test_check_config_says_where_the_smtp_password_comes_from(project: Path) -> None:
    (project / "pw").write_text("secret\n", encoding="utf-8")
    credentials = project / "credentials"
    credentials.mkdir()
    (credentials / "smtp-pw").write_text("secret\n", encoding="utf-8")
    env = {"MONITOR_TEST_PW": "secret", "CREDENTIALS_DIRECTORY": str(credentials)}
    sources = {
        'password_env = "MONITOR_TEST_PW"': "password from $MONITOR_TEST_PW",
        'password_file = "pw"': f"password from {project / 'pw'}",
        'password_credential = "smtp-pw"': "password from credential smtp-pw",
    }
    shipped = (project / "config.toml").read_text(encoding="utf-8")
    for line, said in sources.items():
        (project / "config.toml").write_text(shipped, encoding="utf-8")
        result = check(smtp_config(project, f'username = "u"\n{line}\n'), env=env)
        assert result.exit_code == 0, result.output
        assert f"(none), {said}, to reader@mail.example.jp" in result.stdout, result.stdout
        assert "secret" not in result.output
    (project / "config.toml").write_text(shipped, encoding="utf-8")
    result = check(smtp_config(project, ""))
    assert "(none), no login, to reader@mail.example.jp" in result.stdout, result.stdout


def test_the_placeholder_smtp_host_is_an_error(project: Path) -> None:
    result = check(smtp_config(project, "", host="smtp.example.com"))
    assert result.exit_code == 2
    assert "smtp.host: 'smtp.example.com' is a placeholder" in result.stderr


def test_the_shipped_service_config_is_not_ok_as_it_is() -> None:
    result = check(REPO / "systemd" / "config.toml", env={"CREDENTIALS_DIRECTORY": None})  # type: ignore[dict-item]
    assert result.exit_code == 2
    assert "'smtp.example.com' is a placeholder" in result.stderr
    assert "no feeds and no corpus directory: run-once reads nothing" in result.stderr
    assert "$CREDENTIALS_DIRECTORY is not set here" in result.stderr


def test_no_feeds_and_no_corpus_is_a_warning_saying_every_digest_is_empty(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('corpus = ["seeds"]', "corpus = []"), encoding="utf-8")
    result = check(config)
    assert result.exit_code == 0
    assert "no feeds and no corpus directory" in result.stderr
    assert "every digest is empty" in result.stderr


def test_a_corpus_directory_that_does_not_exist_is_a_warning(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text((REPO / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = check(config)  # no seeds/ beside this config
    assert result.exit_code == 0
    assert f"corpus: {tmp_path / 'seeds'} does not exist: run-once skips it" in result.stderr


def test_the_same_feed_listed_twice_is_a_warning_naming_both(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[[feeds]]\nurl = "https://news.example.jp/rss"\nname = "A"\n'
        + '\n[[feeds]]\nurl = "HTTPS://news.example.jp/rss?utm_source=x"\nname = "B"\n',
        encoding="utf-8",
    )
    result = check(config)
    assert result.exit_code == 0
    assert "feeds[2] HTTPS://news.example.jp/rss?utm_source=x is the same feed as feeds[1]" in (
        result.stderr
    )
    assert "it is polled once, with the settings of feeds[1]" in result.stderr


def test_the_default_config_is_ok_without_warnings(project: Path) -> None:
    result = check(project / "config.toml")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{project / 'config.toml'}: ok")
    assert result.stderr == ""


# A commented `key = value` line whose value is a TOML value (not a prose formula).
HINT = re.compile(r'^# ?((?:[A-Za-z_][\w.-]*|"[^"]*") = (?:["\'\[{]|[-+]?\d|true|false).*)$')
HEADER = re.compile(r"^# ?(\[\[?[\w.]+\]\]?)\s*$")


def hint_variants(text: str) -> list[tuple[str, str]]:
    """Each commented hint uncommented on its own; a commented table with its key lines."""
    lines = text.splitlines()
    variants = []
    index = 0
    while index < len(lines):
        line = lines[index]
        header = HEADER.match(line)
        if header:
            changed = list(lines)
            changed[index] = header.group(1)
            end = index + 1
            # The table's block: the comment lines up to a bare "#" or a non-comment line.
            while end < len(lines) and lines[end].startswith("#") and lines[end].strip() != "#":
                key = HINT.match(lines[end])
                if key:
                    changed[end] = key.group(1)
                end += 1
            variants.append((header.group(1), "\n".join(changed) + "\n"))
            index = end
            continue
        key = HINT.match(line)
        if key:
            changed = list(lines)
            changed[index] = key.group(1)
            variants.append((key.group(1), "\n".join(changed) + "\n"))
        index += 1
    return variants


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_commented_hint_loads_when_uncommented(shipped: Path, tmp_path: Path) -> None:
    variants = hint_variants(shipped.read_text(encoding="utf-8"))
    hints = [hint for hint, _ in variants]
    assert any(hint.startswith("feeds_opml =") for hint in hints)
    assert "[[feeds]]" in hints
    for hint, text in variants:
        config = tmp_path / "config.toml"
        config.write_text(text, encoding="utf-8")
        settings = load(config)  # raises ConfigError naming the problem
        if hint.startswith("feeds_opml ="):
            assert settings.feeds_opml is not None
        if hint == "[[feeds]]":
            assert settings.feeds
