"""Delivery: files (and, through ``mail``, SMTP) for digests waiting in the outbox.

Files are written to a temporary file, fsynced and renamed into place, so a
crash never leaves half a digest. Writing is idempotent: a resend after a crash
writes the same bytes under the same name.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from urllib.parse import quote

from monitor.errors import DeliveryError, TemporaryDeliveryError
from monitor.fsutil import write_atomically
from monitor.settings import Settings
from monitor.store import Store
from monitor.store.outbox import OutboxDigest
from monitor.timeutil import minute_text, to_text

log = logging.getLogger("monitor.deliver")


def write_files(outbox: OutboxDigest, directory: Path) -> list[Path]:
    """Write the digest as ``<id>.html`` and ``<id>.txt`` (plus ``.eml`` when built)."""
    written = []
    parts: list[tuple[str, bytes]] = [
        (".html", outbox.html.encode("utf-8")),
        (".txt", outbox.text.encode("utf-8")),
    ]
    if outbox.eml:
        parts.append((".eml", outbox.eml))
    try:
        for suffix, data in parts:
            path = directory / f"{outbox.id}{suffix}"
            write_atomically(path, data)
            written.append(path)
    except OSError as exc:
        raise TemporaryDeliveryError(
            f"{directory}: cannot write the digest: {exc.strerror}"
        ) from None
    return written


_DIGEST_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.html$")
INDEX_NAME = "index.html"


def write_index(directory: Path, title: str) -> Path:
    """Rewrite ``index.html``: every digest file in ``directory``, newest first, linked.

    Built from the files actually there, so a digest deleted by hand drops out;
    written atomically, so a browser never sees half an index.
    """
    found = []
    for path in directory.iterdir():
        match = _DIGEST_FILE.match(path.name)
        if match:
            found.append((match.group(1), int(match.group(2) or 1), path.name))
    found.sort(reverse=True)
    rows = "\n".join(
        f'<li><a href="{quote(name)}">{escape(day)}</a>'
        + (f" (digest {number} of the day)" if number > 1 else "")
        + "</li>"
        for day, number, name in found
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}: past digests</title>\n</head>\n<body>\n"
        f"<h1>{escape(title)}: past digests</h1>\n<ul>\n{rows}\n</ul>\n</body>\n</html>\n"
    )
    path = directory / INDEX_NAME
    write_atomically(path, page.encode("utf-8"))
    return path


def deliver(outbox: OutboxDigest, settings: Settings) -> list[str]:
    """Deliver one digest to every configured target; return where it went."""
    places: list[str] = []
    if "file" in settings.deliver:
        directory = settings.digest.directory
        places.extend(str(p) for p in write_files(outbox, directory))
        try:
            write_index(directory, settings.digest.title)
        except OSError as exc:
            raise TemporaryDeliveryError(
                f"{directory}: cannot write {INDEX_NAME}: {exc.strerror}"
            ) from None
    if "smtp" in settings.deliver:
        from monitor import mail

        places.append(mail.send(outbox, settings))
    return places


RETRY_FIRST = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


def retry_time(now: datetime, attempts: int) -> datetime:
    """When to try a temporarily failed digest again: doubling from a minute, capped at an hour.

    Jitter (±20 %) keeps many monitors behind one relay from retrying in step.
    """
    delay = min(RETRY_CAP, RETRY_FIRST * 2 ** min(attempts, 16))
    return now + delay * random.uniform(0.8, 1.2)


@dataclass(frozen=True, slots=True)
class FlushResult:
    """What one pass over the outbox did."""

    delivered: tuple[str, ...]
    errors: tuple[str, ...]


def flush_outbox(
    store: Store, settings: Settings, now: datetime, *, due_only: bool = False
) -> FlushResult:
    """Deliver waiting digests, oldest first.

    A digest is marked sent, with its stories, in one transaction after every
    target accepted it. A temporary failure keeps it waiting with a retry time
    and stops the pass (the digests behind it wait their turn); a permanent one
    marks it failed, to be reopened by a person (`monitor outbox --retry`).
    ``due_only`` does nothing until the oldest waiting digest's retry time has
    come (the daemon's retry loop); a run by hand tries everything that waits.
    """
    # One sender at a time across workers: the outbox is claimed, and what waits
    # is read only once it is ours, so no digest goes out twice.
    with store.try_lock("outbox") as ours:
        if not ours:
            return FlushResult((), ())
        return _flush(store, settings, now, due_only=due_only)


def _flush(store: Store, settings: Settings, now: datetime, *, due_only: bool) -> FlushResult:
    delivered: list[str] = []
    errors: list[str] = []
    waiting = store.pending_digests()
    retrying = [d for d in waiting if d.status != "failed"]
    if due_only and retrying and (retrying[0].next_attempt or "") > to_text(now):
        return FlushResult((), ())
    for outbox in waiting:
        if outbox.status == "failed":
            errors.append(
                f"digest {outbox.id}: held after a permanent failure: {outbox.last_error}"
                " (fix the cause, then `monitor outbox --retry`)"
            )
            continue
        try:
            places = deliver(outbox, settings)
        except TemporaryDeliveryError as error:
            retry_at = retry_time(now, outbox.attempts)
            with store.transaction():
                store.mark_digest_failed(outbox.id, str(error), retry_at, permanent=False)
            errors.append(
                f"digest {outbox.id}: {error}; kept in the outbox, "
                f"next try after {minute_text(retry_at)}"
            )
            break
        except DeliveryError as error:
            with store.transaction():
                store.mark_digest_failed(outbox.id, str(error), None, permanent=True)
            errors.append(f"digest {outbox.id}: {error}; kept in the outbox, not retried")
            continue
        with store.transaction():
            store.mark_digest_sent(outbox.id, now)
        delivered.append(outbox.id)
        log.info(
            "digest %s (%d stories) delivered to %s",
            outbox.id,
            outbox.story_count,
            ", ".join(places),
        )
    return FlushResult(tuple(delivered), tuple(errors))
