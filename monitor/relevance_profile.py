"""The compiled topic profile: config.toml's term groups and the entity table, as one matcher.

``monitor.relevance`` scores a story with it; a run compiles it once
(``compile_profile``), and the worker processes that prepare documents each
compile their own. Every term and every entity name tagged with a group's name
goes into one ``Lexicon``, each match key carrying what it counts for (its
senses: a group, a label, a weight).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.entities import Lexicon, is_acronym, load_entities, normalize
from monitor.settings import RelevanceSettings

# Weight of one entity mention, by kind; a term's weight comes from config.toml.
KIND_WEIGHT = {"company": 1.0, "institution": 1.0, "product": 1.0, "person": 0.9, "place": 0.8}


@dataclass(frozen=True, slots=True)
class Sense:
    """What one match counts for: a group, under a label, with a weight."""

    group: str
    label: str
    weight: float


@dataclass(frozen=True, slots=True)
class Profile:
    """A compiled topic profile: build once per run with ``compile_profile``."""

    threshold: float
    group_names: tuple[str, ...]
    rules: tuple[tuple[str, ...], ...]
    lexicon: Lexicon
    senses: tuple[tuple[Sense, ...], ...]  # by lexicon key
    drivers: tuple[tuple[str, str], ...] = ()  # (subject, driver) groups
    # Lexicon keys of names that an excluded phrase shows to have another sense (a team).
    two_senses: frozenset[int] = frozenset()
    # The groups each lexicon key counts for (its senses' groups), by key.
    key_groups: tuple[frozenset[str], ...] = ()
    # The names of entities tagged "foreign": in a Japanese report they mark the subject foreign.
    foreign: Lexicon | None = None

    def names_anything(self, title: str, text: str) -> bool:
        """Whether the story names any term or entity of the profile, read as
        ``relevance.score`` reads it: a story that names none can only be irrelevant."""
        return bool(self.lexicon.scan(f"{normalize(title)}\n{normalize(text)}"))


def compile_profile(settings: RelevanceSettings) -> Profile:
    """Compile the configured profile and the entity table into one matcher."""
    groups = {group.name for group in settings.groups}
    senses: list[tuple[Sense, ...]] = []
    entries: list[tuple[str, int | None, bool]] = []
    for group in settings.groups:
        for term, weight in group.terms.items():
            entries.append((term, len(senses), is_acronym(term)))
            senses.append((Sense(group.name, term, weight),))
    table = load_entities(settings.entities)
    for entity in table:
        weight = KIND_WEIGHT.get(entity.kind, 1.0)
        mine = tuple(Sense(tag, entity.name, weight) for tag in sorted(entity.tags & groups))
        if not mine:
            continue
        key = len(senses)
        senses.append(mine)
        entries.extend((name, key, is_acronym(name)) for name in entity.names)
        entries.extend((name, key, True) for name in entity.exact)
    # A name inside an excluded phrase ("ソフトバンク" of "ソフトバンクホークス") has another
    # sense; a place ("福岡" of "福岡ソフトバンク") is the team's home, not the team.
    blocked = [normalize(p).casefold() for p in (*table.blockers, *settings.exclude)]
    places = {
        normalize(name).casefold()
        for entity in table
        if entity.kind == "place"
        for name in (*entity.names, *entity.exact)
    }
    entries.extend((phrase, None, False) for phrase in (*table.blockers, *settings.exclude))
    two_senses = frozenset(
        key
        for alias, key, _exact in entries
        if key is not None
        and (form := normalize(alias).casefold())
        and form not in places
        and any(form in phrase and form != phrase for phrase in blocked)
    )
    foreign = [
        (name, entity.id, exact)
        for entity in table
        if "foreign" in entity.tags
        for names, exact in ((entity.names, False), (entity.exact, True))
        for name in names
    ]
    return Profile(
        threshold=settings.threshold,
        group_names=tuple(group.name for group in settings.groups),
        rules=settings.rules,
        lexicon=Lexicon(entries),
        senses=tuple(senses),
        drivers=settings.driver_rules,
        two_senses=two_senses,
        key_groups=tuple(frozenset(sense.group for sense in mine) for mine in senses),
        foreign=Lexicon(foreign) if foreign else None,
    )
