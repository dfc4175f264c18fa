"""Counted nouns in messages a reader or an operator sees: "1 story", "2 stories"."""

from __future__ import annotations

_IRREGULAR = {"story": "stories", "entry": "entries", "copy": "copies", "reply": "replies"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word`` in agreement: ``plural(1, "story")`` is "1 story", 2 "2 stories".

    ``many`` names the plural when it is not the word plus "s" (nor a known -y word).
    """
    if count == 1:
        return f"{count} {word}"
    head, _, last = word.rpartition(" ")
    form = many or _IRREGULAR.get(last, last + "s")
    return f"{count} {head + ' ' if head else ''}{form}"


def listing(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
