"""Relevance: is a story *about* the topic profile, how strongly, and why, in words.

The profile (``[relevance]`` in config.toml) has weighted term groups ("japan",
"ai", "softbank", ...) and rules that combine them ("japan+ai": both groups).
Besides its own terms, a group counts every entity of the entity table
(``monitor.entities``) tagged with the group's name: Fujifilm / 富士フイルム is
"japan", Sakana AI is "japan" and "ai", Masayoshi Son is "softbank". All terms
and entity names are found in one pass over the NFKC-normalised story, so
full-width forms and Japanese text without spaces score as English does.

A mention counts by where it stands, as an analyst reads::

    headline 3.0   lead (first paragraph, at most two sentences) 2.0
    subject of a body sentence 1.0   elsewhere in a body sentence 0.6
    in a list, sidebar or enumeration (three or more names in a row; in the
    headline and lead, one of a list of three or more other names that is not
    the sentence's subject: "with Nvidia, Lightspeed, SoftBank and others") 0.2
    only as a backer of another subject ("SoftBank-backed Paytm") 0.25

A Japanese-language report that never writes 日本 of an unknown Japanese company
still names Japan where its headline or lead raises or invests money in yen and
marks nothing foreign (no 米/仏/中国..., no foreign entity, no dollar amount):
``monitor.relevance_domestic``.

A name that an excluded phrase shows to have another sense ("ソフトバンク" of
"ソフトバンクホークス") counts for nothing in a sentence about sport ("優勝パレード"):
there it is the team (``monitor.mention_roles``).

    mass(group) = sum over its terms of weight * (their five best mentions)
    strength    = 1 - exp(-mass / 2)

A rule's score is the weakest strength among its groups; the item's score is
the best rule's, times the feed's weight. A rule holds only if the story is
about its groups, not passing by them:

- each of its groups is in the headline or lead, or comes back in at least
  three body sentences: one name in a list, a sidebar or one sentence, or
  named only as the backer of the company the story is about, is a passing
  mention;
- the groups of a combined rule ("japan+ai") are about one subject: named
  together in one clause of a sentence (the headline is one; ";" ends a
  clause), or the headline and the lead's first sentence, which tell one
  event, are about one group and name the others: the headline's first name
  is that group's and the sentence names the others ("Fujitsu unveils a
  model" / "The model, a large language model ..."), or the sentence opens on
  it and it or the headline names the others ("Chip tool sales hit a record
  on AI" / "Japan's chip equipment makers sold ...").
  "Japan" and "AI" in unrelated sentences or clauses of a markets column
  ("... as AI Rally Pauses" / "... and Japan's 10-year bond yield touched a
  17-year high") do not make a story about Japanese AI.

A rule that fails this keeps half its score and is never relevant; the reason
says why ("SoftBank named once, in a list: a passing mention").

The profile is compiled in ``monitor.relevance_profile``; the reason is worded in
``monitor.relevance_reasons``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from monitor.entities import normalize
from monitor.mention_lists import enumerations, in_name_list, list_lines, roundup_headings
from monitor.mention_roles import (
    as_attribute,
    as_language,
    as_venue,
    dateline_end,
    in_dateline,
    in_japanese_dateline,
    regional_column,
)
from monitor.model import Relevance
from monitor.relevance_domestic import (
    FILED_IN_JAPAN,
    IN_DESCRIPTION,
    IN_KANA,
    IN_KOREAN,
    IN_NAME,
    IN_OPENING,
    THE_GOVERNMENT,
    domestic_subject,
    foreign_subject,
)
from monitor.relevance_drivers import credited
from monitor.relevance_groups import MAX_COUNTED_MENTIONS, Group, evidence_of, named
from monitor.relevance_places import (
    ATTRIBUTE,
    BODY,
    COLUMN,
    DATELINE,
    HEADLINE,
    LANGUAGE,
    LEAD,
    LIST,
    SUBJECT,
    VENUE,
)
from monitor.relevance_profile import Profile, compile_profile
from monitor.relevance_reasons import GROUP_NAMES, driver_reason, verdict_reason
from monitor.relevance_senses import carrier_senses, sports_senses

# Callers take the profile from here, beside ``score``.
__all__ = ["Profile", "compile_profile", "score"]

MASS_SCALE = 2.0
# A group outside headline and lead must come back in this many body sentences.
RECURRING_SENTENCES = 3
FAILED_RULE_FACTOR = 0.5
LEAD_CHARS = 400
LEAD_SENTENCES = 2
SUBJECT_CHARS = 25
# A Japanese report raising or investing yen that marks nothing foreign names a domestic
# subject (``monitor.relevance_domestic``): one mention of this group, weighted as a place.
DOMESTIC_GROUP = "japan"
DOMESTIC_WEIGHT = 0.8

# Sentence ends: ".!?" before a space and a capital, digit or quote; Japanese "。！？"; line ends.
_SENTENCE_END = re.compile(
    # One character class first, so the search skips ahead fast; the rest only where it may end.
    r"[.!?。！？\n](?:(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"“‘(])|(?<=[。！？])[。！？]*[」』）]*|(?<=\n))"
)


# Where a sentence's clauses part: ";" and the conjunctions that set two facts side by side
# ("Korean chipmakers rose on AI optimism while Japanese bonds slipped", "...一方、..."), and a
# statement added to the one reported ("..., the company said, adding that the model is also
# offered to some Japanese customers").
_CLAUSE_BREAK = re.compile(r";|\s(?:while|whereas)\s|,\s+adding\s+(?:that\s+)?|一方(?:で|、)")


def _clauses(full: str, begins: int, end: int) -> int:
    """How many clause breaks stand in ``full[begins:end]``: the clause of a mention at ``end``."""
    if end - begins < 6:
        return 0
    return len(_CLAUSE_BREAK.findall(full, begins, end))


@dataclass(slots=True)
class _Reading:
    """What ``_read`` found: each group's evidence, the groups of each (non-list) clause,
    and the text they were found in (for the driver test)."""

    groups: dict[str, Group]
    by_clause: dict[tuple[int, int], set[str]]  # (sentence, clause) -> groups named there
    full: str = ""
    offset: int = 0  # where the body starts in ``full``
    ends: list[int] = field(default_factory=list)  # sentence ends in ``full``
    opener: frozenset[str] = frozenset()  # groups of the headline's first name (else the lead's)
    headline_opener: bool = False  # the opener is the headline's
    # The headline opens on the unmarked domestic subject ("ミハルイメージング、前期純利益…"),
    # no table name before it: the lead is that subject's.
    unmarked_opener: bool = False
    first_lead: int = 0  # the index of the lead's first sentence
    lead_subject: frozenset[str] = frozenset()  # groups named in its first words
    teams: dict[str, str] = field(default_factory=dict)  # a name read as a team: the sports word
    services: dict[str, str] = field(default_factory=dict)  # read as the carrier's service: word


def _read(profile: Profile, title: str, text: str) -> _Reading:
    """Each group's evidence, and the groups named in each (non-list) sentence."""
    head = normalize(title)
    body = normalize(text)
    full = f"{head}\n{body}"
    mentions = profile.lexicon.scan(full)
    groups: dict[str, Group] = {}
    by_clause: dict[tuple[int, int], set[str]] = {}
    if not mentions:
        return _Reading(groups, by_clause)
    opener: frozenset[str] | None = None
    headline_opener = unmarked = False
    lead_subject: set[str] = set()
    offset = len(head) + 1
    paragraph = body.find("\n\n")
    ends = [m.end() for m in _SENTENCE_END.finditer(full)]
    # The lead: the first paragraph, at most its first LEAD_SENTENCES sentences and LEAD_CHARS.
    lead_end = offset + min(paragraph if paragraph >= 0 else len(body), LEAD_CHARS)
    first = bisect_right(ends, offset)
    if first + LEAD_SENTENCES - 1 < len(ends):
        lead_end = min(lead_end, ends[first + LEAD_SENTENCES - 1])
    lists = [(offset + a, offset + b) for a, b in list_lines(body)] if "\n" in body else []
    list_starts = [a for a, _ in lists]
    roundup = roundup_headings(full, headings=": " in body)
    sentence_of = [bisect_right(ends, m.start) for m in mentions]
    enumerated = enumerations(full, mentions, sentence_of)
    teams: dict[str, str] = {}
    sports = sports_senses(profile, full, ends, mentions, sentence_of)
    carrier = carrier_senses(profile, full, ends, mentions, sentence_of)
    services: dict[str, str] = {}
    column = regional_column(head)
    for index, m in enumerate(mentions):
        sentence = sentence_of[index]
        line = bisect_right(list_starts, m.start) - 1
        begins = ends[sentence - 1] if sentence else 0
        stop = ends[sentence] if sentence < len(ends) else len(full)
        if index in sports:
            teams.setdefault(full[m.start : m.end], sports[index])
            continue
        if index in carrier:
            services.setdefault(full[m.start : m.end], carrier[index])
            continue
        backer = as_attribute(full, m.start, m.end, begins, stop)
        if in_dateline(full, m.start, m.end, offset) or (
            # A Japanese wire's "[東京 5日 ロイター]" before a foreign subject's news.
            in_japanese_dateline(full, m.start, m.end, offset)
            and foreign_subject(head, profile.foreign)
        ):
            where = DATELINE
        elif line >= 0 and m.start < lists[line][1]:
            where = LIST
        elif any(a <= m.start < b for a, b in roundup):
            where = LIST  # one entry of a roundup ("SOFTBANK GROUP: plans to ...")
        elif backer is not None:
            where = ATTRIBUTE
        elif in_name_list(full, m.start, m.end, begins, stop) is not None:
            where = LIST  # one investor of many, in the headline and lead too
        elif as_language(full, m.start, m.end):
            where = LANGUAGE
        elif as_venue(full, m.start, m.end, begins):
            where = VENUE
        elif m.start < offset:
            where = HEADLINE
        elif column:
            # A region's markets column: Japan is one of its markets, a company one of its movers.
            where = COLUMN
        elif m.start < lead_end:
            where = LEAD  # one of several names in the lead is still what the story is about
        elif index in enumerated:
            where = LIST
        else:
            where = SUBJECT if m.start - begins <= SUBJECT_CHARS else BODY
        seen: set[str] = set()
        if sentence == first and where == LEAD and m.start - begins <= SUBJECT_CHARS:
            lead_subject.update(s.group for key in m.keys for s in profile.senses[key])  # type: ignore[index]
        if opener is None and where >= LEAD and m.keys:
            headline_opener = where == HEADLINE
            opener = frozenset(
                sense.group
                for key in m.keys
                for sense in profile.senses[key]  # type: ignore[index]
            )
        for key in m.keys:
            for sense in profile.senses[key]:  # type: ignore[index]
                name = sense.group
                if name in seen:
                    continue  # one match counts once per group ("Japan" as term and entity)
                seen.add(name)
                group = groups.get(name)
                if group is None:
                    group = groups[name] = Group({}, {}, {}, {}, set())
                group.count(sense.label, full[m.start : m.end], sense.weight, where)
                if where > ATTRIBUTE:
                    group.spots.append((m.start, m.end, where))
                elif where == ATTRIBUTE and backer not in group.backers:
                    group.backers.append(backer)  # type: ignore[arg-type]
                if where > ATTRIBUTE:
                    # The headline is one sentence whatever its full stops ("U.S. Rivals").
                    said = (
                        (0, _clauses(full, 0, m.start))
                        if m.start < offset
                        else (sentence, _clauses(full, begins, m.start))
                    )
                    by_clause.setdefault(said, set()).add(name)
                    if where <= SUBJECT:
                        group.sentences.add(sentence)
    # Where the table's names already made the story Japanese, the unmarked subject still
    # says which clause is about Japan ("政府が法改正案" beside "国会" in another sentence).
    if DOMESTIC_GROUP in profile.group_names and profile.foreign:
        known = groups.get(DOMESTIC_GROUP)
        # A dateline ("TOKYO (Kyodo) --") is where the report was filed: it says nothing of
        # the subject, so the unmarked subject still does.
        datelined = known.places.get(DATELINE, 0) if known is not None else 0
        filed_only = known is not None and datelined == known.mentions
        span = domestic_subject(
            full, lead_end, profile.foreign, dateline_end(full, offset) if datelined else None
        )
        if span is not None and (
            known is None
            or filed_only
            or span[2] in (THE_GOVERNMENT, FILED_IN_JAPAN)
            # The headline's own unmarked subject, where no table name opens the headline: a
            # customer named in the lead ("佐川急便が400台を導入") is not what the report is about.
            or (span[0] < offset and not headline_opener)
        ):
            start, end, what = span
            where = HEADLINE if start < offset else LEAD
            sentence = bisect_right(ends, start)
            begins = ends[sentence - 1] if sentence else 0
            if what == IN_KOREAN:
                surface = f"{full[start:end]} ({what})"
            else:
                plain = (IN_NAME, IN_KANA, IN_DESCRIPTION, IN_OPENING)
                but = "" if what in plain else ", nothing foreign"
                surface = f"{full[start:end]} ({what}{but}: a domestic subject)"
            group = known or groups.setdefault(DOMESTIC_GROUP, Group({}, {}, {}, {}, set()))
            group.count("a domestic subject", surface, DOMESTIC_WEIGHT, where)
            group.spots.append((start, end, where))
            said = (
                (0, _clauses(full, 0, start))
                if start < offset
                else (sentence, _clauses(full, begins, start))
            )
            by_clause.setdefault(said, set()).add(DOMESTIC_GROUP)
            if where == HEADLINE and not headline_opener:
                # No table name opens the headline: its unmarked subject does ("東風電子、…").
                opener, headline_opener, unmarked = frozenset({DOMESTIC_GROUP}), True, True
            elif opener is None:
                opener = frozenset({DOMESTIC_GROUP})
    return _Reading(
        groups,
        by_clause,
        full,
        offset,
        ends,
        opener or frozenset(),
        headline_opener,
        unmarked,
        first,
        frozenset(lead_subject),
        teams,
        services,
    )


