"""The words a Japanese company's or institution's name ends in: 精機, 電機, 製作所, FG, ...

Shared by ``monitor.relevance_domestic`` (a name so formed opening a Japanese headline is a
domestic subject) and ``monitor.readings`` (the kanji before one are read as the name's sound,
風早精機 = Kazahaya Seiki); each adds the few that only its own reading can use.
"""

from __future__ import annotations

__all__ = ["COMPANY_SUFFIXES", "alternation"]

COMPANY_SUFFIXES = (
    "製作所", "研究所", "工業所", "ホールディングス", "ロボティクス", "ゲームス", "テクノロジーズ",
    "テクノ", "精機", "精工", "精密", "光学", "電機", "電気", "電子", "電工", "工業", "工機",
    "化学", "化成", "製薬", "薬品", "重工", "商事", "物産", "産業", "興業", "興産", "技研", "証券",
    "銀行", "信金", "建設", "食品", "新聞", "新報", "電力", "電鉄", "生命", "損保", "FG", "HD",
)  # fmt: skip


def alternation(*extra: str) -> str:
    """``COMPANY_SUFFIXES`` and ``extra`` as one regex alternation, longest first."""
    return "|".join(sorted({*COMPANY_SUFFIXES, *extra}, key=len, reverse=True))
