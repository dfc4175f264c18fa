"""Names in a row: list items, enumerations and lists of names in prose. Pure.

Relevance (``monitor.relevance``) weighs a name in a list as little as a passing mention:

- **a list**: a bulleted or dated line, a sidebar of short lines, an
  enumeration of three or more names in a row (``list_lines``, ``enumerations``);
- **one of a list of names in prose**: "a round led by X, with Nvidia, Lightspeed,
  SoftBank, Bpifrance and a dozen others taking part", "A、B、Cなどから調達": one
  name among three or more others (``others`` / ``など`` counting as one), where
  the list is not the sentence's subject ("SoftBank, Sony, NTT and Toyota form an
  AI venture" is about them; a ranking's names never are) (``in_name_list``). It
  weighs as a name in a list, in the headline and lead too;
- **one of a number of countries**: "in 40 countries, including Japan" (``one_of_countries``).

Like ``monitor.mention_roles``, these look only at the words of the mention's own
sentence or line.
"""

from __future__ import annotations

import re

from monitor.entities import Mention
from monitor.facts import is_country

# A line that is an item of a list: a bullet, a numbered item, a date or year first
# ("1945 - ...", "On this day in 1868, ...").
_LIST_LINE = re.compile(
    r"\s*(?:[-–—•*・●■◆▶►]|\d{1,2}[.)]\s|(?:on this day )?(?:in )?(?:1[0-9]|20)\d\d\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b)",
    re.IGNORECASE,
)
# What separates two names of an enumeration ("Sony, Toyota and SoftBank", "ソニーやトヨタ").
_LIST_GLUE = re.compile(r"\s*(?:,|、|・|/|&|and|or|as well as|や|と|及び|および|,\s*and)\s*")
_ENDS_SENTENCE = re.compile(r"[.!?。！？:：][\"'”’)」』）]*\s*$")
_SHORT_LINE = 70