def _mass(group: Group) -> float:
    total = 0.0
    for label, places in group.by_label.items():
        best = sorted(places, reverse=True)[:MAX_COUNTED_MENTIONS]
        total += group.weights[label] * sum(best)
    return total


def _substantive(group: Group) -> bool:
    return group.frame or len(group.sentences) >= RECURRING_SENTENCES


def _holds(rule: tuple[str, ...], reading: _Reading) -> tuple[bool, str]:
    """Whether the story is about the rule's groups; if not, why not, in words."""
    groups = reading.groups
    passing = [name for name in rule if not _substantive(groups[name])]
    if passing:
        said = "; ".join(named(name, groups[name]) for name in passing)
        return False, f"{said}: a passing mention"
    if len(rule) == 1:
        return True, ""
    if any(all(name in names for name in rule) for names in reading.by_clause.values()):
        return True, ""
    # The headline and the lead's first sentence tell one event: the headline's subject (its
    # first name) is one group's and that sentence names the others, or that sentence opens on
    # one group and it or the headline names the others.
    first = set().union(
        *(names for (s, _), names in reading.by_clause.items() if s == reading.first_lead)
    )
    # Only the sentence's first clause tells the headline's event: a markets column's "...
    # valuations of artificial intelligence companies ..., while the yen firmed on bets that
    # the Bank of Japan ..." under "Stocks slip as AI valuations worry investors" is not.
    first_clause = reading.by_clause.get((reading.first_lead, 0), set())
    if (
        reading.headline_opener
        and not reading.opener.isdisjoint(rule)
        and all(name in first_clause or name in reading.opener for name in rule)
    ):
        return True, ""
    if reading.unmarked_opener and all(
        name in reading.opener or groups[name].frame for name in rule
    ):
        return True, ""  # the company the headline opens on, and its lead
    head = set().union(
        *(names for (s, _), names in reading.by_clause.items() if s < reading.first_lead)
    )
    if not reading.lead_subject.isdisjoint(rule) and all(
        name in first or name in head for name in rule
    ):
        return True, ""
    about = " and ".join(GROUP_NAMES.get(name, name) for name in rule)
    return False, f"{about} are named only in separate sentences or clauses, never together"


