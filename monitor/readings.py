"""How the company names a Japanese headline writes in kanji read (風早精機 = Kazahaya Seiki).

English copy keeps a Japanese company's name in romaji ("Kazahaya Seiki", "Kotobuki
Denki", "Shinonome AI"); Japanese copy writes it in kanji, which says nothing of its
sound without a dictionary. ``company_readings`` finds the names a headline writes before a
company's suffix (精機, 電機, ゲームス, AI, FG, ...) and reads them with MeCab (fugashi) over
IPAdic: the name alone ("kazahaya") and the name with its suffix ("kazahayaseiki").

A name the entity table knows as a place or a company (東京精機: 東京 is Tokyo) gives only
the reading with its suffix: "Tokyo" alone in an English headline is a city, not that
company. The tagger loads on first use (about 10 ms; its dictionary is memory-mapped)
and reads a name in well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from monitor.company_suffixes import alternation

__all__ = ["company_readings"]

# The suffix a Japanese company's or institution's name ends in, before the headline goes on
# (、, a particle, a space); a group, an AI start-up, a news agency (通信), a trade name (堂) and a
# bank by its short form (銀) read as well.
_SUFFIXES = alternation("グループ", "AI", "通信", "堂", "銀")
_NAME = re.compile(
    r"(?P<name>[\u3041-\u3096\u4e00-\u9fff々]{1,6})"
    rf"(?P<suffix>{_SUFFIXES})"
    r"(?=[、,\s　はがもの「]|$)"
)
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")


@cache
def _tagger():  # type: ignore[no-untyped-def]
    import fugashi
    import ipadic

    return fugashi.GenericTagger(ipadic.MECAB_ARGS)


def _reading(text: str) -> str:
    """Katakana reading of ``text`` (IPAdic's, word by word); "" if a word has none."""
    parts = []
    for word in _tagger()(text):
        feature = word.feature
        reading = feature[7] if len(feature) > 7 else None
        if not reading or reading == "*":
            if word.surface.isascii() and word.surface.isalnum():
                parts.append(word.surface.lower())  # "AI", "FG": as written
                continue
            if _KANA.fullmatch(word.surface):
                parts.append(word.surface)  # a loanword the dictionary lacks reads as written
                continue
            return ""
        parts.append(reading)
    return "".join(parts)


def _romaji(kana: str) -> str:
    import jaconv

    return jaconv.kana2alphabet(jaconv.kata2hira(kana)).lower()


def _known(name: str) -> bool:
    """Whether the shipped entity table names ``name`` (a place, a company): not a new name."""
    from monitor.entities import load_entities

    return bool(load_entities().mentions(name))


@lru_cache(maxsize=4096)
def company_readings(headline: str) -> tuple[str, ...]:
    """Romaji readings of the company names in kanji or hiragana in ``headline``: each name
    alone (unless the entity table knows it) and with its suffix."""
    text = unicodedata.normalize("NFKC", headline)
    out: list[str] = []
    for match in _NAME.finditer(text):
        name, suffix = match.group("name"), match.group("suffix")
        alone = _reading(name)
        if not alone:
            continue
        whole = _reading(suffix)
        if whole:
            out.append(_romaji(alone) + _romaji(whole))
        if not _known(name):
            out.append(_romaji(alone))
    return tuple(dict.fromkeys(out))


# A label before a headline's subject: "【決算速報】雲路AI、…".
_LABEL = re.compile(r"^\s*(?:【[^】]{1,12}】|〔[^〕]{1,12}〕|\[[^\]]{1,12}\])?\s*")


def company_names(headline: str) -> frozenset[str]:
    """The company name in kanji or hiragana with its suffix that opens ``headline``, as
    written (NFKC): "雲路AI" of both "【決算速報】雲路ＡＩ、5－7月期経常は2.1倍" and
    "雲路AIの5～7月期". Only the opening subject: inside a headline the same pattern reads
    words ("生成AI")."""
    text = unicodedata.normalize("NFKC", headline)
    match = _NAME.match(text, _LABEL.match(text).end())
    return frozenset({match.group("name") + match.group("suffix")}) if match else frozenset()
