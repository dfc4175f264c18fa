"""Progress over a poll or a judge pass: a live line on a terminal, plain log lines otherwise.

Under systemd (stderr not a terminal) a carriage-return progress bar would
fill the journal with garbage, so it logs one line per tenth of the work
instead. On a terminal the live line is drawn only when asked for.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

log = logging.getLogger("monitor.feeds")
REDRAW_SECONDS = 0.1


class Progress:
    """Counts finished work (feeds by default) and shows the count in the way stderr allows."""

    def __init__(
        self,
        total: int,
        *,
        live: bool,
        stream: TextIO | None = None,
        what: str = "feeds",
        done: str = "polled",
        logger: logging.Logger | None = None,
    ):
        self.what, self.done_word, self.log = what, done, logger or log
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        terminal = self.stream.isatty()
        self.live = live and terminal and total > 0
        self.logged = not terminal and total > 0
        self._drawn = 0.0
        self._logged_tenth = 0

    def _line(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.what}: {self.done}/{self.total} {self.done_word}{failed}"

    def step(self, *, failed: bool = False) -> None:
        """One more finished."""
        self.done += 1
        self.failed += failed
        if self.live:
            now = time.monotonic()
            if now - self._drawn >= REDRAW_SECONDS or self.done == self.total:
                self._drawn = now
                width = 24
                filled = width * self.done // self.total
                bar = "#" * filled + "-" * (width - filled)
                self.stream.write(f"\r[{bar}] {self._line()}")
                self.stream.flush()
            return
        tenth = 10 * self.done // self.total if self.logged else 0
        if tenth > self._logged_tenth:
            self._logged_tenth = tenth
            self.log.info("%s", self._line())

    def finish(self) -> None:
        """End the live line so the next output starts on its own line."""
        if self.live and self.done:
            self.stream.write("\n")
            self.stream.flush()
