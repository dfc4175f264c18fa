"""Namesakes in the entity table: companies that one short name can mean.

Japanese papers write ソフトバンク for SoftBank Corp (ソフトバンク株式会社) and English ones
"SoftBank" for the group; the table (``monitor/data/entities.toml``) gives the short name
to one of them. Two reports of one event can then name "different" principal companies,
which ``monitor.similarity.principal_conflict`` would count against them. Pure; reads only
the shipped table.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.entities import Entity

__all__ = [
    "COUNTRY",
    "beat_subject",
    "entity_kin",
    "institutions",
    "names_entity",
    "place_named",
    "principal_of",
    "shared_site",
    "sites_apart",
]

# The company the beat is about: nearly every story of its digest names it, or a namesake.
BEAT_SUBJECT = "softbank-group"


def names_entity(entities: tuple[str, ...], entity: str) -> bool:
    """Whether ``entities`` holds ``entity`` or one of its kin (``entity_kin``)."""
    return entity in entities or bool(entity_kin(entity).intersection(entities))


@cache
def entity_kin(entity: str) -> frozenset[str]:
    """Entities one of whose names begins with one of ``entity``'s names, or the other way.

    A short name is ambiguous between a company and its namesakes: Japanese
    papers write ソフトバンク for SoftBank Corp (ソフトバンク株式会社), English ones
    "SoftBank" for the group, and the table gives the short name to one of them,
    so an English and a Japanese report of SoftBank Corp's data centre named
    "different" principal companies (same story 0.07-0.15). Kin never conflict.
    Only the shipped table is read (an entity added in config.toml has no kin).
    """
    names = _company_names()
    mine = names.get(entity, set())
    if not mine:  # not a shipped company (a place, a config entity): no kin
        return frozenset()

    def begins(long: str, short: str) -> bool:
        # At a word's end in Latin script ("SoftBank Corp", not "Sonyx"); any next
        # character in Japanese, which writes no spaces (ソフトバンク社).
        if len(short) < 3 or len(long) <= len(short) or not long.startswith(short):
            return False
        nxt = long[len(short)]
        return not (short[-1].isascii() and nxt.isascii() and nxt.isalnum())

    return frozenset(
        other for other, theirs in names.items()
        if other != entity
        and any(begins(x, y) or begins(y, x) for x in mine for y in theirs)
    )  # fmt: skip


def beat_subject(entity: str) -> bool:
    """Whether ``entity`` is the company the beat is about or one of its namesakes
    (SoftBank Group, SoftBank Corp, the Vision Fund); not its other holdings (PayPay)."""
    return entity == BEAT_SUBJECT or entity in entity_kin(BEAT_SUBJECT)


def principal_of(
    entities: tuple[str, ...], other: tuple[str, ...], *more: tuple[str, ...]
) -> str | None:
    """The first of ``entities`` (then of ``more``) that is a report's principal against
    another report naming ``other``: a ministry the other does not name is passed over.

    Japanese copy opens on the ministry that grants or rules ("文科省、名古屋大のAI拠点に72億
    円"), English copy on the grantee ("Nagoya University picked for 7.2 bil. yen AI hub"),
    leaving the ministry out or unnamed ("the education ministry").
    """
    bodies = _government_bodies()
    for group in (entities, *more):
        for entity in group:
            if entity in bodies and not names_entity(other, entity):
                continue
            return entity
    return None


@cache
def _shipped_institutions() -> tuple[Entity, ...]:
    """The shipped table's institutions, read once per process."""
    from monitor.entities import builtin_entities

    shipped, _ = builtin_entities()
    return tuple(e for e in shipped if e.kind == "institution")


@cache
def institutions() -> frozenset[str]:
    """The shipped table's institutions: ministries, agencies, associations, institutes."""
    return frozenset(e.id for e in _shipped_institutions())


@cache
def _government_bodies() -> frozenset[str]:
    """The shipped table's government institutions (ministries, agencies)."""
    return frozenset(e.id for e in _shipped_institutions() if "government" in e.tags)


@cache
def _company_names() -> dict[str, frozenset[str]]:
    """The shipped table's companies and their normalised names, read once per process.

    Read once, not per entity: ``entity_kin`` meets every entity id a window holds,
    and rebuilding the table for each new one took ~27% of a 10^5 novelty bench.
    """
    from monitor.entities import builtin_entities, normalize

    shipped, _ = builtin_entities()
    # Companies only: a place or a ministry named after its country is no namesake.
    return {
        e.id: frozenset(normalize(n).casefold() for n in (*e.names, *e.exact))
        for e in shipped if e.kind == "company"
    }  # fmt: skip


def place_named(text: str) -> str:
    """The id of the first place the shipped table finds in ``text`` (a headline's subject:
    "niigata pref.", "新潟県"), else ""."""
    places = _places_in(text)
    return places[0].id if places else ""


COUNTRY = "japan"  # the table's id of the country itself
# Where most of the beat's news is made: two reports naming it are no likelier one event.
CAPITAL = "tokyo"
_PREF = re.compile(r"\bpref\.", re.IGNORECASE)


@lru_cache(maxsize=8192)  # each window headline meets many candidates; a daemon's window grows
def _places_in(text: str) -> tuple[Entity, ...]:
    """The table's places that ``text`` names, in the order it names them."""
    from monitor.entities import load_entities

    table = load_entities()
    # Kyodo's "Nara Pref." is the table's "Nara Prefecture".
    return tuple(
        entity
        for mention in table.mentions(_PREF.sub("Prefecture", text))
        for key in mention.keys
        if key is not None and (entity := table.get(str(key))).kind == "place"
    )


def _places_named(text: str) -> set[tuple[str, frozenset[str]]]:
    """The places below the country that ``text`` names: each id with the ids of the places
    holding it (Chitose's Hokkaido)."""
    return {(e.id, frozenset(e.within)) for e in _places_in(text) if e.id != COUNTRY}


def sites_apart(text_a: str, text_b: str) -> tuple[str, str] | None:
    """A place each text names, when both name places and no place of one is a place of the
    other, holds it or lies in it: "in Oita" and "Osaka hub", not "Oita" and "Kyushu"."""
    sites_a, sites_b = _places_named(text_a), _places_named(text_b)
    if not sites_a or not sites_b:
        return None
    if any(_one_site(a, b) for a in sites_a for b in sites_b):
        return None
    return min(sites_a)[0], min(sites_b)[0]


def _one_site(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> str:
    """The id of the place two named places (``_places_named``) are as one, else "": the same
    place, or the one that holds the other (Oita and Kyushu: "kyushu")."""
    (place_a, holders_a), (place_b, holders_b) = a, b
    if place_a == place_b or place_a in holders_b:
        return place_a
    return place_b if place_b in holders_a else ""


def shared_site(text_a: str, text_b: str) -> str:
    """The id of a place below the country, not the capital, that both texts name (a city and
    its prefecture are one place), else "": "浜松市長選、候補者の偽動画" and "AI deepfake of
    Hamamatsu mayoral candidate"."""
    sites_b = _places_named(text_b)
    for a in sorted(_places_named(text_a)):
        for b in sites_b:
            if CAPITAL not in (a[0], b[0]) and (site := _one_site(a, b)):
                return site
    return ""
