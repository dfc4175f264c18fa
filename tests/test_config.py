"""Config: the default loads; every mistake gets one line naming file, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load, resolve_path
from monitor.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_loads_with_paths_relative_to_the_file(project: Path) -> None:
    settings = load(project / "config.toml")
    assert settings.state == project / "state" / "monitor.db"
    assert settings.corpus == (project / "seeds",)
    assert settings.digest.directory == project / "digests"
    assert settings.deliver == ("file",)
    assert settings.smtp is None
    assert ("japan", "ai") in settings.relevance.rules


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, "[novelty]\nwindow_dayz = 3\n")
    with pytest.raises(ConfigError) as error:
        load(path)
    message = str(error.value)
    assert f"{path}: novelty.window_dayz: unknown key (did you mean 'window_days'?)" in message


def test_wrong_type_names_key_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path, '[novelty]\nwindow_days = "thirty"\n')
    with pytest.raises(
        ConfigError, match=r"novelty\.window_days: expected a number from 0.5 to 3650"
    ):
        load(path)


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'deliver = ["pigeon"]\n[digest]\nmax_stories = 0\ntimezone = "Mars/Olympus"\n',
    )
    with pytest.raises(ConfigError) as error:
        load(path)
    lines = str(error.value).splitlines()
    assert len(lines) == 3
    assert any("deliver: unknown target 'pigeon'" in line for line in lines)
    assert any("digest.max_stories" in line for line in lines)
    assert any("digest.timezone" in line and "Mars/Olympus" in line for line in lines)


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(write(tmp_path, "state = \n"))


def test_password_in_config_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[smtp]\nhost = "mail.example"\nfrom = "a@example.com"\nto = ["b@example.com"]\n'
        'password = "hunter2"\n',
    )
    with pytest.raises(ConfigError) as error:
        load(path)
    assert "smtp.password: never put a password in the config" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_feed_url_must_be_http(tmp_path: Path) -> None:
    path = write(tmp_path, '[[feeds]]\nurl = "file:///etc/passwd"\n')
    with pytest.raises(ConfigError, match=r"feeds\[1\]\.url: expected an http:// or https:// URL"):
        load(path)


def test_relevance_rule_must_name_known_groups(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[relevance]\nrules = ["japan+robots"]\n'
        "[relevance.groups.japan]\nterms = { Japan = 1.0 }\n",
    )
    with pytest.raises(ConfigError, match="names unknown group 'robots'"):
        load(path)


@pytest.mark.parametrize(
    ("rule", "message"),
    [("japan+robots", "names unknown group 'robots'"), ("japan", "must name two groups")],
)
def test_a_driver_rule_names_two_known_groups(tmp_path: Path, rule: str, message: str) -> None:
    path = write(
        tmp_path,
        f'[relevance]\nrules = ["japan"]\ndriver_rules = ["{rule}"]\n'
        "[relevance.groups.japan]\nterms = { Japan = 1.0 }\n",
    )
    with pytest.raises(ConfigError, match=message):
        load(path)


def test_config_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MONITOR_CONFIG", str(tmp_path / "from-env.toml"))
    assert resolve_path(None) == tmp_path / "from-env.toml"
    assert resolve_path(str(tmp_path / "explicit.toml")) == tmp_path / "explicit.toml"
    monkeypatch.delenv("MONITOR_CONFIG")
    monkeypatch.chdir(tmp_path)
    assert resolve_path(None) == tmp_path / "config.toml"


def test_check_config_warns_when_there_is_no_topic_profile(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from monitor.cli import main

    config = tmp_path / "config.toml"
    config.write_text("corpus = []\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "check-config"])
    assert result.exit_code == 0
    assert "no story is ever relevant" in result.stdout
    assert "no [relevance] topic profile" in result.stderr


# -- password sources: one rule for [smtp] and [postgresql] (config_reader.read_password_source)

SMTP = '[smtp]\nhost = "mail.example"\nfrom = "a@example.com"\nto = ["b@example.com"]\n'
POSTGRES = 'state = "postgresql://monitor@db.example/news"\n[postgresql]\n'
SECTIONS = {"smtp": SMTP, "postgresql": POSTGRES}


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load(path)
    return str(error.value).splitlines()


@pytest.mark.parametrize("name", SECTIONS)
def test_a_password_written_in_a_section_is_one_line_that_never_shows_it(
    tmp_path: Path, name: str
) -> None:
    lines = _errors(tmp_path, SECTIONS[name] + 'password = "hunter2"\n')
    assert lines == [
        f"{tmp_path / 'config.toml'}: {name}.password: never put a password in the config: "
        "use password_env or password_file"
    ]


@pytest.mark.parametrize("name", SECTIONS)
def test_two_password_sources_are_one_line_naming_the_second(tmp_path: Path, name: str) -> None:
    text = SECTIONS[name] + 'password_env = "PW"\npassword_credential = "pw"\n'
    assert _errors(tmp_path, text) == [
        f"{tmp_path / 'config.toml'}: {name}.password_credential: "
        "give only one of password_env, password_credential"
    ]


@pytest.mark.parametrize("name", SECTIONS)
def test_each_password_mistake_is_its_own_line(tmp_path: Path, name: str) -> None:
    text = SECTIONS[name] + 'password = "hunter2"\npassword_env = 7\npassword_file = "pw"\n'
    lines = _errors(tmp_path, text)
    assert len(lines) == 3, lines
    assert any(f"{name}.password: never put a password" in line for line in lines)
    assert any(f"{name}.password_file: give only one of password_env, password_file" in line
               for line in lines)  # fmt: skip
    assert any(f"{name}.password_env: expected a string, got 7" in line for line in lines)
    assert not any("hunter2" in line for line in lines)


@pytest.mark.parametrize("name", SECTIONS)
def test_a_password_file_is_read_relative_to_the_config(tmp_path: Path, name: str) -> None:
    settings = load(write(tmp_path, SECTIONS[name] + 'password_file = "secrets/pw"\n'))
    target = settings.smtp if name == "smtp" else settings.state
    assert target.password_file == tmp_path / "secrets" / "pw"  # type: ignore[union-attr]
    assert target.password_env is None and target.password_credential is None  # type: ignore[union-attr]
