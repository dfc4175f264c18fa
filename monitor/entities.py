"""Named entities of the beat: who and what a report is about, in English and Japanese.

The table (``monitor/data/entities.toml``, extendable from config.toml's
``[[relevance.entities]]``) lists companies, institutions, universities, people
and places, each with its aliases and tags ("japan", "ai", "softbank", ...).

Matching works on NFKC-normalised, lower-cased text, so full-width and
half-width forms ("ＳＢＧ", "ｿﾌﾄﾊﾞﾝｸ") are the same as "SBG" and "ソフトバンク".
Every alias of every entity goes into one Aho-Corasick automaton, searched once
per text for the leftmost-longest matches ("SoftBank Corp" wins over
"SoftBank"). A match then has to pass two checks: a Latin-script end of an
alias must fall on a word boundary ("arm" never matches inside "pharmacy"), and
case-sensitive aliases ("Arm", "Meta", all-capitals names of up to five letters
such as "NEC") must appear exactly so, which keeps "arm", "armed" and "neck" out.
Japanese aliases, having no spaces to bound them, match as substrings, except that a
katakana name of up to four characters must not run on into more katakana.

``Lexicon`` is the matcher itself, keyed by anything hashable: the relevance
stage builds one over the entity table *and* its own term groups, so a story is
scanned once for both.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import ahocorasick_rs

KINDS = ("company", "institution", "person", "place", "product")
# All-capitals Latin names this short are matched in capitals only ("NEC", "KDDI", "AI").
ACRONYM_MAX_LEN = 5


@dataclass(frozen=True, slots=True)
class Entity:
    """One named entity: its canonical id, every alias, tags and kind."""

    id: str
    kind: str
    tags: frozenset[str]
    # Aliases matched case-insensitively (all-capitals short ones excepted, see ACRONYM_MAX_LEN).
    names: tuple[str, ...]
    # Aliases matched exactly as written.
    exact: tuple[str, ...] = ()
    # Ids of the places that hold this one (a city's prefecture, a prefecture's region).
    within: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The display name: the first alias."""
        return self.names[0] if self.names else self.exact[0]


class Mention(NamedTuple):
    """One match in a normalised text: its span and the keys its alias stands for."""

    start: int
    end: int
    keys: tuple[Hashable, ...]


# The compatibility characters news text is full of: full-width ASCII ("ＡＩ", "３％"), the
# ideographic space, no-break space and ellipsis. Replaced first, they leave most texts already in
# NFKC, which Python confirms quickly; a full NFKC pass over Japanese text costs ~0.4 ms.
_COMMON = re.compile("[\uff01-\uff5e\u3000\u00a0\u2026]+")
_NARROW = {
    c: unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000, 0xA0, 0x2026)
}


def _narrow(match: re.Match[str]) -> str:
    return match.group().translate(_NARROW)


