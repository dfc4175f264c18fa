"""The facts of a lead, hashed: what a later report must add to be a follow-up. Pure.

A story's facts are its numbers (#), names (@) and quotations (") in reading order,
deduplicated, each kept as a 16-bit hash whose low two bits hold its kind
(``FACT_KIND``). ``monitor.fingerprint`` stores those of each story's headline and lead;
``monitor.followup`` compares them with a matched story's and with its headlines'
(``headline_facts``) and amounts' (``amount_facts``).
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from collections.abc import Sequence

from monitor.facts import CJK_SCALE, CJK_SMALL_SCALE, SCALE_WORDS, cjk_number
from monitor.loanwords import LOANWORDS

__all__ = [
    "FACT_KIND", "FACT_TEXT_CHARS", "FACT_WEIGHT", "MAX_FACTS", "amount_facts", "fact_hashes",
    "fact_tokens", "headline_facts",
]  # fmt: skip

MAX_FACTS = 32
FACT_TEXT_CHARS = 4_000

# The amounts' scales (``monitor.facts``): the words ``_FACT`` takes below mean the same there.
_MULTIPLIER = {**SCALE_WORDS, **CJK_SCALE, **CJK_SMALL_SCALE}
_FACT = re.compile(
    # 1兆5000億 is one number (1.5e12), as "1.5 trillion" is; so are 3千億 and 1兆3千億
    # (one group alone gives the value the plain number and its scale give below)
    r"(?P<cjknum>(?<![0-9.,])(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[千百][万億兆]|[千万億兆]))+\d*)"
    r"|(?P<num>(?<![A-Za-z0-9.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    # "$1.8 bln" is "$1.8 billion" (Reuters), "510 bil. yen" (Kyodo) "510 billion yen"
    r"\s*(?P<mult>(?i:thousand|million|billion|trillion|(?:mil|bil|tril)\.|bln|bn|mln|mn|trn|tln|tn)"
    r"(?![A-Za-z])|千|万|億|兆)?(?![0-9])"
    r"|(?P<name>\b[A-Z][A-Za-z0-9&\-]*[A-Za-z0-9]|\b[a-z]+[A-Z][A-Za-z0-9]*)"
    r"|(?P<kana>[\u30a1-\u30fa\u30fc・]{3,})"
    r"|[“\"](?P<quote>[^”\"\n]{20,}?)[”\"]|「(?P<jquote>[^」\n]{8,}?)」"
)
# Capitalised words that name nothing in particular.
_COMMON_CAPITALISED = """the a an in on at it its he she they we i this that these those but and
or as for of to by with from after before while when if mr ms mrs dr inc corp co ltd llc plc group
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december"""
_NOT_NAMES = frozenset(_COMMON_CAPITALISED.split())
# Acronyms of common nouns: facts of a text, but a headline adding one ("... to fund AI
# bets", "CEO says") names nothing new (``headline_facts(..., specific=True)``).
_COMMON_ACRONYMS = "ai ceo cfo coo ipo gdp cpi pmi ev evs gpu gpus llm llms"
_NOT_SPECIFIC_NAMES = _NOT_NAMES | frozenset(_COMMON_ACRONYMS.split())


def fact_tokens(
    title: str,
    text: str,
    opening_names: bool = False,
    not_names: frozenset[str] = _NOT_NAMES,
    not_kana: frozenset[str] = frozenset(),
) -> list[str]:
    """Numbers (#), names (@) and quotations (") of the text in reading order, deduplicated."""
    src = unicodedata.normalize("NFKC", f"{title}\n{text[:FACT_TEXT_CHARS]}")
    found: list[tuple[str, bool]] = []  # (token, is a capitalised word opening a sentence)
    for m in _FACT.finditer(src):
        if m["cjknum"]:
            found.append((f"#{cjk_number(m['cjknum']):.4g}", False))
        elif m["num"]:
            value = float(m["num"].replace(",", "")) * _MULTIPLIER.get((m["mult"] or "").lower(), 1)
            found.append((f"#{value:.4g}", False))
        elif m["name"]:
            if m["name"].lower() not in not_names:
                before = src[max(0, m.start() - 3) : m.start()].rstrip(" \t")
                opening = not before or before[-1] in '.!?\n"“'
                opening = opening and not opening_names
                found.append(("@" + m["name"].lower(), opening and m["name"][1:].islower()))
        elif m["kana"]:
            if m["kana"] not in not_kana:
                found.append(("@" + m["kana"], False))
        else:
            quote = (m["quote"] or m["jquote"]).casefold()
            found.append(('"' + re.sub(r"\W+", "", quote)[:24], False))
    # A capitalised word opening a sentence ("Analysts said") is a name only if
    # it is also capitalised mid-sentence somewhere ("SoftBank said ... by SoftBank").
    mid = {token for token, opening in found if not opening}
    seen: dict[str, None] = {}
    for token, opening in found:
        if not opening or token in mid:
            seen.setdefault(token, None)
    return list(seen)


FACT_KIND = {"@": 0, "#": 1, '"': 2}
# How much a new fact of each kind says "this report adds something": a new
# number or quotation is news; a new name is as often background another outlet added.
FACT_WEIGHT = (0.5, 1.0, 1.0, 1.0)  # name, number, quotation, (unused)


def headline_facts(headline: str, *, specific: bool = False) -> bytes:
    """The fact hashes of a headline alone, hashed as ``Fingerprint.facts`` holds them.

    Its opening capitalised word counts as a name: a headline opens on its subject
    ("Grab posts record profit"), not on a sentence's "Analysts said". ``specific``
    leaves out acronyms of common nouns ("AI", "CEO") and katakana loanwords ("ハイブリッド債",
    ``monitor.loanwords``).
    """
    if not specific:
        return fact_hashes(fact_tokens(headline, "", opening_names=True))
    return fact_hashes(
        fact_tokens(
            headline, "", opening_names=True, not_names=_NOT_SPECIFIC_NAMES, not_kana=LOANWORDS
        )
    )


def amount_facts(values: Sequence[float]) -> bytes:
    """The fact hashes of these amounts, as ``headline_facts`` hashes a headline's figures."""
    return fact_hashes([f"#{value:.4g}" for value in values])


def fact_hashes(tokens: list[str]) -> bytes:
    """16-bit hashes of the first MAX_FACTS facts, the low two bits holding the kind."""
    out: list[int] = []
    for token in tokens:
        h = (zlib.crc32(token.encode("utf-8")) & 0xFFFC) | FACT_KIND[token[0]]
        if h not in out:
            out.append(h)
        if len(out) == MAX_FACTS:
            break
    return struct.pack(f"<{len(out)}H", *out)
