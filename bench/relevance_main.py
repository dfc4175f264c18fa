"""Frozen copy of monitor/relevance.py as it was before the entity table (main at 04d43a0).

The baseline of ``bench/relevance.py``: measured beside the current scorer in the same run.

Relevance: does a story belong to the topic profile, how strongly, and why.

The profile (``[relevance]`` in config.toml) has weighted term groups and rules
that combine them ("japan+ai": both groups present). For each group::

    mass     = sum over its terms of weight * min(mentions, 5)
               (a mention in the headline or lead paragraph counts twice)
    strength = 1 - exp(-mass / 2)

A rule's score is the weakest strength among its groups; the item's score is
the best rule's score, in [0, 1]. Excluded phrases ("SoftBank Hawks") are
blanked out before matching, so their words count for nothing.

Latin-script terms match as whole words, case-insensitively, except short
all-capitals acronyms ("AI", "NEC", "NTT") which match only in capitals so
that "ai" inside other words or "nec" in Latin never count. Japanese terms,
having no spaces to bound them, match as substrings.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from monitor.model import Evidence, Relevance
from monitor.settings import RelevanceSettings

MAX_COUNTED_MENTIONS = 5
MASS_SCALE = 2.0
_ACRONYM_MAX_LEN = 4
_WORD = re.compile(r"[A-Za-z0-9]+")


def _is_latin(term: str) -> bool:
    return all(ord(ch) < 0x2E80 for ch in term)


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    """One alternation for a set of terms, longest first so phrases win over words."""
    if not terms:
        return None
    latin = sorted((t for t in terms if _is_latin(t)), key=len, reverse=True)
    other = sorted((t for t in terms if not _is_latin(t)), key=len, reverse=True)
    parts = []
    if latin:
        words = "|".join(_latin_term(t) for t in latin)
        parts.append(rf"(?<![A-Za-z0-9])(?:{words})(?![A-Za-z0-9])")
    if other:
        parts.append("|".join(re.escape(t) for t in other))
    return re.compile("|".join(parts))


def _latin_term(term: str) -> str:
    escaped = re.escape(term).replace(r"\ ", r"\s+").replace("'", "['’]")
    if term.isupper() and len(term.replace(" ", "")) <= _ACRONYM_MAX_LEN:
        return escaped
    return f"(?i:{escaped})"


@dataclass(frozen=True, slots=True)
class _Term:
    group: str
    term: str
    weight: float


@dataclass(frozen=True, slots=True)
class Profile:
    """A compiled topic profile: build once per run with ``compile_profile``.

    All terms of all groups share one regular expression, so a story is
    scanned once; ``terms`` maps each match's folded form to the group
    entries it counts for.
    """

    threshold: float
    group_names: tuple[str, ...]
    # Latin terms as word sequences, indexed by their first (casefolded) word,
    # longest first; each with whether it must appear in capitals.
    by_first_word: dict[str, tuple[tuple[tuple[str, ...], bool, str], ...]]
    # Terms in scripts without spaces (Japanese), matched as substrings.
    substrings: tuple[str, ...]
    terms: dict[str, tuple[_Term, ...]]
    rules: tuple[tuple[str, ...], ...]
    exclude: re.Pattern[str] | None
    # Lower-cased exclusion phrases: the costly substitution runs only when one is present.
    exclude_probes: tuple[str, ...] = ()


def _fold(term: str) -> str:
    return re.sub(r"\s+", " ", term).replace("’", "'").casefold()


def compile_profile(settings: RelevanceSettings) -> Profile:
    """Compile the configured profile into regular expressions."""
    terms: dict[str, list[_Term]] = {}
    for group in settings.groups:
        for term, weight in group.terms.items():
            terms.setdefault(_fold(term), []).append(_Term(group.name, term, weight))
    by_first_word: dict[str, list[tuple[tuple[str, ...], bool, str]]] = {}
    substrings = []
    for key, entries in terms.items():
        original = entries[0].term
        words = tuple(_WORD.findall(key))
        if _is_latin(original) and words:
            acronym = original.isupper() and len(original.replace(" ", "")) <= _ACRONYM_MAX_LEN
            by_first_word.setdefault(words[0], []).append((words, acronym, key))
        else:
            substrings.append(key)
    return Profile(
        threshold=settings.threshold,
        group_names=tuple(group.name for group in settings.groups),
        by_first_word={
            word: tuple(sorted(found, key=lambda f: -len(f[0])))
            for word, found in by_first_word.items()
        },
        substrings=tuple(substrings),
        terms={key: tuple(entries) for key, entries in terms.items()},
        rules=settings.rules,
        exclude=_pattern(list(settings.exclude)),
        exclude_probes=tuple(" ".join(term.lower().split()) for term in settings.exclude),
    )


def _lead(text: str) -> str:
    return text.split("\n\n", 1)[0][:600]


def _mentions(profile: Profile, text: str, head_end: int) -> tuple[Counter[str], Counter[str]]:
    """Mentions of each folded term in the whole text, and in its first ``head_end`` characters.

    Latin terms are matched on word tokens (a phrase consumes its words, so
    "generative AI" does not also count as "AI"); Japanese terms as substrings.
    """
    found: Counter[str] = Counter()
    in_head: Counter[str] = Counter()
    # Non-ASCII characters become "?" first: lengths stay the same, so the
    # folded tokens line up one to one with the original ones.
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    original = _WORD.findall(ascii_text)
    folded = _WORD.findall(ascii_text.lower())
    head_tokens = len(_WORD.findall(ascii_text[:head_end]))
    index = profile.by_first_word
    consumed = 0
    for position in [i for i, word in enumerate(folded) if word in index]:
        if position < consumed:
            continue
        for words, acronym, key in index[folded[position]]:
            end = position + len(words)
            if tuple(folded[position:end]) != words:
                continue
            if acronym and not all(word.isupper() for word in original[position:end]):
                continue
            found[key] += 1
            if position < head_tokens:
                in_head[key] += 1
            consumed = end
            break
    if profile.substrings:
        head = text[:head_end].casefold()
        whole = text.casefold()
        for key in profile.substrings:
            if key in whole:
                found[key] += whole.count(key)
                in_head[key] += head.count(key)
    return found, in_head


def _may_contain(profile: Profile, title: str, text: str) -> bool:
    """Whether an exclusion phrase occurs, compared with whitespace folded to single spaces."""
    lowered = " ".join(f"{title}\n{text}".lower().split())
    return any(probe in lowered for probe in profile.exclude_probes)


def score(profile: Profile, title: str, text: str, weight: float = 1.0) -> Relevance:
    """Score one story against the profile; the evidence says which terms counted.

    ``weight`` (a feed's configured weight) scales the final score, so a feed
    trusted less needs more evidence to pass the threshold.
    """
    if profile.exclude is not None and _may_contain(profile, title, text):
        title = profile.exclude.sub(" ", title)
        text = profile.exclude.sub(" ", text)
    head_end = len(title) + 1 + len(_lead(text))
    counts, head_counts = _mentions(profile, f"{title}\n{text}", head_end)
    mass = dict.fromkeys(profile.group_names, 0.0)
    evidence: list[Evidence] = []
    for key, count in counts.items():
        for entry in profile.terms[key]:
            counted = min(count, MAX_COUNTED_MENTIONS) + min(head_counts[key], 1)
            mass[entry.group] += entry.weight * counted
            evidence.append(
                Evidence(entry.group, entry.term, count, head_counts[key] > 0, entry.weight)
            )
    strengths = {name: 1.0 - math.exp(-value / MASS_SCALE) for name, value in mass.items()}

    best_rule, best = None, 0.0
    for rule in profile.rules:
        rule_score = min(strengths.get(name, 0.0) for name in rule)
        if rule_score > best:
            best_rule, best = rule, rule_score
    best = min(best * weight, 1.0)
    relevant = best >= profile.threshold
    evidence.sort(key=lambda e: (-e.weight * min(e.count, MAX_COUNTED_MENTIONS), e.group, e.term))
    return Relevance(
        score=round(best, 4),
        relevant=relevant,
        evidence=tuple(evidence),
        reason=_reason(best_rule, best, profile.threshold, strengths, evidence),
    )


def _reason(
    rule: tuple[str, ...] | None,
    best: float,
    threshold: float,
    strengths: dict[str, float],
    evidence: list[Evidence],
) -> str:
    if rule is None:
        return "no rule of the topic profile holds (no matching terms)"
    terms = ", ".join(f"{e.term}×{e.count}" for e in evidence if e.group in rule)
    verdict = "meets" if best >= threshold else "is below"
    parts = " + ".join(f"{name} {strengths[name]:.2f}" for name in rule)
    return (
        f"rule '{'+'.join(rule)}' ({parts}) scores {best:.2f}, "
        f"{verdict} the threshold {threshold:.2f}: {terms}"
    )
