"""The corpus source: a directory of articles (.txt, .md, .html) read on every run.

A document's key is its path plus a hash of its bytes, so an unchanged file is
recognised as already seen, and an edited one is judged again (and folds into
its earlier version if nothing new was added).

A file's date, publisher and address come from its front matter or its HTML
meta tags (``monitor.sources.filemeta``); a file that gives no date is dated by
its modification time, one that names no publisher is from "local corpus".
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from monitor.model import ContentType, Document
from monitor.sources import Collected
from monitor.sources.filemeta import front_matter, html_meta
from monitor.urls import host_of, is_web_url

SOURCE_ID = "corpus"
SOURCE_NAME = "local corpus"
MAX_FILE_BYTES = 5 * 1024 * 1024
CONTENT_TYPES: dict[str, ContentType] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


def _display_path(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8")


def read_file(path: Path, base: Path, now: datetime) -> Document:
    """Read one article file; raise ValueError/OSError with a reason for a bad one."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
    raw = path.read_bytes()
    try:
        body = _decode(raw)
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if not body.strip():
        raise ValueError("empty file")
    name = _display_path(path, base)
    digest = hashlib.sha256(raw).hexdigest()[:16]
    content_type = CONTENT_TYPES[path.suffix.lower()]
    meta = html_meta(body) if content_type == "html" else front_matter(body)
    url = meta.url if meta.url and is_web_url(meta.url) else None
    published, dated_by = meta.published, meta.dated_by
    if published is None:
        published = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        dated_by = "the file's modification time (it gives no date)"
    return Document(
        source_id=SOURCE_ID,
        source_name=meta.source or (host_of(url).removeprefix("www.") if url else SOURCE_NAME),
        key=f"corpus:{name}:{digest}",
        body=meta.body,
        content_type=content_type,
        fetched_at=now,
        url=url,
        # An HTML page's og:title is often "Headline | Site": its own <h1> is better.
        title=meta.title if content_type != "html" else None,
        published=published,
        dated_by=dated_by,
    )


def file_of(doc_key: str) -> str | None:
    """The corpus file (as shown to users) a document key names, or None for a feed's."""
    prefix, _, rest = doc_key.partition(":")
    return rest.rpartition(":")[0] or None if prefix == SOURCE_ID else None


def collect(directories: tuple[Path, ...], base: Path, now: datetime) -> Collected:
    """Every article under the corpus directories, in path order; bad files become problems."""
    documents: list[Document] = []
    problems: list[str] = []
    for directory in directories:
        shown = _display_path(directory, base)
        if not directory.is_dir():
            problems.append(f"{shown}: corpus directory not found, skipped")
            continue
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                path = Path(root) / name
                if name.startswith(".") or path.suffix.lower() not in CONTENT_TYPES:
                    continue
                try:
                    documents.append(read_file(path, base, now))
                except (OSError, ValueError) as exc:
                    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                    problems.append(f"{_display_path(path, base)}: {reason}, skipped")
    return Collected(tuple(documents), tuple(problems))
