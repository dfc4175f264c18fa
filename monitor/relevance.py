"""Relevance: does a story belong to the topic profile, how strongly, and why.

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

from monitor.config import RelevanceSettings
from monitor.model import Evidence, Relevance

MAX_COUNTED_MENTIONS = 5
MASS_SCALE = 2.0
_ACRONYM_MAX_LEN = 4


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
class _Group:
    name: str
    pattern: re.Pattern[str] | None
    # Keys are the casefolded, space-folded forms of the configured terms.
    weights: dict[str, tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Profile:
    """A compiled topic profile: build once per run with ``compile_profile``."""

    threshold: float
    groups: tuple[_Group, ...]
    rules: tuple[tuple[str, ...], ...]
    exclude: re.Pattern[str] | None


def _fold(term: str) -> str:
    return re.sub(r"\s+", " ", term).replace("’", "'").casefold()


def compile_profile(settings: RelevanceSettings) -> Profile:
    """Compile the configured profile into regular expressions."""
    groups = tuple(
        _Group(
            name=group.name,
            pattern=_pattern(list(group.terms)),
            weights={_fold(term): (term, weight) for term, weight in group.terms.items()},
        )
        for group in settings.groups
    )
    return Profile(settings.threshold, groups, settings.rules, _pattern(list(settings.exclude)))


def _lead(text: str) -> str:
    return text.split("\n\n", 1)[0][:600]


def _group_mentions(group: _Group, text: str, head_end: int) -> tuple[Counter[str], Counter[str]]:
    """Mentions of each term in the whole text, and in its first ``head_end`` characters."""
    found: Counter[str] = Counter()
    in_head: Counter[str] = Counter()
    if group.pattern is None:
        return found, in_head
    for match in group.pattern.finditer(text):
        entry = group.weights.get(_fold(match.group(0)))
        if entry is not None:
            found[entry[0]] += 1
            if match.start() < head_end:
                in_head[entry[0]] += 1
    return found, in_head


def score(profile: Profile, title: str, text: str, weight: float = 1.0) -> Relevance:
    """Score one story against the profile; the evidence says which terms counted.

    ``weight`` (a feed's configured weight) scales the final score, so a feed
    trusted less needs more evidence to pass the threshold.
    """
    if profile.exclude is not None:
        title = profile.exclude.sub(" ", title)
        text = profile.exclude.sub(" ", text)
    whole = f"{title}\n{text}"
    head_end = len(title) + 1 + len(_lead(text))
    strengths: dict[str, float] = {}
    evidence: list[Evidence] = []
    for group in profile.groups:
        counts, head_counts = _group_mentions(group, whole, head_end)
        mass = 0.0
        for term, count in counts.items():
            term_weight = group.weights[_fold(term)][1]
            mass += term_weight * (min(count, MAX_COUNTED_MENTIONS) + min(head_counts[term], 1))
            evidence.append(Evidence(group.name, term, count, head_counts[term] > 0, term_weight))
        strengths[group.name] = 1.0 - math.exp(-mass / MASS_SCALE)

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
