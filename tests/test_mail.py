"""Mail delivery end to end: a real SMTP server (aiosmtpd) on 127.0.0.1, a real SQLite store.

What a reader of the digest would notice: it arrives once, in both parts, with
Japanese intact and sane headers; a hostile feed cannot add a header or a
script; an outage keeps the digest and the next run sends the very same
message; a rejected message is held, not lost.
"""

from __future__ import annotations

import dataclasses
import email.utils
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import Result
from conftest_feeds import FeedServer, feed_server
from conftest_smtp import SmtpServer, add_smtp, smtp_server

from monitor import runner
from monitor.config import load
from monitor.store import Store
from monitor.timeutil import utcnow

__all__ = ["feed_server", "smtp_server"]  # fixtures, used by name

Cli = Callable[..., Result]
JAPANESE_ARTICLE = (Path(__file__).parent / "data" / "ja_softbank_llm.txt").read_text(
    encoding="utf-8"
)


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_the_digest_arrives_as_one_well_formed_message(
    cli: Cli, project: Path, smtp_server: SmtpServer
) -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8").replace(
        'title = "Japan AI & SoftBank monitor"', 'title = "日本のAI・ソフトバンク速報"'
    )
    config.write_text(text, encoding="utf-8")
    add_smtp(config, smtp_server.port, 'subject = "{title}：新着{count}件 ({date})"\n')
    (project / "seeds" / "005_ja.txt").write_text(JAPANESE_ARTICLE, encoding="utf-8")

    result = cli("run-once")
    assert result.exit_code == 0, result.output
    (raw,) = smtp_server.wait_for(1)
    assert raw.recipients == ["reader@example.com"]
    assert raw.sender == "digest@monitor.example"
    assert max(len(line) for line in raw.data.split(b"\r\n")) <= 998
    message = raw.parsed()

    assert message.get_content_type() == "multipart/alternative"
    assert re.fullmatch(
        r"日本のAI・ソフトバンク速報：新着5件 \(\d{4}-\d\d-\d\d\)", message["Subject"]
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert "digest.monitor.example" in message["List-Id"]
    assert message["Message-ID"].endswith("@monitor.example>")
    date = email.utils.parsedate_to_datetime(message["Date"])
    assert date.utcoffset() == timedelta(hours=9)  # Asia/Tokyo, not -0000
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    assert "孫正義会長" in body["text/plain"] and "孫正義会長" in body["text/html"]
    assert len(body["text/html"].encode("utf-8")) < 90_000
    # The same stories and links in both parts.
    links = set(re.findall(r'href="(https?://[^"]+)"', body["text/html"]))
    assert links <= set(re.findall(r"https?://\S+", body["text/plain"]))
    headlines = re.findall(r'class="headline"[^>]*>(?:<a [^>]*>)?([^<]+)', body["text/html"])
    assert len(headlines) == 5
    # Plain text wraps long headlines: compare with the line breaks taken out.
    unwrapped = re.sub(r"\r?\n +", " ", body["text/plain"])
    for headline in headlines:
        assert headline.strip() in unwrapped

    # Files were written too (deliver = file + smtp), with the very same message.
    (eml,) = (project / "digests").glob("*.eml")
    assert eml.read_bytes() == raw.data
    assert "Delivered digest" in result.stdout


def test_a_hostile_feed_title_adds_no_header_and_no_script(
    project: Path, cli: Cli, smtp_server: SmtpServer, feed_server: FeedServer
) -> None:
    hostile = (
        "SoftBank and Japan&#39;s AI push&#13;&#10;Bcc: victim@evil.example&#13;&#10;"
        "X-Injected: yes &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title>'
        f"<item><title>{hostile}</title><link>https://evil.example/a</link>"
        "<description>&lt;p&gt;SoftBank's Masayoshi Son said generative AI in Japan needs "
        "more data centres.&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
        '&lt;img src="javascript:alert(3)"&gt;</description></item></channel></rss>'
    ).encode()
    url = feed_server.static("/hostile.xml", feed)
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "[digest]", f'[[feeds]]\nurl = "{url}"\nname = "Hostile"\n\n[digest]', 1
        ),
        encoding="utf-8",
    )
    add_smtp(config, smtp_server.port)

    result = cli("run-once")
    assert result.exit_code == 0, result.output
    (raw,) = smtp_server.wait_for(1)
    assert raw.recipients == ["reader@example.com"]
    message = raw.parsed()
    assert message["Bcc"] is None and message["X-Injected"] is None
    body = parts(message)
    assert "Bcc: victim@evil.example" in body["text/plain"]  # shown as text, in a body
    html = body["text/html"].lower()
    assert "<script" not in html and "javascript:" not in html
    assert "softbank and japan" in html


