"""The digest as an e-mail: building the message once, sending it over SMTP.

The message is built when the digest enters the outbox and stored as bytes, so
a resend after an outage or a crash sends exactly the same message with the
same Message-ID. Sending classifies failures the way the outbox needs them:
temporary (no connection, timeout, a 4xx reply) is retried with backoff,
permanent (a 5xx reply, refused credentials, no STARTTLS) is held for a person.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from html import escape as html_escape
from zoneinfo import ZoneInfo

from monitor import __version__, passwords
from monitor.digest import clip
from monitor.errors import ConfigError, PermanentDeliveryError, TemporaryDeliveryError
from monitor.settings import Settings, SmtpSettings
from monitor.store.outbox import OutboxDigest

log = logging.getLogger("monitor.mail")

# Without an [smtp] table the .eml written beside the digest still needs these.
LOCAL_SENDER = "monitor@monitor.localhost"
NO_RECIPIENTS = "undisclosed-recipients:;"


def one_line(value: str, limit: int = 200) -> str:
    """A header value that can never add or split a header: whitespace runs become one space."""
    return clip(" ".join(value.split()), limit)


def message_domain(settings: Settings) -> str:
    """The domain for Message-ID and List-Id: the sender's, else a local placeholder."""
    sender = settings.smtp.sender if settings.smtp else LOCAL_SENDER
    address = parseaddr(sender)[1]
    return address.rsplit("@", 1)[1].lower() if "@" in address else "monitor.localhost"


def build_message(
    settings: Settings, subject: str, html: str, text: str, message_id: str, now: datetime
) -> bytes:
    """The digest as a ``multipart/alternative`` message (plain text first, then HTML).

    Headers are RFC 2047-encoded where they hold non-ASCII text (a Japanese
    subject arrives intact), bodies are UTF-8 in quoted-printable, so no line
    exceeds 76 octets whatever the digest holds.
    """
    smtp = settings.smtp
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = one_line(subject, 250)
    message["From"] = smtp.sender if smtp else f"{one_line(settings.digest.title)} <{LOCAL_SENDER}>"
    message["To"] = ", ".join(smtp.to) if smtp else NO_RECIPIENTS
    # A real offset (+0900 for Asia/Tokyo), not -0000, so clients show local time.
    message["Date"] = format_datetime(now.astimezone(ZoneInfo(settings.digest.timezone)))
    message["Message-ID"] = message_id
    message["List-Id"] = f"{one_line(settings.digest.title)} <digest.{message_domain(settings)}>"
    # Tells auto-responders (vacation replies, Outlook's out-of-office) not to answer.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Mailer"] = f"monitor {__version__}"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message.as_bytes()


def password(settings: Settings, environ: Mapping[str, str] | None = None) -> str | None:
    """The SMTP password from its configured source; never from the config file itself.

    ``environ`` is where environment variables are looked up (default: ``os.environ``).
    """
    environ = os.environ if environ is None else environ
    smtp = settings.smtp
    if smtp is None or not smtp.username:
        return None
    return passwords.resolve(
        f"{settings.path}: smtp",
        smtp.password_env,
        smtp.password_file,
        smtp.password_credential,
        environ,
    )


def password_source(smtp: SmtpSettings) -> str:
    """Where the password comes from, in words (never the password)."""
    return passwords.describe(
        smtp.password_env, smtp.password_file, smtp.password_credential, unset="no login"
    )


def send_test(settings: Settings, now: datetime) -> str:
    """Send a short test message through the configured SMTP server; return where it went.

    The password comes from its configured source first, so a missing one is a
    ConfigError before any connection; a refusal is a DeliveryError as for a digest.
    """
    smtp = settings.smtp
    if smtp is None:
        raise ConfigError(f"{settings.path}: no [smtp] table: there is no mail server to test")
    secret = password(settings)
    title = one_line(settings.digest.title)
    text = (
        f"This is a test mail from monitor {__version__} ({title}).\n"
        "If you can read it, the daily digest can reach you the same way.\n"
    )
    html = f"<!DOCTYPE html><html><body><p>{html_escape(text)}</p></body></html>"
    message_id = f"<test-{secrets.token_hex(8)}@{message_domain(settings)}>"
    data = build_message(settings, f"{title}: test mail", html, text, message_id, now)
    refused = asyncio.run(_send(data, smtp, secret))
    accepted = [r for r in smtp.to if r not in refused]
    if not accepted:
        raise PermanentDeliveryError(
            f"{_describe(smtp)} refused every recipient: "
            + "; ".join(f"{r}: {reason}" for r, reason in refused.items())
        )
    for recipient, reason in refused.items():
        log.warning("test mail: %s refused %s: %s", _describe(smtp), recipient, reason)
    return f"{_describe(smtp)} for {', '.join(accepted)}"


