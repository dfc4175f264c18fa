"""A market report's session, and the key the novelty index files it under.

One market's session of one day is one event, however unlike two of its reports read
(``monitor.pairscore``'s market link); ``NoveltyIndex`` finds them by ``market_key``.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from datetime import UTC, datetime

from monitor.facts import market_move, previews, session_by_clock
from monitor.fingerprint import Fingerprint


def market_key(fp: Fingerprint) -> int:
    """A market report's market and session as one number (0: not a market report).

    Reports of one market's session of one day are one event however unlike they read
    (an English and a Japanese close naming other stocks: cosine 0.35 on
    bench/data/holdout8, below the semantic tier's floor), so the index finds them by this key.
    """
    market = market_move(fp.headline)[0]
    if not (market and fp.session):
        return 0
    return (zlib.crc32(f"{market}|{fp.session}".encode()) & 0x7FFFFFFF) | 1


def clocked(fp: Fingerprint, published: int) -> Fingerprint:
    """``fp`` with the session of a market report that names none, read from the clock."""
    if fp.session or not market_move(fp.headline)[0] or previews(fp.headline):
        return fp
    clock = session_by_clock(datetime.fromtimestamp(published, UTC))
    return replace(fp, session=clock) if clock else fp