def test_an_outage_keeps_the_digest_and_the_next_run_sends_the_same_message(
    cli: Cli, project: Path, smtp_server: SmtpServer
) -> None:
    add_smtp(project / "config.toml", smtp_server.port)
    smtp_server.stop()

    failed = cli("run-once")
    assert failed.exit_code == 1
    error_lines = [line for line in failed.stderr.splitlines() if "error" in line]
    assert (
        error_lines and "unreachable" in error_lines[0] and "kept in the outbox" in error_lines[0]
    )
    assert "Traceback" not in failed.output
    listing = cli("outbox")
    assert listing.exit_code == 0
    assert "4 stories" in listing.stdout and "next try after" in listing.stdout
    with Store(project / "state/monitor.db", readonly=True) as store:
        (waiting,) = store.pending_digests()

    smtp_server.start()
    assert cli("run-once").exit_code == 0
    (first,) = smtp_server.wait_for(1)
    assert first.parsed()["Message-ID"] == waiting.message_id
    assert first.data == waiting.eml

    # Nothing is sent twice, and a new article comes alone in the next digest.
    (project / "seeds" / "005_ja.txt").write_text(JAPANESE_ARTICLE, encoding="utf-8")
    assert cli("run-once").exit_code == 0
    messages = smtp_server.wait_for(2)
    assert len(messages) == 2
    second = parts(messages[1].parsed())["text/plain"]
    assert "孫正義会長" in second and "1 story" in second
    assert cli("outbox").stdout.startswith("The outbox is empty")


def test_a_rejected_message_is_held_until_a_person_reopens_it(
    cli: Cli, project: Path, smtp_server: SmtpServer
) -> None:
    add_smtp(project / "config.toml", smtp_server.port)
    smtp_server.reply = "554 5.7.1 Message rejected as spam"

    failed = cli("run-once")
    assert failed.exit_code == 1
    assert "554 5.7.1 Message rejected as spam" in failed.stderr
    assert "not retried" in failed.stderr
    smtp_server.reply = "250 OK"
    held = cli("run-once")  # a held digest is not resent on its own
    assert held.exit_code == 1 and "held after a permanent failure" in held.stderr
    assert smtp_server.messages == []
    assert "held: permanent failure" in cli("outbox").stdout

    assert cli("outbox", "--retry").exit_code == 0
    assert cli("run-once").exit_code == 0
    assert len(smtp_server.wait_for(1)) == 1


def test_a_temporary_refusal_waits_for_its_retry_time(
    project: Path, smtp_server: SmtpServer
) -> None:
    add_smtp(project / "config.toml", smtp_server.port)
    settings = load(project / "config.toml")
    smtp_server.reply = "451 4.3.0 Try again later"
    now = utcnow()
    with Store(settings.state) as store:
        result = runner.run_once(store, settings, now)
        assert "451 4.3.0 Try again later" in result.delivery_errors[0]
        (waiting,) = store.pending_digests()
        assert waiting.attempts == 1 and waiting.next_attempt is not None
        smtp_server.reply = "250 OK"
        # Too early: the daemon's retry pass leaves it alone.
        assert runner.retry_waiting(store, settings, now + timedelta(seconds=10)).delivered == ()
        later = runner.retry_waiting(store, settings, now + timedelta(minutes=5))
        assert later.delivered == (waiting.id,)
    assert len(smtp_server.wait_for(1)) == 1