def _envelope_sender(smtp: SmtpSettings) -> str:
    return parseaddr(smtp.sender)[1] or smtp.sender


def _describe(smtp: SmtpSettings) -> str:
    return f"SMTP {smtp.host}:{smtp.port}"


def send(outbox: OutboxDigest, settings: Settings) -> str:
    """Send the stored message to every recipient; return where it went.

    Raises TemporaryDeliveryError or PermanentDeliveryError with a one-line
    reason (never the password); a ConfigError when the password source is
    missing, which leaves the digest waiting for the next run.
    """
    smtp = settings.smtp
    if smtp is None:  # config validation makes this unreachable from the CLI
        raise PermanentDeliveryError("smtp delivery asked for without an [smtp] table")
    if not outbox.eml:
        raise PermanentDeliveryError(f"digest {outbox.id} has no stored message")
    secret = password(settings)
    refused = asyncio.run(_send(outbox.eml, smtp, secret))
    for recipient, reason in refused.items():
        log.warning("digest %s: %s refused %s: %s", outbox.id, _describe(smtp), recipient, reason)
    accepted = [r for r in smtp.to if r not in refused]
    return f"{_describe(smtp)} for {', '.join(accepted)}"


async def _send(data: bytes, smtp: SmtpSettings, secret: str | None) -> dict[str, str]:
    import aiosmtplib

    where = _describe(smtp)
    try:
        # Each SMTP step has its own timeout; this bounds the whole exchange.
        async with asyncio.timeout(smtp.timeout * 4):
            errors, _reply = await aiosmtplib.send(
                data,
                sender=_envelope_sender(smtp),
                recipients=list(smtp.to),
                hostname=smtp.host,
                port=smtp.port,
                use_tls=smtp.security == "tls",
                start_tls=smtp.security == "starttls",
                username=smtp.username,
                password=secret,
                timeout=smtp.timeout,
            )
    except aiosmtplib.SMTPRecipientsRefused as error:
        replies = [f"{r.recipient}: {r.code} {one_line(r.message)}" for r in error.recipients]
        if any(400 <= r.code < 500 for r in error.recipients):
            raise TemporaryDeliveryError(f"{where} refused for now: {'; '.join(replies)}") from None
        raise PermanentDeliveryError(
            f"{where} refused every recipient: {'; '.join(replies)}"
        ) from None
    except aiosmtplib.SMTPAuthenticationError as error:
        raise PermanentDeliveryError(
            f"{where} refused the login of {smtp.username}: {error.code} {one_line(error.message)}"
        ) from None
    except aiosmtplib.SMTPResponseException as error:
        reply = f"{error.code} {one_line(error.message)}"
        if 400 <= error.code < 500:
            raise TemporaryDeliveryError(f"{where} answered {reply}") from None
        raise PermanentDeliveryError(f"{where} answered {reply}") from None
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected) as error:
        raise TemporaryDeliveryError(f"{where} unreachable: {one_line(str(error))}") from None
    except (aiosmtplib.SMTPTimeoutError, TimeoutError):
        raise TemporaryDeliveryError(f"{where} timed out") from None
    except aiosmtplib.SMTPException as error:
        # Not a reply code: e.g. STARTTLS asked for but not offered. Retrying will not help.
        raise PermanentDeliveryError(f"{where}: {one_line(str(error))}") from None
    except OSError as error:
        raise TemporaryDeliveryError(f"{where} unreachable: {one_line(str(error))}") from None
    return {
        recipient: f"{reply.code} {one_line(reply.message)}" for recipient, reply in errors.items()
    }
