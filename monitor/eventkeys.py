"""What a headline says about its event, for the rules that link two reports or keep them apart.

Pure functions of headline text (and of ``monitor.facts`` amounts):

* ``share_move``: the headline reports a company's share price moving ("SoftBank shares slide
  6%", "ソフトバンクＧ株が一時６％超安"): the market's reaction, not the event it reacts to.
* ``head_counts``: counts a headline states without a unit of money ("3,000 engineers",
  "3000人"), which a translation keeps when it rewrites everything else.
* ``head_years``: the year a headline sets for its event ("own AI chips in 2029", "29年に投入").
* ``same_money``: one amount of money, also across yen and dollars (a Japanese paper
  converts: "$3.4 billion" = "5100億円").
* ``shared_name``: an unknown company's name written in katakana in one headline and in
  Latin letters in the other (アサギリ = Asagiri), or in katakana in both; a name in kanji
  before a company's suffix is read with a dictionary (``monitor.readings``: 風早精機 =
  Kazahaya Seiki).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from monitor.counted import count_value
from monitor.facts import Fact, market_move, same_value
from monitor.loanwords import LOANWORDS
from monitor.readings import company_names, company_readings

__all__ = [
    "YEN_DOLLAR", "forecast_way", "head_counts", "head_nodes", "head_years", "names_past_employer",
    "other_money", "same_money", "share_move", "share_move_way", "shared_name",
]  # fmt: skip


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


_MOVE_WORDS = (
    r"falls?|fell|slides?|slid|drops?|dropped|slumps?|slumped|tumbles?|tumbled|sinks?|sank"
    r"|plunges?|plunged|jumps?|jumped|surges?|surged|soars?|soared|rises?|rose|rall(?:y|ies|ied)"
    r"|climbs?|climbed|gains?|gained|loses?|lost|skids?|dives?|dived"
)
_SHARE_MOVE = re.compile(
    rf"(?i:\b(?:shares?|stock|stocks)\b(?:\s+\w+){{0,2}}\s+(?:{_MOVE_WORDS})\b"
    rf"|\b(?:{_MOVE_WORDS})\s+(?:the\s+)?most\s+(?:since|in)\b"
    r"|\bshares?\s+(?:hit|at)\s+(?:a\s+)?record"
    # Tokyo's daily price limit (ストップ高 / ストップ安): "shares hit daily limit", "limit-up".
    r"|\bshares?\s+(?:hit|at|reach|reached)\s+(?:the\s+|their\s+)?(?:daily\s+)?(?:price\s+)?limit"
    r"|\blimit[\s-](?:up|down|high|low)\b)"
    r"|株(?:価)?(?:が|は|、)|\d+(?:\.\d+)?%(?:超|強|近く)?(?:安|高)(?![値騰])"
    r"|急落|急騰|ストップ(?:高|安)|上場来(?:高値|安値)|年初来(?:高値|安値)"
)


_DOWN = re.compile(
    r"(?i:\b(?:falls?|fell|slides?|slid|drops?|dropped|slumps?|slumped|tumbles?|tumbled|sinks?"
    r"|sank|plunges?|plunged|loses?|lost|skids?|dives?|dived)\b)|安|下落|急落|続落|反落"
)
_UP = re.compile(
    r"(?i:\b(?:jumps?|jumped|surges?|surged|soars?|soared|rises?|rose|rall(?:y|ies|ied)|climbs?"
    r"|climbed|gains?|gained|record|limit[\s-](?:up|high))\b)|高|上昇|急騰|急伸|続伸|反発"
)


# A markets headline writes a company's stock by its name alone: "Yaskawa Soars After Humanoid
# Robot Wins 1,200 Orders", "Kioxia Sinks as ..." (title case, the verb right after the name);
# not a figure of it ("Toyota Profit Jumps").
_NAME_MOVES = re.compile(
    r"^[A-Z][\w&.'’-]*(?:\s+(?!(?:Profit|Profits|Sales|Revenue|Earnings|Exports|Imports|Output"
    r"|Orders|Income|Prices|Inflation|Index|Spending|Shipments|Production|Demand|Rates?|Yields?"
    r"|Bonds?|Economy|Growth|Jobs)\b)[A-Z][\w&.'’-]*)?\s+"
    r"(?:Falls|Slides|Drops|Slumps|Tumbles|Sinks|Plunges|Jumps|Surges|Soars|Rises|Rallies"
    r"|Climbs|Gains|Dives|Skids)\b"
)


@lru_cache(maxsize=8192)
def share_move(headline: str) -> bool:
    """Whether the headline reports a company's share price moving (not a market index's)."""
    src = _nfkc(headline)
    moves = _SHARE_MOVE.search(src) is not None or _NAME_MOVES.match(src) is not None
    return moves and not market_move(src)[0]


def share_move_way(headline: str) -> str:
    """ "up", "down" or "" (both or neither) for a ``share_move`` headline: the first word wins."""
    src = _nfkc(headline)
    found = [(m.start(), way) for way, words in (("down", _DOWN), ("up", _UP))
             if (m := words.search(src))]  # fmt: skip
    return min(found)[1] if found else ""


# A company's forecast revised, up or down: "raises annual profit forecast", "Lifts Profit
# Outlook", "cuts full-year guidance", "今期営業利益予想を1420億円に上方修正". A company revises
# its forecast once on a results day, as its shares close once.
_FORECAST = r"(?:forecasts?|outlook|guidance|projections?|estimates?)\b"
_FORECAST_UP = re.compile(
    rf"(?i:\b(?:raises?|raised|lifts?|lifted|hikes?|hiked|ups|boosts?|boosted|upgrades?)"
    rf"(?:\s+\S+){{0,4}}?\s+{_FORECAST})|上方修正|予想を引き上げ"
)
_FORECAST_DOWN = re.compile(
    rf"(?i:\b(?:cuts?|lowers?|lowered|slashes?|slashed|trims?|trimmed|downgrades?)"
    rf"(?:\s+\S+){{0,4}}?\s+{_FORECAST})|下方修正|予想を引き下げ"
)


@lru_cache(maxsize=8192)
def forecast_way(headline: str) -> str:
    """ "up" or "down" where the headline reports a forecast revised that way, else "" (neither,
    or both: "raises sales outlook, cuts profit forecast")."""
    src = _nfkc(headline)
    up, down = bool(_FORECAST_UP.search(src)), bool(_FORECAST_DOWN.search(src))
    return "up" if up and not down else "down" if down and not up else ""


_COUNT = re.compile(
    # "1.2万人" is 12,000 people: a decimal only before a scale.
    r"(?<![\d.,$¥€£₩])(?P<num>\d{1,3}(?:,\d{3})+|\d+\.\d+(?=[千万])|\d+)(?![\d.,]\d)"
    r"(?P<scale>[千万])?"
    r"(?(scale)(?P<more>\d{1,4})?)"  # 2万1000店 is 21,000 stores
)
_COUNTER = re.compile(r"\s?[人名社台件店]")
# What makes a number money, a percentage, a date or a scale, not a count.
_NOT_COUNT = re.compile(
    r"\s?(?:%|[年月日円ドル億兆元ウォン亿억조달원]|美元|(?i:bil\.|tril\.|mil\.)"
    r"|(?i:per\s?cent|percent|pct|bn|bln|billion|million|mln|mn"
    r"|trillion|tn|trn|trln|yen|dollars?|euros?|yuan|won|[kmb])(?![A-Za-z]))"
)
_COUNTERS = frozenset("人名社台件店")
# A model's size is a count however it is scaled: "70-billion-parameter" = "700億パラメーター" =
# "70B-parameter".
_PARAMETERS = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s?-?\s?(?P<scale>trillion|billion|million|bn|[TBM]|兆|億|万)?"
    r"[\s-]?(?:parameters?|params?|パラメーター|パラメータ)",
    re.IGNORECASE,
)
_PARAMETER_SCALE = {
    "trillion": 1e12, "t": 1e12, "兆": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "億": 1e8,
    "million": 1e6, "m": 1e6, "万": 1e4,
}  # fmt: skip


@lru_cache(maxsize=8192)
def head_counts(headline: str) -> frozenset[int]:
    """Counts the headline states that are no money, percentage or date ("3,000", "3000人").

    A bare four-digit number from 1900 to 2100 is taken for a year unless a counter
    (人, 社, ...) follows it; numbers under 10 say too little to link two reports.
    """
    src = _nfkc(headline)
    out = set()
    for m in _COUNT.finditer(src):
        rest = src[m.end() :]
        before = src[m.start() - 1] if m.start() else ""  # "" is in every string: test it apart
        if _NOT_COUNT.match(rest) or (before and before in "$¥€£₩"):
            continue
        counted = bool(_COUNTER.match(rest))
        value = count_value(m["num"], m["scale"], m["more"])
        if value < 10 or ("," not in m["num"] and 1900 <= value <= 2100 and not counted):
            continue
        out.add(value)
    for m in _PARAMETERS.finditer(src):
        scale = _PARAMETER_SCALE.get((m["scale"] or "").lower(), 1)
        out.add(round(float(m["num"]) * scale))
    return frozenset(out)


# A year the headline sets for its event: "in 2029", "2029年", "2029년", and the Japanese press's
# two digits before a particle or a term ("29年に投入", "30年度"). Not "29年ぶり" (for the first
# time in 29 years), "25年にわたり" (for 25 years) nor "3年で" (within three years): only 20-99
# with a marker of a point in time.
_YEAR = re.compile(
    r"(?<![\d.,$¥€£₩])(?:(?P<full>20\d\d)(?![\d.,]\d|\s?[人名社台件店%])"
    r"|(?P<short>[2-9]\d)(?=年(?:に(?!わた|一度|1度)|度|から|まで|中|末|春|夏|秋|冬|以降|めど|メド)))"
)


# A headline naming a company as someone's past employer ("Ex-SoftBank executive Misra's fund
# raises $2 bln", "元ソフトバンク幹部の新会社"): its principal is the new venture, not that company.
_PAST_EMPLOYER = re.compile(
    r"(?i:\b(?:ex|former|one-time)[-\s]+[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)?\s+"
    r"(?:executive|exec|banker|manager|official|chief|head|founder|employee|engineer|partner)s?\b)"
    r"|元[^\s、。]{2,12}?(?:幹部|社長|会長|役員|社員|副社長|専務|常務)"
)


def names_past_employer(headline: str) -> bool:
    """Whether the headline names a company as someone's past employer."""
    return _PAST_EMPLOYER.search(_nfkc(headline)) is not None


