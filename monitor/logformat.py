"""Log lines for people and for journald: one record, one line.

Journald and log shippers split on line breaks, and some of what is logged
comes from feeds (titles, extraction notes) or spans lines (tracebacks). So
every record is formatted, traceback included, and then its control
characters are escaped (a newline becomes ``\\n``): one event, one line, and
nothing a feed writes can forge a line of its own.

Under systemd (stderr connected to the journal) each line starts with its
syslog priority, ``<3>`` error ... ``<7>`` debug, which journald reads and
strips, so ``journalctl -p warning`` shows warnings and errors only.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import TextIO

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))
DEBUG_PRIORITY = 7
FORMAT = "monitor: %(levelname)s: %(message)s"


def one_line(text: str) -> str:
    """``text`` with every control character escaped, so it prints as a single line."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def priority(level: int) -> int:
    """The syslog priority (RFC 5424 severity) for a logging level."""
    for floor, value in PRIORITIES:
        if level >= floor:
            return value
    return DEBUG_PRIORITY


def to_journal(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (stderr by default) is systemd's journal stream.

    systemd sets ``JOURNAL_STREAM=device:inode`` for a unit whose output goes
    to the journal; it is trusted only when it names this very stream (a
    child whose stderr was redirected inherits the variable). Without it,
    ``INVOCATION_ID`` (set for every unit) says a unit started us.
    """
    stream = stream if stream is not None else sys.stderr
    named = os.environ.get("JOURNAL_STREAM", "")
    if named:
        try:
            st = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            return False
        return named == f"{st.st_dev}:{st.st_ino}"
    return bool(os.environ.get("INVOCATION_ID"))


class OneLineFormatter(logging.Formatter):
    """``monitor: LEVEL: message`` on one line, with a syslog prefix for the journal."""

    def __init__(self, fmt: str = FORMAT, *, journal: bool = False) -> None:
        super().__init__(fmt)
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        line = one_line(super().format(record))
        return f"<{priority(record.levelno)}>{line}" if self.journal else line


def error_line(text: str, stream: TextIO | None = None) -> str:
    """An error message printed outside logging, in the same one-line form."""
    line = one_line(text)
    return f"<{priority(logging.ERROR)}>{line}" if to_journal(stream) else line