def normalize(text: str) -> str:
    """NFKC (full-width and half-width forms folded), the form every span refers to."""
    if text.isascii():
        return text
    text = _COMMON.sub(_narrow, text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _lower(text: str) -> str:
    """Lower-case without changing the length, so spans line up with the normalised text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # Rare: a character whose lower case is two ("İ"); keep such characters as they are.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_word_char(ch: str) -> bool:
    # Latin letters and digits only: a Japanese character next to "AI" is a boundary.
    return ch < "\u0250" and ch.isalnum()


def _run_on_figure(low: str, start: int, end: int) -> bool:
    """Whether a Latin name set in Japanese runs straight on into a figure: Japanese writes
    "生成AI12種" ("12 generative AI models") without a space, where English would not."""
    if not (low[end].isdigit() and low[end - 1].isalpha()):
        return False
    at = end - 1
    while at > 0 and low[at - 1].isascii() and low[at - 1].isalpha():
        at -= 1
    return at > 0 and low[at - 1] >= "\u3000" and at - 1 >= start - 1


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


# A katakana name this short must not run on into more katakana: "リコー" is not in "リコール"
# (recall), nor "スバル" in "スバルソン". Longer ones ("ソフトバンク") may ("ソフトバンクモバイル").
KATAKANA_BOUNDED_MAX_LEN = 4


def _bounds(pattern: str) -> tuple[Callable[[str], bool] | None, Callable[[str], bool] | None]:
    """For each end of a pattern, which neighbouring characters it must not touch."""
    if len(pattern) <= KATAKANA_BOUNDED_MAX_LEN and all(map(_is_katakana, pattern)):
        return _is_katakana, _is_katakana
    head = _is_word_char if _is_word_char(pattern[0]) else None
    tail = _is_word_char if _is_word_char(pattern[-1]) else None
    return head, tail


def is_acronym(alias: str) -> bool:
    """Whether an alias is a short all-capitals name matched in capitals only."""
    letters = alias.replace(" ", "")
    return alias.isascii() and alias.isupper() and len(letters) <= ACRONYM_MAX_LEN


class Lexicon:
    """Many aliases, each standing for one or more keys, found in one pass over a text.

    ``entries`` are ``(alias, key, case_sensitive)``. A key of ``None`` makes
    the alias a blocker: it consumes its span and counts for nothing (so
    "SoftBank Hawks" hides its "SoftBank", and "関東大震災" its "東大").
    """

    def __init__(self, entries: Iterable[tuple[str, Hashable | None, bool]]) -> None:
        folded_keys: dict[str, list[Hashable]] = {}
        exact_keys: dict[str, dict[str, list[Hashable]]] = {}
        for alias, key, case_sensitive in entries:
            form = normalize(alias).strip()
            if not form:
                continue
            folded = _lower(form)
            keys = folded_keys.setdefault(folded, [])
            if case_sensitive:
                keys = exact_keys.setdefault(folded, {}).setdefault(form, [])
            if key is not None and key not in keys:
                keys.append(key)
        patterns = sorted(set(folded_keys) | set(exact_keys))
        self._patterns = patterns
        self._any = [tuple(folded_keys.get(p, ())) for p in patterns]
        self._exact = [
            {form: tuple(keys) for form, keys in exact_keys[p].items()} if p in exact_keys else None
            for p in patterns
        ]
        # Which ends of a pattern need a boundary: Latin-script ends, and short katakana names.
        self._bounds = [_bounds(p) for p in patterns]
        self._ac = (
            ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if patterns
            else None
        )

    def __len__(self) -> int:
        return len(self._patterns)

    def scan(self, text: str) -> list[Mention]:
        """Mentions in ``text``, which must already be ``normalize``d; spans index into it."""
        if self._ac is None or not text:
            return []
        low = _lower(text)
        found: list[Mention] = []
        self._scan(text, low, 0, len(low), found)
        return found

    def _scan(self, text: str, low: str, begin: int, stop: int, found: list[Mention]) -> None:
        """Mentions in ``low[begin:stop]``. A name matched in other letters than its only
        exact form ("open AI" for "Open AI") is no mention, and the shorter names inside it
        ("AI") are looked for again."""
        last = len(text) - 1
        bounds, any_keys, exact_keys = self._bounds, self._any, self._exact
        assert self._ac is not None
        for index, start, end in self._ac.find_matches_as_indexes(low[begin:stop]):
            start, end = start + begin, end + begin
            head, tail = bounds[index]
            if head and start and head(low[start - 1]):
                continue
            if tail and end <= last and tail(low[end]) and not _run_on_figure(low, start, end):
                continue
            keys = any_keys[index]
            exact = exact_keys[index]
            if exact is not None:
                keys = keys + exact.get(text[start:end], ())
            if keys:
                found.append(Mention(start, end, keys))
            elif exact is not None and end - start > 1:  # not a blocker, which hides its words
                self._scan(text, low, start + 1, end, found)


class EntityTable:
    """The entity table, compiled for matching; build it with ``load_entities``."""

    def __init__(self, entities: Iterable[Entity], blockers: Iterable[str] = ()) -> None:
        self._by_id: dict[str, Entity] = {}
        for entity in entities:
            self._by_id[entity.id] = entity
        self.blockers = tuple(blockers)
        self._lexicon = Lexicon(self.entries())

    def entries(self) -> list[tuple[str, Hashable | None, bool]]:
        """Every alias as a ``Lexicon`` entry keyed by entity id (blockers keyed ``None``)."""
        entries: list[tuple[str, Hashable | None, bool]] = []
        for entity in self._by_id.values():
            entries.extend((name, entity.id, is_acronym(name)) for name in entity.names)
            entries.extend((name, entity.id, True) for name in entity.exact)
        entries.extend((phrase, None, False) for phrase in self.blockers)
        return entries

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self):
        return iter(self._by_id.values())

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._by_id

    def get(self, entity_id: str) -> Entity:
        """The entity of a canonical id (``KeyError`` if unknown)."""
        return self._by_id[entity_id]

    def mentions(self, text: str) -> list[Mention]:
        """Every entity mention in ``text`` (any form), with spans in ``normalize(text)``."""
        return self._lexicon.scan(normalize(text))

    def find(self, text: str) -> dict[str, int]:
        """Canonical entity id -> number of mentions in ``text``."""
        counts = Counter(key for m in self._lexicon.scan(normalize(text)) for key in m.keys)
        return dict(counts)  # type: ignore[arg-type]


# Suffixes the Japanese business press shortens in headlines and tables, and their short
# forms: "ゆうちょ銀行" is "ゆうちょ銀", "トヨタ自動車" "トヨタ自", "野村ホールディングス" "野村HD",
# "みずほフィナンシャルグループ" "みずほFG", "個人情報保護委員会" "個人情報保護委". Longest
# first: one short form per name.
SHORT_FORMS = (
    ("フィナンシャル・グループ", "FG"), ("フィナンシャルグループ", "FG"),
    ("ホールディングス", "HD"), ("グループ", "G"), ("銀行", "銀"), ("自動車", "自"),
    ("委員会", "委"),  # 個人情報保護委員会 -> 個人情報保護委 (the table writes 公取委 itself)
)  # fmt: skip
# The stem before the suffix: at least two characters, the last a letter or digit (not "・").
_STEM_END = re.compile(r"[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u4e00-\u9fffA-Za-z0-9]$")


def with_short_forms(names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` and the press's short form of each Japanese name that ends in a SHORT_FORMS
    suffix ("ゆうちょ銀行" -> "ゆうちょ銀"), once each."""
    out = list(names)
    for name in names:
        for suffix, short in SHORT_FORMS:
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and len(stem) >= 2 and _STEM_END.search(stem):
                if not name.isascii() and stem + short not in out:
                    out.append(stem + short)
                break
    return tuple(out)


def entity_from_table(entity_id: str, table: dict, where: str) -> Entity:
    """An ``Entity`` from its TOML table; ``ValueError`` naming ``where`` if malformed."""
    kind = table.get("kind", "company")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    lists = {}
    for field in ("names", "exact", "tags", "within"):
        value = table.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError(f"{where}: {field} must be a list of non-empty strings")
        lists[field] = tuple(v.strip() for v in value)
    unknown = set(table) - {"id", "kind", "names", "exact", "tags", "within"}
    if unknown:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    if not lists["names"] and not lists["exact"]:
        raise ValueError(f"{where}: an entity needs at least one name")
    return Entity(
        id=entity_id,
        kind=kind,
        tags=frozenset((*lists["tags"], kind)),
        names=with_short_forms(lists["names"]),
        exact=lists["exact"],
        within=lists["within"],
    )


@lru_cache(maxsize=1)
def builtin_entities() -> tuple[tuple[Entity, ...], tuple[str, ...]]:
    """The entities and blocker phrases shipped in ``monitor/data/entities.toml``."""
    data = tomllib.loads(resources.files("monitor").joinpath("data/entities.toml").read_text())
    entities = tuple(
        entity_from_table(key, value, f"entities.toml: {key}")
        for key, value in data["entities"].items()
    )
    return entities, tuple(data.get("ignore", {}).get("phrases", ()))


@lru_cache(maxsize=8)
def load_entities(extra: tuple[Entity, ...] = ()) -> EntityTable:
    """The shipped table plus ``extra`` entities (an extra with a shipped id replaces it)."""
    shipped, blockers = builtin_entities()
    return EntityTable((*shipped, *extra), blockers)