@lru_cache(maxsize=8192)
def head_years(headline: str) -> frozenset[int]:
    """The years ("2029", "29年に") a headline states, as four digits."""
    found = _YEAR.finditer(_nfkc(headline))
    return frozenset(int(m["full"]) if m["full"] else 2000 + int(m["short"]) for m in found)


# A chip process node: "2nm", "2-nanometer", "1.4ナノ", "2ナノメートル", "2나노". Too small a
# number for ``head_counts``, but as specific: few of one company's events share one node.
_NODE = re.compile(
    r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s?-?\s?(?:(?:nm|nanomet(?:er|re)s?)(?![A-Za-z])|ナノ|나노)",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def head_nodes(headline: str) -> frozenset[float]:
    """The chip process nodes a headline states, in nanometres ("2nm" = "2ナノ" -> 2.0)."""
    return frozenset(float(m["num"]) for m in _NODE.finditer(_nfkc(headline)))


# A multiple the headline states: "2.1倍", "doubles", "triples", "2.5-fold", "3x".
_MULTIPLE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*(?:倍|-?fold\b|x\b)"
    r"|\b(?P<word>doubl|tripl|quadrupl)(?:es|ed|e|ing)\b(?!\s+down\b)",
    re.IGNORECASE,
)
_MULTIPLE_WORDS = {"doubl": 2.0, "tripl": 3.0, "quadrupl": 4.0}
# Two multiples are one where the wire rounds: "2.1倍" is "doubles", "2.6倍" is not.
_MULTIPLE_ROUNDING = 0.06