def list_lines(text: str) -> list[tuple[int, int]]:
    """Spans of lines that are list items, sidebars or link lists rather than prose."""
    spans, lines, pos = [], [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    short = [
        s
        for s in lines
        if s[2].strip() and len(s[2]) < _SHORT_LINE and not _ENDS_SENTENCE.search(s[2])
    ]
    for start, end, line in lines:
        if _LIST_LINE.match(line) or (len(short) >= 3 and (start, end, line) in short):
            spans.append((start, end))
    return spans


# A roundup's entry heading: a company opening a sentence or following a colon, before a colon
# of its own ("SOFTBANK GROUP: plans to sell ...", "Toyota Motor: announced a recall ..."), the
# wires' "stocks to watch" layout.
_ROUNDUP_HEADING = re.compile(
    r"(?:(?<=^)|(?<=[.!?:] )|(?<=- ))[A-Z][\w&'.-]*(?: (?:[A-Z0-9&][\w&'.-]*|&)){0,3}(?=: )",
    re.MULTILINE,
)
_ROUNDUP_MIN = 3


# A listed company written with its stock code, the Japanese market press's screen layout
# ("ソフトバンクグループ <9984> は…。キオクシアHD <285A> は…", "トヨタ（7203）"): the name runs
# back to the sentence's or list's last break. A year in brackets ("（2024）") is no code.
_CODED_NAME = re.compile(
    # ... or in English, a name of several words ("SoftBank Group (9984)", "Toyota Motor (7203.T)").
    r"(?:[A-Z][\w&'.-]*\s){0,3}[^\s。、，,.「」『』（）()<>＜＞：:]{1,24}\s?"
    r"(?:[<＜]\s?(\d{3}[0-9A-Z])\s?[>＞]|[（(](?!19\d\d|20\d\d)(\d{3}[0-9A-Z])(?:\.T)?[）)])"
)
_STOCK_CODE = re.compile(r"[<＜（(]\s?\d{3}[0-9A-Z]")


def roundup_headings(text: str, headings: bool = True) -> list[tuple[int, int]]:
    """Spans of the entry headings of a roundup in ``text`` (three or more), else none: each
    company is one of its entries, as one name of a list.

    Headings are the wires' "SOFTBANK GROUP: plans to ..." and, in Japanese, names written
    with their stock codes: three companies with three codes are a stock screen's rows
    ("本日の注目個別銘柄"), the movers a session report lists, not its subject.
    ``headings``: whether to look for the wires' headings (a colon in the body).
    """
    found = (
        [m.span() for m in _ROUNDUP_HEADING.finditer(text) if any(c.isalpha() for c in m[0])]
        if headings
        else []
    )
    coded = list(_CODED_NAME.finditer(text)) if _STOCK_CODE.search(text) else []
    if len({m[1] or m[2] for m in coded}) >= _ROUNDUP_MIN:
        found += [m.span() for m in coded]
    return found if len(found) >= _ROUNDUP_MIN else []


def enumerations(full: str, mentions: list[Mention], sentence_of: list[int]) -> set[int]:
    """Indexes of mentions that are one of three or more names in a row in one sentence."""
    found: set[int] = set()
    run: list[int] = []
    for index, m in enumerate(mentions):
        if run:
            last = run[-1]
            glued = sentence_of[last] == sentence_of[index] and _LIST_GLUE.fullmatch(
                full, mentions[last].end, m.start
            )
            if not glued:
                if len(run) >= 3:
                    found.update(run)
                run = []
        run.append(index)
    if len(run) >= 3:
        found.update(run)
    return found


# A name in a list of names in prose: a capitalised word run ("General Catalyst", "Bpifrance"),
# "others" ("a dozen others", "other funds"); in Japanese a run of characters with no particle,
# punctuation or space. Lists: names joined by ", " / " and " (English), "、" (Japanese).
# A name may open in lower case where a digit or a capital follows ("a16z", "eBay").
_EN_NAME = (
    r"(?:(?:[A-Z][\w'’.&-]*|[a-z]+(?:\d|[A-Z])[\w'’.&-]*)"
    r"(?:\s+(?:of\s+|de\s+)?[A-Z0-9&][\w'’.&-]*){0,3})"
)
_EN_OTHERS = r"(?:(?:[\w-]+\s+){0,3}?others\b|other\s+[a-z]+)"
_EN_GLUE = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)"
# A table's item: a name and its figure ("ソフトバンクグループ 1万2450円、", "Sony 3,920 yen,").
_NUMBER = r"\d(?:[\d,.]*\d)?"
_UNIT = r"(?:\s?(?:円|ドル|%|yen|pct)(?![A-Za-z]))"
_FIGURE = rf"(?:\s[-+]?[$¥]?{_NUMBER}(?:[万億兆](?:{_NUMBER})?)?{_UNIT}?)"
_FIGURE_TAIL = re.compile(_FIGURE)
# A table row's name has no number of its own: "Sony 3,920 yen" is Sony and its price.
_EN_ROW = (
    r"(?:(?:[A-Z][\w'’.&-]*|[a-z]+(?:\d|[A-Z])[\w'’.&-]*)"
    rf"(?:\s+(?:of\s+|de\s+)?[A-Z&][\w'’.&-]*){{0,3}}{_FIGURE})"
)
_EN_LEFT = re.compile(rf"(?:{_EN_ROW}|{_EN_NAME}){_EN_GLUE}$")
# The alias may stop short of its abbreviation's full stop: "SoftBank Group Corp" + "., Sony".
_EN_RIGHT = re.compile(rf"\.?{_EN_GLUE}(?:{_EN_ROW}|{_EN_NAME}|{_EN_OTHERS})")
_JA_NAME = (
    r"(?:(?!など|から|まで|より)[^\s、。，,.．「」『』（）()・はがをにでへもとやの：:]){1,16}"
)
# A table row's name may hold a "・" ("三菱UFJフィナンシャル・グループ 2140円"): its figure ends it.
_JA_ROW = rf"[^\s、。，,「」『』（）()]{{1,24}}{_FIGURE}"
_JA_LEFT = re.compile(rf"({_JA_ROW}|{_JA_NAME})、$")
_JA_RIGHT = re.compile(rf"、({_JA_ROW}|{_JA_NAME})")
_JA_DATE = re.compile(r"^\d+(?:日|月|年)")
# "など" / "等" / "ら" / "をはじめ" / "…" right after the last name: more names than written.
_JA_MORE = re.compile(r"(?:など|等|ら|といった|をはじめ|…|\.\.\.|‥)")
# Words before a list that make it an object: "with", "from", "including", "led by".
_NOT_SUBJECT = re.compile(
    r"\b(?:with|from|by|including|includes?|among|like|as|such|of|to|in|for)\b|[はがをにでから]",
    re.IGNORECASE,
)
# Words right after a list that make its names backers even as the subject.
_BACKING_AFTER = re.compile(
    r"\s*(?:など|ら)?\s*(?:が|も)?(?:出資|参加|引き受け)"
    r"|\s+(?:\w+\s+)?(?:invest|participat|took\s+part|join|back|co-?led)",
    re.IGNORECASE,
)
_LIST_OTHERS = 3
# An outlet's credit closing a headline: "（株探ニュース）", "(Reuters)".
_CREDIT = re.compile(r"\s*[（(][^（）()]{1,24}[)）]\s*$")
# Words right after a list that make its names members of a set the story is about: "Toyota,
# Sony and SoftBank were among decliners", "...など値下がり", a ranking's top names.
_MEMBERS_AFTER = re.compile(
    r"\.?\s*(?:(?:were|are|was|is)\s+(?:also\s+)?)?among\b|\s*(?:など)?(?:が|も)?(?:値下がり|値上がり)"
    # ... or the top of a ranking: "Toyota, SoftBank Group and Sony were the most-bought stocks".
    r"|\s+(?:were|are)\s+(?:also\s+)?the\s+(?:most|top|best|biggest|largest|worst)\b",
    re.IGNORECASE,
)
# A ranking's position before a name ("3位三菱重工業"), right before it.
_RANK_POSITION = re.compile(r"\d{1,3}位(?=\S)")
_RANK_POSITION_BEFORE = re.compile(r"\d{1,3}位$")
# A sentence that ranks the names it lists.
_RANKING = re.compile(
    r"ランキング|番付|首位|上位\d*社|順位|\branking|\brank(?:s|ed)\b|\btop\s+\d+\b"
    r"|\b(?:biggest|largest|most valuable)\s+(?:\w+\s+)?(?:companies|firms|brands|employers)\b",
    re.IGNORECASE,
)
# Splits a list into its names ("the US, Japan and UK"); not ``_LIST_GLUE``, whose "and" and
# "or" have no word boundaries ("Thailand", "Singapore").
_EN_SPLIT = re.compile(r"\s*(?:,\s*and\s+|,|、|\band\b|\bor\b|&)\s*")
_NAME_TAIL = re.compile(r"(?:\s[A-Z0-9][\w'’.&-]*){1,3}")
_LIST_SUBJECT_CHARS = 25
# A name given as one example of several ("ソフトバンクグループ株など値動きの大きい数銘柄").
_AMONG_OTHERS = re.compile(r"(?:株|氏|社)?(?:など|等)(?!し)")
_REGION = re.compile(
    r"(?:the\s+)?(?:(?:Southeast|South|East|North|Central|Western|Eastern)\s+)?"
    r"(?:Europe|Asia|Africa|America|Americas|Latin\s+America|Middle\s+East|Asia[-\s]Pacific"
    r"|Oceania|Gulf)",
    re.IGNORECASE,
)


