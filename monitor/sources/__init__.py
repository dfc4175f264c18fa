"""Sources: where documents come from (a local corpus, RSS/Atom feeds).

A source turns the outside world into ``Document`` values plus a list of
problems (one line each, naming the culprit). A problem never stops the run:
the other files and feeds are still read.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model import Document


@dataclass(frozen=True, slots=True)
class Collected:
    """What one source yielded: its documents and the problems met on the way."""

    documents: tuple[Document, ...]
    problems: tuple[str, ...] = ()