@lru_cache(maxsize=8192)
def head_multiples(headline: str) -> frozenset[float]:
    """The multiples a headline states ("純利益2.1倍" -> 2.1, "profit doubles" -> 2.0)."""
    out = set()
    for m in _MULTIPLE.finditer(_nfkc(headline)):
        value = float(m["num"]) if m["num"] else _MULTIPLE_WORDS[m["word"].lower()]
        if value >= 1.5:
            out.add(value)
    return frozenset(out)


def same_multiple(a: frozenset[float], b: frozenset[float]) -> bool:
    """Whether two headlines' multiples agree within the wires' rounding."""
    return any(abs(x - y) <= _MULTIPLE_ROUNDING * max(x, y) for x in a for y in b)


# A wire's tag before the headline: "UPDATE 1-", "EXCLUSIVE-", "BREAKING:"; a bracketed one:
# "【速報】", "[Exclusive]".
_WIRE_TAG = re.compile(r"^(?:UPDATE\s*\d+|EXCLUSIVE|BREAKING|REFILE|CORRECTED|RPT)\s*[-:]\s*")
_BRACKET_TAG = re.compile(r"^[【\[(「][^】\])」]{1,12}[】\])」]\s*")
# An English headline's subject: its opening run of capitalised words ("Hachijuni Bank",
# "Japan's NYK"; a title-case headline's runs on). A Japanese one's: what comes before its
# first 、, space, は, が or の ("横浜市").
_EN_SUBJECT = re.compile(r"(?:[A-Z0-9][\w.&'’-]*\s+)*[A-Z0-9][\w.&'’-]*")
_JA_SUBJECT = re.compile(r"[^、,\s　はがの「『（(]{2,15}(?=[、,\s　はがの「『（(])")
# Words of a subject that name no one ("Japan's Hachijuni Bank" and "Iyo Bank" share none;
# Kyodo's "U.S. firm Equinix" opens on a country).
_GENERIC = frozenset(
    [
        "japan", "japan's", "japanese", "tokyo", "u.s.", "u.s", "us", "american", "chinese",
        "china's", "korean", "south", "australian", "british", "french", "german", "indian",
        "taiwanese", "european", "bank", "banks", "group", "holdings", "corp", "co", "inc",
        "ltd", "city", "startup", "firm", "company", "maker", "the", "a",
    ]
)  # fmt: skip
_DIGITS = re.compile(r"\d[\d,.]*")
_SUBJECT_WORD = re.compile(r"[\s\-–/,]+")  # "SoftBank-OpenAI venture" names SoftBank too
# How alike the rest of two headlines of one template is: character bigrams, numbers as one.
TEMPLATE_TAIL = 0.5


