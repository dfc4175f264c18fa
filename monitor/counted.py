"""What a headline counts, in either language: "12 hospitals" and "１２病院" are one count. Pure.

Two reports in one template about two companies differ in little but the name and the
count: "Kaede Healthcare begins AI sepsis alert trial at 7 hospitals" and "あけぼの医療グループ、
ＡＩで敗血症を早期警告 １２病院で試験運用". Across scripts the names cannot be compared and
the encoder scores the template, not the facts (0.86 for that pair); in one script two
wordings of the template hide it from ``eventkeys.template_difference`` ("ひなたライフケア、
AI見守りロボを230施設に" and "介護大手さくらんぼケア、ＡＩ見守りロボを85施設に導入"). The counts
of one thing still compare. ``other_counts`` says when both headlines count one thing and share
no number for it: two events, whatever else they share.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["count_value", "counted", "other_counts"]

# The things a headline counts, each by its English words and its Japanese counter.
_THINGS = {
    "hospitals": (r"hospitals?|clinics?", r"病院|医療機関"),
    "schools": (r"schools?", r"校|学校"),
    "stores": (r"stores?|shops?|outlets?|branches", r"店舗?|支店"),
    "people": (
        r"people|workers|employees|staff(?:ers)?|engineers|users|students|teachers|doctors"
        r"|nurses|residents|officials|customers|members",
        r"人|名",
    ),
    "companies": (r"companies|firms|businesses", r"社|企業"),
    "plants": (r"plants|factories", r"工場"),
    "facilities": (r"facilities|(?:care\s+)?homes|centers|centres|sites", r"施設|拠点"),
    "municipalities": (r"municipalities|cities|towns|local governments", r"市町村|自治体"),
    "intersections": (r"intersections", r"(?:カ所|か所|箇所)?の?交差点"),
    "vehicles": (r"vehicles|robots|buses|taxis|cars|units", r"台"),
}
# "12,000", "1.2万", "1万2000" (12,000), "１２" (NFKC: 12).
_NUMBER = (
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?P<scale>[万千])?(?P<more>(?<=[万千])\d{1,4})?"
)
# Up to two words between the number and the thing ("500 AI engineers", "21,000 convenience
# stores"), none of them money or a scale ("1.2 billion yen hospitals" counts no hospitals).
_BETWEEN = (
    r"(?:(?!(?:billion|million|trillion|bil|mil|tril|yen|dollars?|percent|pct)\b)"
    r"[A-Za-z][\w-]*\.?\s+){0,2}?"
)
_PREFIX = r"(?<![\d.,$¥€£₩])(?:all\s+|全|計|約|最大)?"
_PATTERNS = [
    (
        thing,
        re.compile(rf"{_PREFIX}{_NUMBER}\s?{_BETWEEN}(?:{en})\b", re.I),
        re.compile(rf"{_PREFIX}{_NUMBER}(?:{ja})"),
    )
    for thing, (en, ja) in _THINGS.items()
]


def count_value(num: str, scale: str | None, more: str | None) -> int:
    """A count written "12,000", "1.2" with 万 (12,000) or "1" with 万 and "2000" after it."""
    value = float(num.replace(",", "")) * {"万": 10000, "千": 1000}.get(scale or "", 1)
    return round(value) + int(more or 0)


@lru_cache(maxsize=8192)
def counted(headline: str) -> frozenset[tuple[str, int]]:
    """(thing, count) for each count of a thing the headline states ("7 hospitals" ->
    ("hospitals", 7); "全職員1万2000人" -> ("people", 12000))."""
    src = unicodedata.normalize("NFKC", headline)
    out = set()
    for thing, english, japanese in _PATTERNS:
        for m in (*english.finditer(src), *japanese.finditer(src)):
            out.add((thing, count_value(m["num"], m["scale"], m["more"])))
    return frozenset(out)


def other_counts(headline_a: str, headline_b: str) -> str:
    """Why two headlines count one thing differently ("other counts (7 hospitals, not 12)"),
    "" when they share a count of everything both count, or count nothing alike."""
    a, b = counted(headline_a), counted(headline_b)
    for thing in sorted({t for t, _ in a} & {t for t, _ in b}):
        mine = {n for t, n in a if t == thing}
        theirs = {n for t, n in b if t == thing}
        if not mine & theirs:
            return f"other counts ({min(mine):,} {thing}, not {min(theirs):,})"
    return ""
