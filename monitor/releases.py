"""Reports of one statistics release: the same country's indicator, hours apart. Pure.

A one-sentence report of a data release ("Japan's Exports Grow at Fastest Pace Since
2022 on Chips" and a sentence) gives the pair model little to go on: against Reuters'
full report of the same July trade data it scores 0.12, at or below 41 pairs of other
stories published within the hour on wire-dev. What makes the two one story is what
a reader sees at once: both headlines open on the same country (a Japanese one may
leave out Japan's: ``_JA_PERIOD``), name the same indicator and report its move, and
they came out within hours of each other; a country publishes an indicator once a
month (a quarter for GDP or the Tankan).

``release_key`` reads that from a headline ("japan:exports"); :class:`ReleaseIndex`
finds an earlier report with the same key within ``WINDOW`` whose month, if both name
one in headline and lead, is the same, and whose headline figures do not conflict.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from monitor.facts import amounts, same_value, split_country

__all__ = ["RELEASE_TEXT", "WINDOW", "ReleaseIndex", "months", "release_key"]

# Reports of one release come out within minutes to a few hours of each other (wire-dev's July
# trade reports: 0-2.7 h); the next release of one indicator is weeks away.
WINDOW = timedelta(hours=12)
# Months are read from the headline and this much of the text (what the store's window gives
# back of a stored report, so that a poll and a later one read the same).
RELEASE_TEXT = 400

_POLICY = r"\s+(?:controls?|curbs?|bans?|restrictions?|rules?|licen[cs]es?|deals?|tariffs?)\b"
# Indicators, the more specific first (export orders before exports). English and Japanese.
_INDICATORS = {
    "export orders": r"export orders|輸出受注",
    "trade balance": r"trade (?:balance|surplus|deficit|gap|data)|貿易収支|貿易黒字|貿易赤字",
    # Not the policy words: "Japan expands chip export curbs" reports no trade figure.
    "exports": rf"exports?(?!{_POLICY})|輸出(?!規制|管理|禁止|許可)",
    "imports": rf"imports?(?!{_POLICY})|輸入(?!規制|管理|禁止|許可)",
    # One survey, two releases: services and manufacturing come out on different days (the
    # flash estimates together). Japanese headlines write 非製造業 or サービス部門 for services.
    "services pmi": r"services (?:pmi|activity|sector)"
    r"|(?:非製造業|サービス(?:部門|業))(?:の)?(?:pmi|購買担当者)",
    "manufacturing pmi": r"(?:manufacturing|factory) (?:pmi|activity)"
    r"|(?<!非)製造業(?:の)?(?:pmi|購買担当者)",
    "pmi": r"pmi|purchasing managers",
    "cpi": r"cpi|consumer prices|core inflation|消費者物価",
    # "Japan's economy grows / shrinks / returns to growth": the economy and its move are the
    # GDP report; "Japan's economy minister ..." and "economy faces ..." are not.
    "gdp": r"gdp|国内総生産|economy(?=\s+(?:unexpectedly\s+)?(?:grow|grows|grew|expand\w*"
    r"|shrink\w*|shrank|contract\w*|returns? to growth|rebound\w*|slow\w*|stagnat\w*)\b)",
    "unemployment": r"unemployment|jobless(?: rate)?|失業率",
    "retail sales": r"retail sales|小売(?:業)?販売|小売売上高",
    "machinery orders": r"machinery orders|機械受注",
    "industrial output": r"industrial (?:output|production)|factory output|鉱工業生産",
    # The Bank of Japan's survey, also by its headline index: big manufacturers' sentiment.
    "tankan": r"tankan|(?:日銀)?短観|big manufacturers'? (?:mood|sentiment)"
    r"|大企業製造業の(?:景況感|業況判断)",
    "wages": r"(?:real )?wages|賃金",
    "household spending": r"household spending|家計支出",
    "housing starts": r"housing starts|住宅着工",
    "current account": r"current account|経常収支",
}
_INDICATOR = re.compile(
    "|".join(rf"(?P<i{n}>(?<![a-z])(?:{p})(?![a-z]))" for n, p in enumerate(_INDICATORS.values())),
    re.IGNORECASE,
)
_INDICATOR_NAMES = list(_INDICATORS)
# The headline reports the figure: a number or a move ("Japan's exports of rice face curbs" is
# not a release report).
_MOVE = re.compile(
    r"\d|(?i:\b(?:rise|rises|rose|fall|falls|fell|grow|grows|grew|growth|jump|jumps|jumped"
    r"|surge|surges|surged|slow|slows|slowed|accelerat\w*|drop|drops|dropped|declin\w*|shrank"
    r"|rebound\w*|improv\w*|worsen\w*|deteriorat\w*"
    r"|climb|climbs|climbed|expand\w*|contract\w*|shrink\w*|hit|hits|beat|beats|miss|misses"
    r"|record|fastest|slowest|highest|lowest|strongest|weakest|unexpectedly)\b)"
    r"|増|減|上昇|低下|拡大|縮小|加速|鈍化|改善|悪化|黒字|赤字|高水準|低水準"
)
# A Japanese headline opening on the period ("7─9月期GDP", "7~9月GDP", "10月の消費者物価"),
# the indicator right after: Japan's own press names the country of a foreign release ("米",
# "中国", "タイ7─9月期GDP") and leaves it out for Japan's, so such a headline is Japan's release.
_JA_PERIOD = re.compile(r"(?:\d{4}年)?(?:\d{1,2}[─―ー－~〜-])?\d{1,2}月期?(?:の|は|、|\s)*")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ff]")
_JAPAN_ONLY = re.compile(r"(?:日銀)?短観")
JAPAN = "japan"
_MONTH_ABBREVIATIONS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                        "dec"]  # fmt: skip
_MONTH = re.compile(
    r"(?i:\b(?P<en>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"(?:uary|ruary|ch|il|e|y|ust|ember|tember|ober)?\b)|(?<!\d)(?P<ja>1[0-2]|[1-9])月(?!\d)"
)


def release_key(headline: str, text: str = "") -> str:
    """ "country:indicator" when the headline opens on a country, its indicator right after
    (within three words, or five characters of Japanese: "Japan July core CPI", "米8月総合PMI"),
    and reports a figure or a move ("Japan exports rise 23.2% in July" -> "japan:exports");
    else "". "India's Paras Defence sees exports doubling" is about a company.

    A Japanese report (kana in its headline or ``text``) whose headline opens on the period
    and then the indicator ("7~9月GDP、年率1.4%増") is of Japan's release: see ``_JA_PERIOD``.
    """
    country, rest = split_country(headline)
    if not country:
        return _japanese_release(headline, text)
    found = _INDICATOR.search(rest)
    if not found or not _MOVE.search(rest):
        return ""
    before = rest[: found.start()]
    if len(before.split()) > 2 if before.isascii() else len(before.strip()) > 5:
        return ""
    return f"{country}:{_INDICATOR_NAMES[int(found.lastgroup[1:])]}"  # type: ignore[index]


def _japanese_release(headline: str, text: str) -> str:
    src = unicodedata.normalize("NFKC", headline).lstrip(" \t\"'“‘「【[(")
    if not _KANA.search(f"{headline}{text[:200]}"):
        return ""
    period = _JA_PERIOD.match(src)
    if period and period.group().strip():
        rest = src[period.end() :]
    elif any(m["ja"] for m in _MONTH.finditer(src)) or _JAPAN_ONLY.match(src):
        # The indicator first, its month after ("サービス部門PMI、3月確報は53.1"), or one only
        # Japan publishes ("日銀短観、大企業製造業プラス15").
        rest = src
    else:
        return ""
    found = _INDICATOR.match(rest)
    if not found or not _MOVE.search(rest):
        return ""
    return f"{JAPAN}:{_INDICATOR_NAMES[int(found.lastgroup[1:])]}"  # type: ignore[index]


def months(text: str) -> set[int]:
    """The calendar months a text names ("July", "Jul.", "7月" -> {7}); "May" only capitalised."""
    out = set()
    for m in _MONTH.finditer(unicodedata.normalize("NFKC", text)):
        if m["ja"]:
            out.add(int(m["ja"]))
            continue
        name = m["en"]
        if name.lower() in ("may", "mar") and not name[0].isupper():
            continue  # "may" and "mar" are words too
        out.add(_MONTH_ABBREVIATIONS.index(name.lower()[:3]) + 1)
    return out


class ReleaseIndex:
    """Reports by release key, to find the earlier report of the release a report is of."""

    window_hours = WINDOW / timedelta(hours=1)

    def __init__(self) -> None:
        self._by_key: dict[str, list[tuple[str, datetime, frozenset[int], tuple]]] = {}

    def add(self, item_id: str, title: str, text: str, published: datetime) -> None:
        """Remember a report (``text``: the start of its text, ``RELEASE_TEXT`` characters)."""
        k = release_key(title, text)
        if k:
            named = frozenset(months(f"{title}\n{text}"))
            self._by_key.setdefault(k, []).append(
                (item_id, published, named, tuple(amounts(title)))
            )

    @staticmethod
    def describe(title: str, text: str = "") -> str:
        """The release a report is of, for reasons ("japan exports")."""
        return release_key(title, text).replace(":", " ")

    def match(self, title: str, text: str, published: datetime) -> str | None:
        """The latest report of the same release within ``WINDOW``, else None.

        Not when both name months and share none, nor when both headlines state an
        amount of one unit and share no value of it (another month's figure).
        """
        k = release_key(title, text)
        if not k:
            return None
        mine = months(f"{title}\n{text}")
        figures = [f for f in amounts(title) if f.unit != "date"]
        for item_id, when, their_months, their_figures in reversed(self._by_key.get(k, [])):
            if abs(when - published) > WINDOW:
                continue
            if mine and their_months and not mine & their_months:
                continue
            if _figures_conflict(figures, [f for f in their_figures if f.unit != "date"]):
                continue
            return item_id
        return None


def _figures_conflict(a: list, b: list) -> bool:
    for unit in {f.unit for f in a} & {f.unit for f in b}:
        xs = [f for f in a if f.unit == unit]
        ys = [f for f in b if f.unit == unit]
        if not any(same_value(x, y) for x in xs for y in ys):
            return True
    return False