# A country named as one of a number of them: "in 40 countries, including Japan and India",
# "in 12 markets such as India and Japan", "in 30 more markets including Japan, Brazil",
# "Japan and 30 other countries", "日本など40カ国",
# "日本を含む12カ国・地域", "日本など22市場", "in 20 languages, including Japanese",
# "日本語や韓国語など20言語". A launch in forty countries is not news about any one of them.
_COUNTRY_SET_BEFORE = re.compile(
    r"\b(?:\d+|dozens\s+of|several|many|multiple)\s+(?:other\s+|more\s+|new\s+)?(?:countries|markets|nations"
    r"|regions|territories|languages)\b[^.;:!?]{0,20}?\b(?:including|such\s+as|like|among\s+them)\s+"
    r"(?:[\w'’.-]+(?:\s*,\s*|\s+and\s+)){0,3}$",
    re.IGNORECASE,
)
_COUNTRY_SET_AFTER = re.compile(
    r"\s*(?:,\s*|\s+and\s+)(?:\d+|dozens\s+of|several)\s+(?:other|more)\s+(?:countries|markets|nations)\b"
    # "affecting users in Japan and elsewhere", "Japan and other countries"
    r"|\s+and\s+(?:elsewhere|other\s+(?:countries|markets|nations|regions))\b"
    # "The US, the UK, Japan, India and dozens of others signed"
    r"|(?:\s*,\s*(?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?){0,4}\s*,?\s+and\s+"
    r"(?:dozens|scores|hundreds|\d+)\s+(?:of\s+)?(?:others|other\s+(?:countries|nations))\b"
    # "日本語や韓国語など20言語": a language is named by its country's name and 語.
    r"|語?(?:[・、や][^、。・や]{1,6}){0,3}(?:など|を含む|を含め|をはじめ(?:とする)?)"
    r"(?:世界|同盟|主要|近隣|加盟)?"
    r"(?:\d+|数十)(?:(?:カ|か|ヶ|ケ|ヵ|箇)?(?:国|の国)(?:・地域)?|言語|市場|地域)",
    re.IGNORECASE,
)


def one_of_countries(text: str, start: int, end: int, begins: int, stop: int) -> str | None:
    """The phrase naming the country ``text[start:end]`` as one of a number of them, or None."""
    if not is_country(text[start:end]):
        return None
    before = _COUNTRY_SET_BEFORE.search(text, max(begins, start - 80), start)
    if before is not None:
        return " ".join(text[before.start() : end].split())
    after = _COUNTRY_SET_AFTER.match(text, end, stop)
    if after is not None:
        return " ".join(text[start : after.end()].split())
    return None


