"""Delivery: files (and, through ``mail``, SMTP) for digests waiting in the outbox.

Files are written to a temporary file, fsynced and renamed into place, so a
crash never leaves half a digest. Writing is idempotent: a resend after a crash
writes the same bytes under the same name.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from monitor.config import Settings
from monitor.errors import DeliveryError, TemporaryDeliveryError
from monitor.fsutil import write_atomically
from monitor.store import Store
from monitor.store.outbox import OutboxDigest

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


def deliver(outbox: OutboxDigest, settings: Settings) -> list[str]:
    """Deliver one digest to every configured target; return where it went."""
    places: list[str] = []
    if "file" in settings.deliver:
        places.extend(str(p) for p in write_files(outbox, settings.digest.directory))
    if "smtp" in settings.deliver:
        from monitor import mail

        places.append(mail.send(outbox, settings))
    return places


def flush_outbox(store: Store, settings: Settings, now: datetime) -> tuple[list[str], list[str]]:
    """Deliver every waiting digest, oldest first; return (delivered ids, error lines).

    A digest is marked sent, with its stories, in one transaction after every
    target accepted it; a failure leaves it waiting with the reason.
    """
    delivered, errors = [], []
    for outbox in store.pending_digests():
        if outbox.status == "failed":
            errors.append(f"digest {outbox.id}: not retried: {outbox.last_error}")
            continue
        try:
            places = deliver(outbox, settings)
        except DeliveryError as error:
            permanent = not isinstance(error, TemporaryDeliveryError)
            with store.transaction():
                store.mark_digest_failed(outbox.id, str(error), None, permanent=permanent)
            errors.append(f"digest {outbox.id}: {error}")
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
    return delivered, errors