@lru_cache(maxsize=16384)
def headline_subject(headline: str) -> str:
    """What a headline opens on, its subject ("Yokohama", "横浜市"), casefolded; "" if unclear."""
    src = _WIRE_TAG.sub("", _BRACKET_TAG.sub("", _nfkc(headline).strip()))
    found = (_JA_SUBJECT if _CJK.match(src) else _EN_SUBJECT).match(src)
    return found.group(0).casefold() if found else ""


def template_difference(headline_a: str, headline_b: str) -> str:
    """Why two headlines of one template tell other events; "" when they may tell one.

    One template: one script, and what follows each headline's subject alike (character
    bigrams, any number as one: "to Use AI to Cut SME Loan Screening to 2 Days" and "... 3
    Days"). Other events: subjects that share no name ("Hachijuni Bank", "Iyo Bank";
    "横浜市", "神戸市"), or counts of which they share none ("18,000 City Staff", "9,500").
    """
    subject_a, grams_a = _subject_and_tail(headline_a)
    subject_b, grams_b = _subject_and_tail(headline_b)
    if not subject_a or not subject_b or subject_a.isascii() != subject_b.isascii():
        return ""
    if (
        not grams_a
        or not grams_b
        or len(grams_a & grams_b) < TEMPLATE_TAIL * len(grams_a | grams_b)
    ):
        return ""
    if subject_a.isascii():
        names_a = set(_SUBJECT_WORD.split(subject_a)) - _GENERIC
        names_b = set(_SUBJECT_WORD.split(subject_b)) - _GENERIC
        other = bool(names_a) and bool(names_b) and not names_a & names_b
    else:
        other = subject_a not in subject_b and subject_b not in subject_a
    if other:
        return f"another subject ({subject_a}, not {subject_b})"
    counts_a, counts_b = head_counts(headline_a), head_counts(headline_b)
    if counts_a and counts_b and not counts_a & counts_b:
        return f"other counts ({min(counts_a):,}, not {min(counts_b):,})"
    return ""


