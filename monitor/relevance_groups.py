"""What a story says about one group of the profile, as ``monitor.relevance`` reads it: each
mention's label, weight and place, and how the reason words a passing mention."""

from __future__ import annotations

from dataclasses import dataclass, field

from monitor.mention_roles import BACKER, MODEL
from monitor.model import Evidence
from monitor.relevance_places import (
    ATTRIBUTE,
    COLUMN,
    DATELINE,
    HEADLINE,
    LANGUAGE,
    LEAD,
    LIST,
    VENUE,
    WHERE,
)
from monitor.relevance_reasons import GROUP_NAMES

MAX_COUNTED_MENTIONS = 5


@dataclass(slots=True)
class Group:
    """What a story says about one group: contributions by label and where they stand."""

    by_label: dict[str, list[float]]
    weights: dict[str, float]
    surface: dict[str, str]  # each label as the story first writes it ("日経平均" for Nikkei 225)
    places: dict[float, int]  # mentions by place (HEADLINE ... LIST)
    sentences: set[int]  # the body sentences (not lists) that name it
    mentions: int = 0
    # (role, phrase) of the attributes naming it only to describe another subject
    backers: list[tuple[str, str]] = field(default_factory=list)
    spots: list[tuple[int, int, float]] = field(default_factory=list)  # (start, end, place)

    def count(self, label: str, surface: str, weight: float, where: float) -> None:
        """One mention under ``label`` at ``where``: the label keeps its first surface form
        and its highest weight."""
        places = self.by_label.get(label)
        if places is None:
            places = self.by_label[label] = []
            self.surface[label] = surface
            self.weights[label] = weight
        elif weight > self.weights[label]:
            self.weights[label] = weight
        places.append(where)
        self.mentions += 1
        self.places[where] = self.places.get(where, 0) + 1

    @property
    def frame(self) -> bool:
        """Named in the headline or the lead."""
        return bool(self.places.get(HEADLINE) or self.places.get(LEAD))


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def named(name: str, group: Group) -> str:
    """'SoftBank named once, in a list' / 'Japan named twice, in 2 body sentences'."""
    label = GROUP_NAMES.get(name, name)
    top = max(group.by_label, key=lambda lab: len(group.by_label[lab]))
    shown = group.surface[top]
    who = shown if label.casefold() in shown.casefold() else f"{label} ({shown})"
    backed = group.places.get(ATTRIBUTE, 0)
    if backed and backed == group.mentions:
        role, phrase = group.backers[0]
        return f'{who} named only as {role} ("{phrase}")'
    places = []
    if group.sentences:
        count = len(group.sentences)
        places.append(f"in {count} body sentence{'s' if count > 1 else ''}")
    if listed := group.places.get(LIST, 0):
        places.append("in a list" if listed == 1 else f"{listed} times in lists")
    if group.places.get(DATELINE, 0):
        places.append("in the dateline")
    if group.places.get(COLUMN, 0):
        places.append("as one of a regional markets column's markets or movers")
    if group.places.get(LANGUAGE, 0):
        places.append("as a language or a style")
    if group.places.get(VENUE, 0):
        places.append("as the venue of an event")
    if backed:
        what = {BACKER: "a backer", MODEL: "a model"}.get(group.backers[0][0], "an earlier one")
        places.append(f"as {what}" if backed == 1 else f"{backed} times as {what}")
    return f"{who} named {_times(group.mentions)}, {' and '.join(places)}"


def evidence_of(groups: dict[str, Group]) -> tuple[Evidence, ...]:
    """Each label's mentions of each group, the weightiest first."""
    out = []
    for name, group in groups.items():
        for label, places in group.by_label.items():
            out.append(
                Evidence(
                    name,
                    group.surface[label],
                    len(places),
                    HEADLINE in places,
                    group.weights[label],
                    WHERE[max(places)],
                )
            )
    out.sort(key=lambda e: (-e.weight * min(e.count, MAX_COUNTED_MENTIONS), e.group, e.term))
    return tuple(out)
