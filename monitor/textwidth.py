"""Text by display width: wrapping mixed Japanese and Latin text for the plain-text digest.

A terminal or a mail client in a monospaced font shows a kanji or kana as two
columns, so ``len()`` halves the true width of a Japanese line. ``wrap`` counts
columns with ``wcwidth`` and breaks where Japanese typesetting allows it:

* between two CJK characters (Japanese has no spaces between words),
* at a space, except inside a run of Latin words that sits in Japanese text
  ("Sakana AIは…": the run is a name, so "Sakana" / "AI" is never split),
* never inside a Latin word, and never before closing punctuation (。、」) or
  after opening punctuation (「（), the simplest of the kinsoku rules.

A unit wider than the line is put on a line of its own rather than cut.
"""

from __future__ import annotations

import re

import wcwidth

# Kana, kanji, CJK punctuation and full-width forms: a line may break between any two.
_CJK_CLASS = "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u9fff\uff00-\uffef"
_CJK = re.compile(f"[{_CJK_CLASS}]")
# Unbreakable tokens: a run of spaces, a Latin word with its punctuation, one CJK character.
_TOKEN = re.compile(f"\\s+|[^\\s{_CJK_CLASS}]+|.")
# A run of Latin words inside Japanese text is kept on one line up to this many columns.
NAME_COLUMNS = 24
# Never at the start of a line.
_CLOSING = frozenset(
    "。、，．・：；！？」』）】〕〉》”’ー～…ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
_CLOSING |= frozenset(".,;:!?)]}%")
# Never at the end of a line.
_OPENING = frozenset("「『（【〔〈《“‘([{")
# Full-width punctuation that ends a clause or sentence: no space follows it in Japanese.
_CJK_STOPS = frozenset("。、！？」』）】")


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide East Asian characters count two)."""
    columns = wcwidth.wcswidth(text)
    return columns if columns >= 0 else len(text)  # control characters: count them as one


def is_cjk(char: str) -> bool:
    """True for a kana, kanji, CJK punctuation mark or full-width form."""
    return bool(_CJK.match(char))


def join_words(text: str) -> str:
    """``text`` on one line, its whitespace folded: one space between words, none in Japanese.

    Paragraphs joined with a space would leave "。 次の" (a stray space after a
    Japanese full stop), and a line break inside Japanese text is not a space.
    """
    words = text.split()
    if not words:
        return ""
    out = [words[0]]
    for word in words[1:]:
        before, after = out[-1][-1], word[0]
        if before in _CJK_STOPS or (is_cjk(before) and is_cjk(after)):
            out.append(word)
        else:
            out.append(" " + word)
    return "".join(out)


def _units(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into unbreakable units, each with "a space came before it"."""
    japanese = any(is_cjk(c) for c in text)
    units: list[tuple[str, bool]] = []
    # Latin words (with their punctuation), single CJK characters, runs of spaces.
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.isspace():
            units.append(("", True))
            continue
        spaced = bool(units) and units[-1] == ("", True)
        if spaced:
            units.pop()
        if units:
            prev, prev_spaced = units[-1]
            kinsoku = not spaced and (token[0] in _CLOSING or prev[-1] in _OPENING)
            # A short run of Latin words in Japanese text is a name ("Sakana AI"): keep it whole.
            name = (
                japanese
                and spaced
                and not is_cjk(prev[-1])
                and not is_cjk(token[0])
                and width(prev) + 1 + width(token) <= NAME_COLUMNS
            )
            glue = kinsoku or name
            if glue:
                units[-1] = (prev + (" " if spaced else "") + token, prev_spaced)
                continue
        units.append((token, spaced))
    return [u for u in units if u[0]]


def wrap(text: str, columns: int, indent: str = "", first_indent: str | None = None) -> str:
    """``text`` folded onto lines of at most ``columns`` display columns, indent included.

    ``first_indent`` (default ``indent``) starts the first line. Whitespace is
    folded as by :func:`join_words`.
    """
    lead = indent if first_indent is None else first_indent
    lines: list[str] = []
    line, used = lead, width(lead)
    empty = True
    for token, spaced in _units(join_words(text)):
        piece = (" " if spaced and not empty else "") + token
        need = width(piece)
        if not empty and used + need > columns:
            lines.append(line)
            line, used, empty = indent + token, width(indent) + width(token), False
            continue
        line, used, empty = line + piece, used + need, False
    if not empty:
        lines.append(line)
    return "\n".join(lines)
