"""Estimates from a fingerprint's sketches, shared by the pair features and the event rules."""

from __future__ import annotations

__all__ = ["bbit_jaccard"]


def bbit_jaccard(a: bytes, b: bytes) -> float:
    """Jaccard estimated from two b-bit MinHashes (chance matches of the low byte removed)."""
    import numpy as np

    match = float((np.frombuffer(a, np.uint8) == np.frombuffer(b, np.uint8)).mean())
    if not any(a) or not any(b):
        return 0.0
    return min(1.0, max(0.0, (match - 1 / 256) / (1 - 1 / 256)))