@lru_cache(maxsize=16384)  # the judge meets each window headline again and again
def _subject_and_tail(headline: str) -> tuple[str, frozenset[str]]:
    """A headline's subject and the character bigrams of what follows it, numbers as one."""
    subject = headline_subject(headline)
    if not subject:
        return "", frozenset()
    tail = _DIGITS.sub("0", _nfkc(headline).casefold().split(subject, 1)[-1])
    squeezed = "".join(tail.split())
    return subject, frozenset(squeezed[i : i + 2] for i in range(len(squeezed) - 1))


# Yen per dollar at which a Japanese paper's conversion and the dollar figure are one amount:
# the rate's range in the years this product reads (about 130-160 since 2023) with room for
# rounding. A talks estimate and an agreed price differ by more (¥510bn / $3bn = 170).
_YEN_PER_DOLLAR = (128.0, 165.0)
# The two currencies ``same_money`` converts between.
YEN_DOLLAR = frozenset({"JPY", "USD"})


def same_money(a: Fact, b: Fact) -> bool:
    """``facts.same_value``, or one amount in yen and the other in dollars at a plausible rate."""
    if same_value(a, b):
        return True
    pair = {a.unit: a.value, b.unit: b.value}
    if set(pair) != YEN_DOLLAR or pair["USD"] <= 0:
        return False
    low, high = _YEN_PER_DOLLAR
    return low <= pair["JPY"] / pair["USD"] <= high


def other_money(
    head_a: Sequence[Fact], head_b: Sequence[Fact], told_a: Sequence[Fact],
    told_b: Sequence[Fact],
) -> str:  # fmt: skip
    """Why two headlines state other sums, one in yen and the other in dollars; "" if not.

    Each headline states money in one of the two currencies only, no sum of one is the
    other's at a plausible rate (``same_money``), and neither report's text (``told_a``,
    ``told_b``: lead and body amounts) states the other headline's sum: "1.78 tril. yen
    loan" is not the "$10 billion" loan of the talks (178 yen a dollar), however alike the
    two read. Within one currency ``similarity.fact_features`` finds such conflicts.
    """
    money_a = [f for f in head_a if f.unit in YEN_DOLLAR]
    money_b = [f for f in head_b if f.unit in YEN_DOLLAR]
    units_a, units_b = {f.unit for f in money_a}, {f.unit for f in money_b}
    if len(units_a) != 1 or len(units_b) != 1 or units_a == units_b:
        return ""
    if any(same_money(x, y) for x in money_a for y in (*money_b, *told_b)):
        return ""
    if any(same_money(y, x) for y in money_b for x in told_a):
        return ""
    return f"other sums ({_written(money_a[0])}, not {_written(money_b[0])})"


def _written(fact: Fact) -> str:
    if fact.unit == "USD":
        return f"${fact.value / 1e9:g} billion" if fact.value >= 1e9 else f"${fact.value:,.0f}"
    return f"{fact.value / 1e9:g} billion yen" if fact.value >= 1e9 else f"{fact.value:,.0f} yen"


_KATAKANA_RUN = re.compile(r"[ァ-ヴー]{3,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z][a-z]{3,}|[A-Z]{4,}")
# A name and its business word, read as one ("Kazahaya Seiki" = 風早精機, "Shinonome AI").
_LATIN_PAIR = re.compile(r"\b(?=([A-Z][a-z]+\s+[A-Z][A-Za-z]+)\b)")
_HIRAGANA_OPENING = re.compile(r"[\u3041-\u3096]{3,}(?=[\u30a1-\u30fa\u4e00-\u9fff、\s])")
_VOWELS = re.compile(r"[aeiouy\-]")
_SOFT_C = re.compile(r"c(?=[eiy])")
_SPELT_MIN = 4  # letters of a romanised name matched whole (aoba, hisui; データ is "de-ta")


