"""Language-independent facts of a report: amounts of money, percentages and dates.

Two reports of one event state the same amounts whatever their language or
house style: "$40 billion", "$40bln", "US$40bn", "400億ドル" and "400亿美元" are
all ``Fact("USD", 4e10)``; "3,740億円", "¥374 billion" and "374 billion yen"
are ``Fact("JPY", 3.74e11)``; "3.5%", "3.5 percent" and "３．５％" are
``Fact("%", 3.5)``; "Aug. 20", "August 20th" and "8月20日" are
``Fact("date", 820)`` (month * 100 + day). Two reports that state *different*
amounts of one kind in their headlines are very likely about different events
(templated wire stories: the same sentence with another company and amount),
which is evidence the other way.

A market report also states its trading session ("Nikkei ends higher", "前場の東京株式市場",
"取引を終えた"): ``session`` returns it. The midday and the close report of one day share
their wording and most figures (the intraday low, yesterday's close), yet they report two
events: a differing session is evidence the other way too.

A headline that opens on a country ("Japan manufacturing expands ...", "独総合ＰＭＩ、8月51に
低下") reports that country's news: ``headline_country`` names it, and two such headlines
naming different countries report different releases, however alike the rest reads (every
country's PMI is published the same morning, in the same words).

Pure functions of text; no state, no model. Text is NFKC-normalised first, so
full-width digits, ``％`` and ``，`` need no rules of their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

__all__ = [
    "CJK_SCALE", "SCALE_WORDS", "SESSIONS", "Fact", "agreement", "amounts", "cjk_number",
    "headline_country", "is_country", "market_move", "previews", "same_value", "session",
    "session_by_clock",
    "split_country",
]  # fmt: skip

# Relative tolerance for "the same amount": rounding ("$40.2 billion" vs
# "$40 billion", "3,740億円" vs "¥374bn") stays within it; a different deal rarely does.
TOLERANCE = 0.03


@dataclass(frozen=True, slots=True, order=True)
class Fact:
    """One stated quantity: ``unit`` is an ISO currency code, ``%`` or ``date``."""

    unit: str
    value: float


# What a scale word or kanji multiplies a number by (also ``monitor.fingerprint``'s fact tokens).
SCALE_WORDS = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6,
    "billion": 1e9, "bln": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tln": 1e12,
    "tn": 1e12, "trn": 1e12, "trln": 1e12, "lakh": 1e5, "crore": 1e7,
    # Kyodo's English: "510 bil. yen", "1.78 tril. yen"
    "mil.": 1e6, "bil.": 1e9, "tril.": 1e12,
}  # fmt: skip
CJK_SCALE = {
    "万": 1e4, "萬": 1e4, "億": 1e8, "亿": 1e8, "兆": 1e12,
    # Korean: "53억달러" is $5.3 billion, "1조원" one trillion won.
    "만": 1e4, "억": 1e8, "조": 1e12,
}  # fmt: skip
# Within a group of four digits: "3千億円" is 3,000 x 10^8 yen, "1兆3千億円" 1.3 trillion,
# "5百万円" five million, "3천억원" 300 billion won.
CJK_SMALL_SCALE = {"千": 1e3, "百": 1e2, "천": 1e3, "백": 1e2}
_SYMBOLS = {
    "$": "USD", "us$": "USD", "usd": "USD", "¥": "JPY", "jpy": "JPY", "€": "EUR", "eur": "EUR",
    "£": "GBP", "gbp": "GBP", "rmb": "CNY", "cny": "CNY", "hk$": "HKD", "s$": "SGD",
    "a$": "AUD", "c$": "CAD", "nt$": "TWD", "₩": "KRW", "krw": "KRW", "₹": "INR", "rs": "INR",
}  # fmt: skip
_WORD_CURRENCY = {
    "dollar": "USD", "dollars": "USD", "yen": "JPY", "euro": "EUR", "euros": "EUR",
    "pound": "GBP", "pounds": "GBP", "yuan": "CNY", "renminbi": "CNY", "won": "KRW",
    "rupee": "INR", "rupees": "INR", "ドル": "USD", "米ドル": "USD", "円": "JPY",
    "ユーロ": "EUR", "ポンド": "GBP", "元": "CNY", "人民元": "CNY", "ウォン": "KRW",
    "美元": "USD", "日元": "JPY", "日圆": "JPY", "欧元": "EUR", "英镑": "GBP",
    "달러": "USD", "엔": "JPY", "원": "KRW", "유로": "EUR",
}  # fmt: skip

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A symbol written in letters starts a word: the "rs" ending "soars 42%" or "years 5 million"
# is no rupee.
_SYMBOL = (
    r"(?<![A-Za-z])(?i:us\$|hk\$|s\$|a\$|c\$|nt\$|usd|jpy|eur|gbp|rmb|cny|krw|rs\.?)\s?"
    r"|[$¥€£₩₹]\s?"
)
_SCALE = (
    r"(?i:thousand|million|billion|trillion|lakh|crore|(?:mil|bil|tril)\.|mln|bln|trln|tln|trn|mn"
    r"|bn|tn"
    r"|[kmb])(?![A-Za-z])"
)
_WORD_CUR = (
    r"(?i:dollars?|yen|euros?|pounds?|yuan|renminbi|won|rupees?)(?![A-Za-z])"
    r"|米ドル|人民元|ドル|円|ユーロ|ポンド|ウォン|美元|日元|日圆|欧元|英镑|元|달러|엔|원|유로"
)
# A number must not continue a Latin word or another number; after kanji it may start
# (前年同月比23.2%増: "\w" would count 比 as part of a word and lose the percentage).
# A CJK amount is a run of number+scale groups: 1兆5000億円, 3,740億円, 400億ドル.
_CJK_GROUP = rf"(?:{_NUM})\s?(?:[千百천백]\s?[万萬億亿兆만억조]?|[万萬億亿兆만억조])"
_CJK_AMOUNT = rf"(?P<cjk>(?:{_CJK_GROUP})+(?:(?:{_NUM})(?![\d.]))?)"
_AMOUNT = re.compile(
    rf"(?P<sym>{_SYMBOL})?{_CJK_AMOUNT}\s?(?P<cjkcur>{_WORD_CUR})?"
    rf"|(?P<sym2>{_SYMBOL})(?P<num>{_NUM})\s?(?:(?P<scale>{_SCALE})\s?)?(?P<cur2>{_WORD_CUR})?"
    rf"|(?<![0-9A-Za-z.,])(?P<num3>{_NUM})\s?(?:(?P<scale3>{_SCALE})\s?)?(?P<cur3>{_WORD_CUR})"
    rf"|(?<![0-9A-Za-z.,])(?P<pct>{_NUM})\s?(?:%|(?i:per\s?cent|percent|pct)(?![A-Za-z]))"
    r"|(?P<jpct>\d+(?:\.\d+)?)(?:パーセント|ポイント)"
    # 5割 is 50% ("5割増" = "up 50%", "5割引き上げる"); 割安, 割高 and 割合 are no amounts.
    r"|(?P<wari>\d+(?:\.\d+)?)割(?![安高合])"
)
# "Halve food waste" is the "食品ロス5割減" of the Japanese report: a 50% cut, stated in words.
_HALF = re.compile(r"(?i:\bhalv(?:e|es|ed|ing)\b|\b(?:by|in) half\b)|半減")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
    for m in (names,)
}
_DATE = re.compile(
    r"(?i:\b(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+"
    r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\b)"
    r"|(?P<jmon>\d{1,2})月(?P<jday>\d{1,2})日"
    r"|\b20\d\d-(?P<imon>\d\d)-(?P<iday>\d\d)\b"
)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def cjk_number(text: str) -> float:
    """1兆5000億 -> 1.5e12; 3,740億 -> 3.74e11; 1兆3千億 -> 1.3e12; 2万5千 -> 25,000;
    trailing plain digits count as units."""
    total, group, pending = 0.0, 0.0, ""
    for token in re.findall(rf"{_NUM}|[千百천백万萬億亿兆만억조]", text.replace(" ", "")):
        if token in CJK_SMALL_SCALE:
            group += _number(pending or "1") * CJK_SMALL_SCALE[token]
            pending = ""
        elif token in CJK_SCALE:
            total += (group + (_number(pending) if pending else 0.0) or 1.0) * CJK_SCALE[token]
            group, pending = 0.0, ""
        else:
            pending = token
    return total + group + (_number(pending) if pending else 0.0)


def _currency(symbol: str | None, word: str | None) -> str | None:
    if word:
        return _WORD_CURRENCY.get(word.lower())
    if symbol:
        return _SYMBOLS.get(symbol.strip().lower().rstrip("."))
    return None


# An amount starts at most this many characters before its first digit (a currency
# symbol and a space: "US$ 40", "usd 40", "Rs. 40"); every one of them holds a digit.
_LEAD_IN = 4
_DIGIT = re.compile(r"\d")


def _amount_matches(src: str) -> Iterator[re.Match[str]]:
    """The matches of ``_AMOUNT.finditer(src)``, trying only the positions just before a digit.

    The regular expression alone tries every position of the text (~0.4 µs a character,
    most of a fingerprint's time outside the encoder); prose has few digits. The same
    matches, in the same order: a match can only start within ``_LEAD_IN`` characters
    before a digit, and positions are tried left to right from where the last match ended.
    """
    pos = 0
    while (digit := _DIGIT.search(src, pos)) is not None:
        at = digit.start()
        for start in range(max(pos, at - _LEAD_IN), at + 1):
            if (m := _AMOUNT.match(src, start)) is not None:
                yield m
                pos = m.end()
                break
        else:
            pos = at + 1


def amounts(text: str) -> list[Fact]:
    """Amounts of money, percentages and dates in ``text``, in reading order, deduplicated.

    A bare number ("40", "2026") is not a fact: without a unit it could be
    anything, and counting it would make unrelated reports "agree".
    """
    src = unicodedata.normalize("NFKC", text)
    found: dict[Fact, None] = {}
    if _DIGIT.search(src) is None:  # every other amount and every date holds a digit
        return [Fact("%", 50.0)] if _HALF.search(src) else []
    for m in _amount_matches(src):
        fact: Fact | None = None
        if m["cjk"] is not None:
            unit = _currency(m["sym"], m["cjkcur"])
            if unit:
                fact = Fact(unit, cjk_number(m["cjk"]))
        elif m["num"] is not None:
            unit = _currency(m["sym2"], m["cur2"]) or _currency(m["sym2"], None)
            scale = SCALE_WORDS.get((m["scale"] or "").lower(), 1.0)
            if unit:
                fact = Fact(unit, _number(m["num"]) * scale)
        elif m["num3"] is not None:
            unit = _currency(None, m["cur3"])
            scale = SCALE_WORDS.get((m["scale3"] or "").lower(), 1.0)
            if unit:
                fact = Fact(unit, _number(m["num3"]) * scale)
        elif m["pct"] is not None or m["jpct"] is not None:
            fact = Fact("%", _number(m["pct"] or m["jpct"]))
        elif m["wari"] is not None:
            fact = Fact("%", round(_number(m["wari"]) * 10, 6))
        if fact is not None and fact.value > 0:
            found.setdefault(fact, None)
    if _HALF.search(src):
        found.setdefault(Fact("%", 50.0), None)
    for m in _DATE.finditer(src):
        if m["mon"]:
            month, day = _MONTHS[m["mon"].lower()[:3]], int(m["day"])
        elif m["jmon"]:
            month, day = int(m["jmon"]), int(m["jday"])
        else:
            month, day = int(m["imon"]), int(m["iday"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            found.setdefault(Fact("date", month * 100 + day), None)
    return list(found)


def same_value(a: Fact, b: Fact) -> bool:
    """True when ``a`` and ``b`` state one quantity (same unit, values within rounding)."""
    if a.unit != b.unit:
        return False
    if a.unit == "date":
        return a.value == b.value
    return abs(a.value - b.value) <= TOLERANCE * max(abs(a.value), abs(b.value))


def agreement(a: Iterable[Fact], b: Iterable[Fact]) -> tuple[int, int]:
    """(shared, conflicting) between two fact lists.

    ``shared``: facts of ``a`` that ``b`` also states. ``conflicting``: units
    that both state but on which they share no value (``a`` says 374 billion
    yen where ``b`` says 50 billion yen), counted once per unit.
    """
    a, b = list(a), list(b)
    shared = sum(1 for x in a if any(same_value(x, y) for y in b))
    conflicting = 0
    for unit in {x.unit for x in a} & {y.unit for y in b}:
        xs = [x for x in a if x.unit == unit]
        ys = [y for y in b if y.unit == unit]
        if not any(same_value(x, y) for x in xs for y in ys):
            conflicting += 1
    return shared, conflicting


# Trading sessions in the order of a day. Latin-script forms only where they describe a
# market ("ends higher", "at the close", "morning trade"), not "close to a deal" or "ends
# talks"; Japanese ones are the market's own words (前引け, 前場, 後場, 大引け, 終値, 取引を終えた).
SESSIONS = ("open", "midday", "afternoon", "close")
_MOVE = (
    r"(?:[\d.,]+\s?(?:%|percent|points?)?\s+)?"  # "ends 1.3% higher"
    r"(?:up|down|higher|lower|flat|firmer|weaker|mixed|at|near|in (?:the )?(?:red|black))"
)
_SESSION_WORDS = {
    "open": re.compile(
        rf"(?i:\b(?:opens?|opened)\s+{_MOVE}\b|\bat the open(?:ing)?\b)|寄り付き|寄付き"
    ),
    "midday": re.compile(
        r"(?i:\bmid-?day\b|\bmorning (?:session|trade|trading|deals)\b"
        r"|\b(?:at|by) the (?:lunch|midday) break\b)"
        r"|前引け|前場|午前の(?:日経|東京|取引|相場|TOPIX|株式|終値)|午前終値"
    ),
    # 後場 (the afternoon session) alone is an afternoon update; a close report that recaps
    # it names its close too (大引け, 取引を終えた), which is later.
    "afternoon": re.compile(r"(?i:\bafternoon (?:session|trade|trading|deals)\b)|後場"),
    "close": re.compile(
        rf"(?i:\b(?:close[sd]?|end(?:s|ed)?|finish(?:es|ed)?|settle[sd]?)\s+{_MOVE}\b"
        r"|\b(?:at|by|towards?|into) the close\b|\bclosing (?:bell|level|price)\b)"
        # 終値 alone is the close; 午前(の)終値 / 前場(の)終値 is the morning session's last price,
        # and 午前の取引を終えた the morning session's end.
        r"|大引け|(?<!午前)(?<!午前の)(?<!前場)(?<!前場の)終値"
        r"|(?<!午前の)(?<!前場の)取引を終え|で引けた"
    ),
}


def session(text: str) -> str:
    """The latest trading session ``text`` reports ("open", "midday", "close"), else "".

    The latest, because a close report recaps the morning ("前場は...") while a
    midday report cannot know the close.
    """
    src = unicodedata.normalize("NFKC", text)
    found = [name for name in SESSIONS if _SESSION_WORDS[name].search(src)]
    return found[-1] if found else ""


# The Tokyo Stock Exchange's day (JST, no daylight saving): the morning session ends at 11:30,
# the afternoon one opens at 12:30 and ends at 15:30. A report of the market that names no
# session (Bloomberg's "Japan Stocks Climb as SoftBank Rallies ...") is of the session that
# last ended when it was published: the midday break's, or the close's until midnight; the
# wires' wraps of the day go out in the last half hour of trading too (15:25: the day's rise
# is told, the close is minutes away), so from 15:00 a wrap is the close's.
_TOKYO = timezone(timedelta(hours=9))


# A headline about a coming period ("＝来週の東京株式市場", "Week Ahead"): a preview reports no
# session, whenever it is published.
_OUTLOOK = re.compile(
    r"(?i:\bweek\s+ahead\b|\b(?:next|coming)\s+week\b|\boutlook\b|\bpreview\b)"
    r"|来週|今週の|週間見通し|あすの|明日の"
)


def previews(headline: str) -> bool:
    """Whether a market headline is about a coming period, not a session that ended."""
    return _OUTLOOK.search(unicodedata.normalize("NFKC", headline)) is not None


def session_by_clock(published: datetime) -> str:
    """The Tokyo session a market report published at ``published`` can report, else ""."""
    local = published.astimezone(_TOKYO)
    minutes = local.hour * 60 + local.minute
    if local.weekday() >= 5:
        return ""
    if 11 * 60 + 30 <= minutes < 12 * 60 + 30:
        return "midday"
    return "close" if minutes >= 15 * 60 else ""


# The market a session report's headline is about, and which way it moved. One market has one
# close a day: two reports of the same market, session and day (in any language: "Japan's
# Nikkei ends higher ...", "日経平均大引け、反発 ...") are one event by wire-dev's rules, however
# differently they read (the English and Japanese closes of 17 Nov score 0.43 with the pair
# model: they name other stocks as drivers). Only the Tokyo equity market is named: it is the
# beat's; a market absent here never links two reports.
_MARKETS = {
    "tokyo stocks": re.compile(
        # Not the outlet: "Nikkei Asia", "the Nikkei newspaper", a headline's " - Nikkei".
        r"(?i:(?<!- )(?<!– )(?<!\| )"
        r"(?<!according to )(?<!according to the )(?<!told )(?<!told the )"
        r"\bnikkei(?: share average| stock average| index| 225)?\b"
        # The paper as a source: "..., Nikkei says", "Nikkei reports".
        r"(?!\s+(?:asia|newspaper|business daily|says|said|reports?|reported)\b)"
        r"|\btopix\b|\btokyo (?:stocks|shares|stock market)\b|\bjapan(?:ese|'s)? (?:stocks|shares|"
        r"equities|stock market)\b"
        # A sector of the market: "Tokyo chip stocks slip", not "Tokyo Electron shares".
        r"|\b(?:tokyo|japan(?:ese|'s)?) (?:chip|tech|technology|bank|exporter|auto|property"
        r"|blue-chip|semiconductor) (?:stocks|shares)\b)"
        # Reuters' Japanese wrap: "東京株式（前引け）＝反発".
        r"|日経平均|日経225|TOPIX|東証株価指数|東京株式(?:市場|相場|(?=[(（]\S{2,4}[)）]))|東京市場"
        # The exchange a company lists on is no market report: "東証グロース上場", "東証に上場".
        r"|東証(?!(?:グロース|スタンダード|プライム)?(?:市場)?[にへで]?(?:新規)?上場)"
        # Bloomberg's Japanese wrap, "日本株は反発", and "東京株、前場は続伸": not "日本株を買い
        # 増し" or "日本株ファンド".
        r"|(?:日本|東京)株(?=は|、|\s)"
    ),
}
# Which way the market's headline says it moved ("ends higher", "反発"). A pair whose headlines
# say opposite ways is not one day's close whatever else it shares.
_DIRECTIONS = {
    "up": re.compile(
        r"(?i:\b(?:higher|up|rises?|rose|gains?|gained|rebounds?|rebounded|rall(?:y|ies|ied)|"
        r"climbs?|climbed|advances?|jumps?|jumped|extends? gains|record high)\b)"
        r"|反発|続伸|上昇|大幅高|急伸|値上がり|最高値|高値更新"
    ),
    "down": re.compile(
        r"(?i:\b(?:lower|down|falls?|fell|slips?|slipped|drops?|dropped|declines?|declined|"
        r"slides?|slid|retreats?|retreated|sinks?|sank|tumbles?|tumbled|extends? losses)\b)"
        r"|反落|続落|下落|大幅安|急落|値下がり"
    ),
    # A move pared says neither way: a market that "pares losses" may still close lower.
    "": re.compile(
        r"(?i:\b(?:pares?|pared|paring|trims?|trimmed|cuts?|erases?|erased)\s+(?:early\s+)?"
        r"(?:losses|gains)\b)|下げ幅を?縮小|上げ幅を?縮小|下げ渋|伸び悩"
    ),
}


@lru_cache(maxsize=8192)
def market_move(headline: str) -> tuple[str, str]:
    """(the market a headline names, the way it says the market moved: "up", "down" or "").

    ("", "") when it names no market of ``_MARKETS``. The move is the first one
    named after the market: "Nikkei slips as Kioxia jumps" and "日経平均大引け、反落
    キオクシアが急伸" say how the market went first, then a stock; "" when none follows, or
    when the first is a move pared ("Nikkei pares losses as chip stocks rebound").
    """
    src = unicodedata.normalize("NFKC", headline)
    for name, pattern in _MARKETS.items():
        found = pattern.search(src)
        if found:
            rest = src[found.end() :]
            moves = [(m.start(), way) for way, words in _DIRECTIONS.items()
                     if (m := words.search(rest))]  # fmt: skip
            return name, min(moves)[1] if moves else ""
    return "", ""


# Countries a headline can open on, in English and Japanese (with the one-kanji forms Japanese
# headlines use: 米, 独, 英, ...; a lookahead keeps the words they also start: 米価, 独占, 独禁法,
# 豪雨, 仏教, 印刷, 露天). Canonical name first.
_COUNTRIES = {
    "japan": r"japan(?:'s|ese)?|日本",
    "us": r"u\.?s\.?(?:'s)?|united states|america(?:'s|n)?|米国|米(?![価作粉])",
    "china": r"china(?:'s)?|chinese|中国",
    "germany": r"german(?:y|y's)?|ドイツ|独(?![占禁自立走身特創学])",
    "uk": r"u\.?k\.?(?:'s)?|brit(?:ain|ain's|ish)|英国|英(?![語雄知断])",
    "france": r"franc(?:e|e's)|french|フランス|仏(?![教像])",
    "euro zone": r"euro[ -]?(?:zone|area)(?:'s)?|ユーロ圏",
    "india": r"india(?:'s|n)?|インド|印(?![刷象鑑])",
    "south korea": r"(?:south )?korea(?:'s|n)?|韓国|韓(?![流])",
    "taiwan": r"taiwan(?:'s|ese)?|台湾",
    "australia": r"australia(?:'s|n)?|豪州|オーストラリア|豪(?![雨華快])",
    "canada": r"canad(?:a|a's|ian)|カナダ",
    "italy": r"ital(?:y|y's|ian)|イタリア|伊(?![勢達豆藤])",
    "russia": r"russia(?:'s|n)?|ロシア|露(?![天出呈骨])",
    "brazil": r"brazil(?:'s|ian)?|ブラジル",
    "indonesia": r"indonesia(?:'s|n)?|インドネシア",
    "malaysia": r"malaysia(?:'s|n)?|マレーシア",
    "singapore": r"singapore(?:'s)?|シンガポール",
    "thailand": r"thai(?:land|land's)?|タイ(?![ム ミヤトルプ])",
    "vietnam": r"vietnam(?:'s|ese)?|ベトナム",
    "philippines": r"philippine(?:s|s')?|フィリピン",
    "hong kong": r"hong kong(?:'s)?|香港",
    "switzerland": r"swi(?:tzerland|tzerland's|ss)|スイス",
    "mexico": r"mexic(?:o|o's|an)|メキシコ",
    "new zealand": r"new zealand(?:'s)?|ニュージーランド",
}
_COUNTRY_START = re.compile(
    "|".join(rf"(?P<c{i}>(?:{pattern}))" for i, pattern in enumerate(_COUNTRIES.values())),
    re.IGNORECASE,
)
_COUNTRY_NAMES = list(_COUNTRIES)
_ONE_KANJI_COUNTRIES = frozenset("日米中欧英独仏韓露印豪台朝伊")
_JOINER = re.compile(r"\s*(?:,|&|-|/|・|と|\band\b)\s*", re.IGNORECASE)


def is_country(name: str) -> bool:
    """Whether ``name`` is a country's name and nothing more ("the US", "Japan", "英国")."""
    src = unicodedata.normalize("NFKC", name).strip()
    src = src[4:] if src[:4].lower() == "the " else src
    m = _COUNTRY_START.fullmatch(src)
    return m is not None


def headline_country(headline: str) -> str:
    """The country a headline opens on ("japan", "germany", ...), else "".

    Only the opening: "SoftBank to invest $40 billion in U.S." is about SoftBank,
    "米8月総合ＰＭＩ" about the United States. A Latin-script name must end as a
    word ("Japanese", not "Japanimation").
    """
    return split_country(headline)[0]


# A judgement asks for the country of its own headline once per candidate pair
# (``eventrules.events_differ``) and again for its reason: remember the latest few thousand.
@lru_cache(maxsize=4096)
def split_country(headline: str) -> tuple[str, str]:
    """(the country a headline opens on, the NFKC headline after it), or ("", "")."""
    src = unicodedata.normalize("NFKC", headline).lstrip(" \t\"'“‘「【[(")
    m = _COUNTRY_START.match(src)
    if not m:
        return "", ""
    end = m.end()
    if end < len(src) and src[end - 1].isascii() and src[end].isascii() and src[end].isalnum():
        return "", ""
    rest = src[end:]
    # "U.S., Japan agree ...", "Japan and China ...", "US-Japan talks", "日中首脳": two countries
    # open the headline, which is then about both (and "Japan, U.S." is the same story).
    joined = _JOINER.match(rest)
    if joined and _COUNTRY_START.match(rest[joined.end() :]):
        return "", ""
    if end - m.start() == 1 and rest[:1] and rest[0] in _ONE_KANJI_COUNTRIES:
        return "", ""  # 米中, 日米, 米欧: both
    return _COUNTRY_NAMES[int(m.lastgroup[1:])], rest  # type: ignore[index]