def score(profile: Profile, title: str, text: str, weight: float = 1.0) -> Relevance:
    """Score one story against the profile; the evidence and reason say what counted and why.

    ``weight`` (a feed's configured weight) scales the final score, so a feed
    trusted less needs more evidence to pass the threshold.
    """
    reading = _read(profile, title, text)
    groups = reading.groups
    strengths = {name: 1.0 - math.exp(-_mass(group) / MASS_SCALE) for name, group in groups.items()}
    best: tuple[float, bool, tuple[str, ...] | None, str] = (0.0, False, None, "")
    for rule in profile.rules:
        if not all(name in groups for name in rule):
            continue
        holds, why = _holds(rule, reading)
        value = min(strengths[name] for name in rule) * (1.0 if holds else FAILED_RULE_FACTOR)
        value = min(value * weight, 1.0)
        candidate = (value, holds and value >= profile.threshold, rule, why)
        if (candidate[1], candidate[0]) > (best[1], best[0]):
            best = candidate
    value, relevant, rule, why = best
    evidence = evidence_of(groups)
    if not relevant:
        for subject, driver in profile.drivers:
            sentence = credited(reading, subject, driver)
            if sentence is not None:
                # Kept, but at the lowest relevant rank: the labelling rules call such a
                # story borderline (Japanese data that credits chip or AI demand).
                return Relevance(
                    score=round(profile.threshold, 4),
                    relevant=True,
                    evidence=evidence,
                    reason=driver_reason(subject, driver, sentence, profile.threshold),
                )
    reason = verdict_reason(profile, rule, value, relevant, why, groups, evidence)
    if reading.teams:
        reason += "; " + ", ".join(
            f'{name} read as the sports team ("{word}")' for name, word in reading.teams.items()
        )
    if reading.services:
        reason += "; " + ", ".join(
            f'{name} read as its service: fees, plans, promotions or outages ("{word}")'
            for name, word in reading.services.items()
        )
    return Relevance(score=round(value, 4), relevant=relevant, evidence=evidence, reason=reason)
