"""The other sense of a name, read once per story: a sports team, a mobile carrier's service.

``monitor.relevance`` leaves such mentions uncounted and says why: "ソフトバンク" of a story
about a game is the team, SoftBank of a story about its fees or outages the carrier serving
its customers; neither is the beat's SoftBank (its deals, investments, results, AI).
"""

from __future__ import annotations

from collections.abc import Hashable

from monitor.entities import Mention
from monitor.mention_roles import about_business, about_carrier_service, about_sports
from monitor.relevance_profile import Profile

# The group whose name can stand for its mobile carrier's service (``carrier_senses``).
SOFTBANK_GROUP = "softbank"


def sentence_text(full: str, ends: list[int], sentence: int) -> str:
    """The text of sentence number ``sentence`` (``ends``: where each sentence ends)."""
    begins = ends[sentence - 1] if sentence else 0
    return full[begins : ends[sentence] if sentence < len(ends) else len(full)]


def sports_senses(
    profile: Profile, full: str, ends: list[int], mentions: list[Mention], sentence_of: list[int]
) -> dict[int, str]:
    """The mentions of a two-sense name ("ソフトバンク") that mean the team: index -> sports word.

    One sense per story: a sentence about sport ("プロ野球ソフトバンクの山田投手が...")
    shows what the name means in the story's other sentences too ("ソフトバンク・山田、
    年俸5億円で契約更改"), unless one of them speaks of the company's business
    (``mention_roles.about_business``: rights, deals, shares, results).
    """
    team_keys: set[Hashable] = set()
    company_keys: set[Hashable] = set()
    sport_of: dict[int, str] = {}
    for index, m in enumerate(mentions):
        keys = profile.two_senses.intersection(m.keys)
        if not keys:
            continue
        said = sentence_text(full, ends, sentence_of[index])
        sport = about_sports(said)
        if sport is not None:
            sport_of[index] = sport
            team_keys |= keys
        elif about_business(said):
            company_keys |= keys
    if not team_keys:
        return sport_of
    word = next(iter(sport_of.values()))
    for index, m in enumerate(mentions):
        keys = profile.two_senses.intersection(m.keys)
        if keys and index not in sport_of and keys <= team_keys and not keys & company_keys:
            sport_of[index] = word
    return sport_of


def carrier_senses(
    profile: Profile, full: str, ends: list[int], mentions: list[Mention], sentence_of: list[int]
) -> dict[int, str]:
    """The SoftBank mentions of a story about its service's fees, plans, promotions or outages:
    index -> word (a carrier's, a payment app's).

    One sense per story, as for a team: every sentence naming the group speaks of the
    service (``mention_roles.about_carrier_service``: "SoftBank to raise Y!mobile fees",
    "ソフトバンク、九州で通信障害") or of nothing else, and none of them names AI or the
    company's business; otherwise the story is the company's.
    """

    def names(index: int, group: str) -> bool:
        return any(group in profile.key_groups[key] for key in mentions[index].keys)  # type: ignore[index]

    ours = [i for i in range(len(mentions)) if names(i, SOFTBANK_GROUP)]
    if not ours:
        return {}
    ai_sentences = {sentence_of[i] for i in range(len(mentions)) if names(i, "ai")}
    word = None
    for index in ours:
        sentence = sentence_of[index]
        said = sentence_text(full, ends, sentence)
        if sentence in ai_sentences or about_business(said):
            return {}
        word = word or about_carrier_service(said)
    return dict.fromkeys(ours, word) if word else {}
