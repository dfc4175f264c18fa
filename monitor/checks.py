"""What `check-config` finds beyond a valid file: would `run-once` work, and do anything?

``load`` only checks the file's own values. These checks look at the world the
config points to: the password source, placeholder hosts, whether there is any
source at all, corpus directories, the OPML file and feeds listed twice. Each
finding is an error (run-once would fail: exit 2) or a warning that says what
run-once will do instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr

from monitor.errors import ConfigError
from monitor.settings import FeedSettings, Settings
from monitor.urls import canonical

# RFC 2606 / RFC 6761 names that never reach a real mail server.
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
PLACEHOLDER_SUFFIXES = (".example", ".invalid", ".test")


@dataclass
class Findings:
    """Errors (run-once would fail) and warnings (it would do less than asked)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def is_placeholder(domain: str) -> bool:
    """Whether a host or mail domain is a documentation placeholder (example.com, *.test)."""
    name = domain.strip().rstrip(".").lower()
    if name in PLACEHOLDER_DOMAINS or name.endswith(PLACEHOLDER_SUFFIXES):
        return True
    return any(name.endswith("." + reserved) for reserved in PLACEHOLDER_DOMAINS)


def _check_password(settings: Settings, environ: Mapping[str, str], found: Findings) -> None:
    from monitor import mail

    smtp = settings.smtp
    if smtp is None:
        return
    where = f"{settings.path}: smtp"
    if not smtp.username:
        if smtp.password_env or smtp.password_file or smtp.password_credential:
            found.warnings.append(
                f"{where}: a password source but no username: mail is sent without a login"
            )
        return
    if smtp.password_credential and not environ.get("CREDENTIALS_DIRECTORY"):
        # Normal in a shell: systemd provides the directory only inside the unit.
        found.warnings.append(
            f"{where}.password_credential: $CREDENTIALS_DIRECTORY is not set here, so the "
            f"credential {smtp.password_credential!r} is not checked; the units provide it "
            "(LoadCredential=), and run-once outside systemd would fail to send"
        )
        return
    try:
        mail.password(settings, environ)
    except ConfigError as exc:
        found.errors.append(f"{exc}: run-once would fail to send mail")


def _check_smtp_targets(settings: Settings, found: Findings) -> None:
    smtp = settings.smtp
    if smtp is None or "smtp" not in settings.deliver:
        return
    where = f"{settings.path}: smtp"
    if is_placeholder(smtp.host):
        found.errors.append(
            f"{where}.host: {smtp.host!r} is a placeholder: set your SMTP server "
            '(or drop "smtp" from deliver), otherwise every digest waits in the outbox'
        )
    for address in smtp.to:
        domain = parseaddr(address)[1].rpartition("@")[2]
        if is_placeholder(domain):
            found.warnings.append(
                f"{where}.to: {address!r} is a placeholder address: that mail goes nowhere"
            )


def _check_sources(
    settings: Settings, feeds: list[FeedSettings], opml_problems: list[str], found: Findings
) -> None:
    for directory in settings.corpus:
        if not directory.exists():
            found.warnings.append(
                f"{settings.path}: corpus: {directory} does not exist: run-once skips it"
            )
        elif not directory.is_dir():
            found.warnings.append(
                f"{settings.path}: corpus: {directory} is not a directory: run-once skips it"
            )
    for problem in opml_problems:
        found.warnings.append(f"{problem}: run-once polls the other feeds")
    readable_corpus = [d for d in settings.corpus if d.is_dir()]
    if not feeds and not readable_corpus:
        found.warnings.append(
            f"{settings.path}: no feeds and no corpus directory: run-once reads nothing and "
            "every digest is empty (add [[feeds]], feeds_opml or corpus)"
        )


def _check_duplicates(settings: Settings, opml: list[FeedSettings], found: Findings) -> None:
    """A feed listed twice is polled once; say which entry wins."""
    first: dict[str, str] = {}
    entries = [(f"feeds[{i + 1}]", feed) for i, feed in enumerate(settings.feeds)]
    entries += [(f"{settings.feeds_opml} outline", feed) for feed in opml]
    for label, feed in entries:
        key = canonical(feed.url)
        if key in first:
            found.warnings.append(
                f"{settings.path}: {label} {feed.url} is the same feed as {first[key]}: "
                f"it is polled once, with the settings of {first[key]}"
            )
        else:
            first[key] = label


def check(settings: Settings, environ: Mapping[str, str] | None = None) -> Findings:
    """Everything that would make run-once fail or do less than the config suggests."""
    from monitor.sources.feedlist import configured_feeds
    from monitor.sources.opml import read_opml

    found = Findings()
    environ = os.environ if environ is None else environ
    _check_password(settings, environ, found)
    _check_smtp_targets(settings, found)
    feeds, opml_problems = configured_feeds(settings)
    _check_sources(settings, feeds, opml_problems, found)
    opml: list[FeedSettings] = []
    if settings.feeds_opml is not None:
        try:
            opml = read_opml(settings.feeds_opml)[0]
        except ConfigError:
            opml = []
    _check_duplicates(settings, opml, found)
    return found