def in_name_list(text: str, start: int, end: int, begins: int, stop: int) -> str | None:
    """The list that names ``text[start:end]`` as one of three or more others, or None.

    A list that opens its sentence (within its first 25 characters, after no word such as
    "with", "from" or "including") and whose names are not then said to invest or take
    part is the sentence's subject: "SoftBank, Sony, NTT and Toyota form an AI venture".
    A country named as one of a number of them (``one_of_countries``) is a list too.
    ``begins`` and ``stop`` bound the mention's sentence.
    """
    countries = one_of_countries(text, start, end, begins, stop)
    if countries is not None:
        return countries
    # A row of a ranking written out in prose: "1位ソフトバンクグループ、2位レーザーテック、...".
    position = _RANK_POSITION_BEFORE.search(text[max(begins, start - 5) : start])
    if position is not None and len(_RANK_POSITION.findall(text, begins, stop)) >= _LIST_OTHERS:
        return " ".join(text[start - len(position.group(0)) : end].split())
    # Past the sentence's opening (where "ソフトバンクGなど4社、新会社" is its subject), a name
    # followed by など is one example of many: a household's holdings, a sector's movers.
    example = _AMONG_OTHERS.match(text, end, stop)
    if example is not None and start - begins > _LIST_SUBJECT_CHARS:
        return " ".join(text[start : example.end()].split())
    # In a table the glue follows the name's figure ("トヨタ自動車 2815円、").
    figure = _FIGURE_TAIL.match(text, end, stop)
    after = figure.end() if figure is not None else end
    near = text[max(begins, start - 6) : start] + text[after : after + 6]
    if "," not in near and "、" not in near and " and " not in near and " or " not in near:
        return None  # most mentions: no list glue beside them
    best = (0, start, end)
    # The name may go on past the table's alias ("SoftBank Vision Fund" + " 2"), and so may its
    # figure in a table ("ソフトバンクグループ 1万2450円").
    rest = _NAME_TAIL.match(text, end, stop)
    tail = rest.end() if rest else end
    for japanese, left_re, right_re in ((False, _EN_LEFT, _EN_RIGHT), (True, _JA_LEFT, _JA_RIGHT)):
        others, first, last = 0, start, end if japanese else tail
        if figure is not None:
            last = max(last, figure.end())
        while True:
            found = left_re.search(text, max(begins, first - 60), first)
            if found is None or (japanese and _JA_DATE.match(found.group(1))):
                break
            others, first = others + 1, found.start()
        while True:
            found = right_re.match(text, last, stop)
            if found is None or found.end() == last:
                break
            others, last = others + 1, found.end()
        more = _JA_MORE.match(text, last, stop) if japanese else None
        if more is not None:
            others, last = others + 1, more.end()
        best = max(best, (others, first, last))
    others, first, last = best
    # A product launched "in the US, Japan and UK" names places in a row: three are a list,
    # regions among them ("an outage in the U.S., Europe and Japan").
    places = others >= 2 and all(
        # A sentence's full stop may end the last name ("... and Indonesia.").
        is_country(part.rstrip(".")) or _REGION.fullmatch(part.rstrip(".")) is not None
        for part in _EN_SPLIT.split(text[first:last])
        if part.strip()
    )
    # Named as among a set ("X, Y and Z were among decliners", "SoftBank, Samsung among big
    # movers"), one other makes a list too.
    members = _MEMBERS_AFTER.match(text, last, stop) is not None
    if others < _LIST_OTHERS and not places and not (members and others >= 1):
        return None
    before = text[begins:first]
    # A subject has a predicate: a list that ends its sentence ("【年初来高値更新】 A、B、Cなど",
    # "Top gainers: A, B, C") only enumerates.
    ends_sentence = not _CREDIT.sub("", text[last:stop].strip()).strip("。.!！?？:：")
    subject = (
        len(before) <= _LIST_SUBJECT_CHARS and not _NOT_SUBJECT.search(before) and not ends_sentence
    )
    # Names each with a figure are a table's rows (closing prices), whatever opens the sentence.
    table = figure is not None and len(_FIGURE_TAIL.findall(text, first, last)) >= _LIST_OTHERS
    # A ranking's names are its rows, in whatever sentence: "時価総額ランキング：トヨタ首位、
    # 三菱UFJ、ソニーG、日立、ソフトバンクGが続く".
    ranking = _RANKING.search(text, begins, stop) is not None
    if (
        subject
        and not table
        and not ranking
        and not members
        and not _BACKING_AFTER.match(text, last, stop)
    ):
        return None
    return " ".join(text[first:last].split())