def _skeleton(romaji: str) -> str:
    """Consonants of a romanised name, with the sounds Japanese merges merged (v/b, l/r)."""
    s = romaji.lower().replace("ph", "f").replace("x", "ks").replace("c", "k").replace("q", "k")
    s = s.replace("v", "b").replace("l", "r").replace("tsu", "ts")
    s = re.sub(r"(?<=[^aeiou\W])h", "", s)  # sh, ch, th: one sound
    s = _VOWELS.sub("", s)
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=4096)
def _names(headline: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """(names matched as written, (first sound, consonants) of names matched by sound)."""
    import jaconv

    src = _nfkc(headline)
    runs = _KATAKANA_RUN.findall(src)
    # A name written together with its business ("キリコロボティクス" = Kiriko Robotics): the
    # name alone is matched too.
    runs += [stem for run in runs if (stem := _without_business(run))]
    kana = frozenset(run for run in runs if run not in LOANWORDS)
    sounds = set()
    romaji: set[str] = set()
    for run in kana:
        romaji.add(spelt := jaconv.kana2alphabet(jaconv.kata2hira(run)))
        sounds.update(_kana_sounds(spelt))
    # A name in hiragana opening the headline: "ほしぞらクラウド、…" is Hoshizora Cloud, "ひびき
    # データセンター、…" Hibiki Data Centers (Japanese writes few other words in hiragana there).
    opening = _HIRAGANA_OPENING.match(src)
    if opening is not None:
        sounds.update(_kana_sounds(jaconv.kana2alphabet(opening.group(0))))
    # A name in kanji before a company's suffix, read by the dictionary: 風早精機 = Kazahaya Seiki.
    if _CJK.search(src):
        for reading in company_readings(src):
            romaji.add(reading)
            sounds.update(_kana_sounds(reading))
    for pair in _LATIN_PAIR.findall(src):
        sounds.add((pair[:1].lower(), _skeleton(re.sub(r"\s+", "", pair))))
    for word in _LATIN_WORD.findall(src):
        romaji.add(word.lower())
        # English reads c before e, i and y as s: Welcia is ウエルシア, Mercer マーサー.
        for spelling in {word, _SOFT_C.sub("s", word)}:
            first = spelling[:1].lower().replace("v", "b").replace("l", "r")
            sounds.add((first, _skeleton(spelling)))
    # A short name has too few consonants to match by them alone (ヒスイ = Hisui: "hs"); its whole
    # romanisation, vowels and all, still can.
    spelt = {("=", r) for r in romaji if len(r) >= _SPELT_MIN}
    # As written, too: the kanji company name with its suffix opening a Japanese headline
    # ("雲路AI"), which two Japanese headlines share exactly.
    exact = kana | company_names(src) if _CJK.search(src) else kana
    return exact, frozenset({*(s for s in sounds if len(s[1]) >= 3), *spelt})


def _without_business(run: str) -> str:
    """A katakana run without the loanword it ends in, if three characters or more are left."""
    for word in _BUSINESS_ENDINGS:
        if run.endswith(word) and len(run) - len(word) >= 3:
            return run[: -len(word)]
    return ""


_BUSINESS_ENDINGS = sorted(LOANWORDS, key=len, reverse=True)


def _kana_sounds(romaji: str) -> set[tuple[str, str]]:
    """(first sound, skeleton) of a romanised kana name, both ways where the kana reads two.

    An opening ウエ, ウイ or ウオ is "we", "wi", "wo" in a loanword or a brand (ウエルシア =
    Welcia, ウイング = Wing) and "ue" in a Japanese name (ウエダ = Ueda).
    """
    out = {(romaji[:1], _skeleton(romaji))}
    if romaji[:2] in ("ue", "ui", "uo"):
        out.add(("w", _skeleton("w" + romaji[1:])))
    return out


def shared_name(headline_a: str, headline_b: str) -> bool:
    """Whether the two headlines name one thing in katakana, or in katakana and Latin letters.

    Katakana runs of three or more characters match exactly, as do two Japanese headlines'
    company names in kanji with their suffix (``readings.company_names``); across scripts a run
    matches a Latin word with the same first sound and the same consonants once the
    sounds Japanese does not tell apart are merged (アサギリ = Asagiri, ベリディアン =
    Veridian, SCREEN = Screen). Only a Japanese headline against a Latin-script one
    matches by sound: the pair model reads two English reports well.
    """
    exact_a, sounds_a = _names(headline_a)
    exact_b, sounds_b = _names(headline_b)
    if exact_a & exact_b:
        return True
    japanese = bool(_CJK.search(headline_a)) != bool(_CJK.search(headline_b))
    return japanese and bool(sounds_a & sounds_b)
