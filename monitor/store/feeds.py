"""Per-feed state: conditional-GET validators, failures, backoff and health."""

from __future__ import annotations

import sqlite3


class FeedStateMixin:
    """SQL for the ``sources`` rows of kind 'feed'. Mixed into ``Store``."""

    db: sqlite3.Connection