def test_a_missing_password_is_a_config_error_and_the_digest_waits(
    cli: Cli, project: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_TEST_SMTP_PASSWORD", raising=False)
    add_smtp(
        project / "config.toml",
        smtp_server.port,
        'username = "digest"\npassword_env = "MONITOR_TEST_SMTP_PASSWORD"\n',
    )
    result = cli("run-once")
    assert result.exit_code == 2
    assert "MONITOR_TEST_SMTP_PASSWORD is not set" in result.stderr
    assert "4 stories" in cli("outbox").stdout


def test_the_password_is_read_from_a_systemd_credential_and_never_logged(
    cli: Cli, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    from conftest_smtp import Received, Recorder, free_port

    secret = "s3cret-Pa55"
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == secret.encode())

    inbox = SmtpServer(free_port())
    controller = Controller(
        Recorder(inbox),
        hostname="127.0.0.1",
        port=inbox.port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "smtp-password").write_text(secret + "\n", encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    add_smtp(
        project / "config.toml",
        inbox.port,
        'username = "digest"\npassword_credential = "smtp-password"\n',
    )
    controller.start()
    try:
        result = cli("--debug", "run-once")
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert logins == [(b"digest", secret.encode())]
    assert isinstance(inbox.messages[0], Received)
    assert secret not in result.output and secret not in result.stderr


def test_an_oversized_digest_holds_its_lowest_stories_for_the_next_one(project: Path) -> None:
    settings = load(project / "config.toml")
    with Store(settings.state) as store:
        built = runner.preview(store, settings, utcnow()).digest
    assert built is not None and len(built.stories) == 4
    long_extract = "SoftBank and Japan's AI industry. " * 150
    many = tuple(
        dataclasses.replace(story, extract=long_extract)
        for _ in range(15)
        for story in built.stories
    )
    fitted, html = runner._fit(dataclasses.replace(built, stories=many), settings)
    assert len(html.encode("utf-8")) <= runner.HTML_BUDGET
    assert 0 < len(fitted.stories) < len(many)
    assert fitted.skipped["held_for_next_digest"] == len(many) - len(fitted.stories)
    assert "did not fit; the next digest carries them" in html


def test_a_subject_with_line_breaks_stays_one_header(project: Path) -> None:
    from monitor import mail

    settings = load(project / "config.toml")
    data = mail.build_message(
        settings, "Digest\r\nBcc: victim@evil.example", "<p>x</p>", "x", "<id@example>", utcnow()
    )
    message = message_from_bytes(data, policy=policy.default)
    assert message["Bcc"] is None
    assert message["Subject"] == "Digest Bcc: victim@evil.example"


@pytest.mark.skipif(shutil.which("spamassassin") is None, reason="spamassassin is not installed")
def test_spamassassin_local_tests_score_it_at_most_1(cli: Cli, project: Path) -> None:
    config = project / "config.toml"
    add_smtp(config, 25, 'subject = "{title}：新着{count}件 ({date})"\n')
    (project / "seeds" / "005_ja.txt").write_text(JAPANESE_ARTICLE, encoding="utf-8")
    settings = load(config)
    with Store(settings.state) as store:
        built = runner.run_once(store, dataclasses.replace(settings, deliver=("file",)), utcnow())
    assert built.digest_id is not None
    eml = (project / "digests" / f"{built.digest_id}.eml").read_bytes()
    checked = subprocess.run(
        ["spamassassin", "-t", "-L"], input=eml, capture_output=True, timeout=120
    )
    status = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", checked.stdout)
    assert status, checked.stderr.decode(errors="replace")
    assert float(status.group(1)) <= 1.0, checked.stdout.decode(errors="replace")[-3000:]
