"""Is a same-story match a later development? The new facts a report brings.

``monitor.novelty`` calls a report that matches known reports of one story a
follow-up when it is published later and brings enough facts none of them has
(see its docstring for the thresholds). Within one script the facts are the
fingerprints' hashed numbers, names and quotations; across scripts only
amounts compare, and only those that extend what the story headlines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.eventkeys import YEN_DOLLAR, same_money, share_move
from monitor.facts import Fact
from monitor.fingerprint import Fingerprint
from monitor.leadfacts import FACT_KIND, FACT_WEIGHT, amount_facts, headline_facts
from monitor.market_session import market_key
from monitor.stages import STAGE_ORDER, STAGE_WORDS, deal_ahead_only, stages, tentative_deal

__all__ = [
    "FOLLOW_UP_LEAD_FACTS",
    "FOLLOW_UP_MIN_NEW_FACTS",
    "FOLLOW_UP_MIN_NEW_SHARE",
    "SHORT_REPORT_FACTS",
    "StoryNews",
    "detail_only",
    "development",
    "headline_news",
    "new_amounts",
    "new_facts",
    "new_headline_amounts",
    "story_news",
]

# The lead facts of a report that are compared (numbers, names and quotations in reading order).
FOLLOW_UP_LEAD_FACTS = 16
# A follow-up brings at least this many new weighted lead facts, and this share of them
# (``monitor.novelty``'s docstring says how they were chosen).
FOLLOW_UP_MIN_NEW_FACTS = 3
FOLLOW_UP_MIN_NEW_SHARE = 0.50
# A report stating fewer facts than are compared (a one-sentence report, a summary-only
# feed) is short: a fuller report of its event brings "new" facts it had no room for.
SHORT_REPORT_FACTS = FOLLOW_UP_LEAD_FACTS


def new_amounts(fp: Fingerprint, matched: Sequence[Fingerprint]) -> tuple[float, float]:
    """(new, considered): amounts of ``fp``'s headline + lead that extend the ``matched`` reports.

    For reports in another script, where numbers are the only facts two reports can
    be compared on. An amount counts as new only if none of the matched reports
    states it (``monitor.facts``, within rounding: "11.5 trillion yen" is
    "11兆5118億円") *and* it is of a unit that one of them headlines: a later
    figure of the kind the story is about (a revised total, a new price). A
    fuller rewrite or translation of a data release carries figures the
    matched report does not (the deficit, shipments by region) without being a
    later development: on wire-dev every English-Japanese report pair of one
    release brought 6-12 of 9-12 numbers "new" by the script-blind count.
    """
    mine = [f for f in fp.lead_amounts if f.unit != "date"]
    if not mine:
        return 0.0, 0.0
    stated = [f for o in matched for f in (*o.text_amounts, *o.lead_amounts)]
    headlined = {f.unit for o in matched for f in o.head_amounts if f.unit != "date"}
    fresh = sum(
        1 for f in mine if f.unit in headlined and not any(same_money(f, g) for g in stated)
    )
    return float(fresh), float(len(mine))


def new_facts(fp: Fingerprint, known: Sequence[tuple[bytes, bool]]) -> tuple[float, float]:
    """(new, considered): weighted lead facts of ``fp`` absent from every (facts, cjk) in ``known``.

    Numbers and quotations weigh 1, names 0.5. Across scripts only numbers count.
    """
    import numpy as np

    mine = np.frombuffer(fp.facts, dtype="<u2")[:FOLLOW_UP_LEAD_FACTS]
    if any(cjk != fp.cjk for _, cjk in known):
        mine = mine[(mine & 3) == FACT_KIND["#"]]
    if not len(mine):
        return 0.0, 0.0
    weight = np.asarray(FACT_WEIGHT)[mine & 3]
    seen = np.concatenate([np.frombuffer(f, dtype="<u2") for f, _ in known] or [mine[:0]])
    fresh = ~np.isin(mine, seen)
    return float(weight[fresh].sum()), float(weight.sum())


def detail_only(fp: Fingerprint, matched: Sequence[Fingerprint]) -> bool:
    """Are ``fp``'s new facts detail of the ``matched`` reports' event rather than a development?

    True when every matched report is short (fewer than ``SHORT_REPORT_FACTS`` facts) and
    ``fp``'s headline states nothing they lack: a fuller report under the same headline facts
    (Reuters' story after Bloomberg's one sentence, a full report after a summary-only feed)
    brings many lead facts the short one has no room for, so counting them calls a rewrite a
    follow-up. A development shows in the headline: a new figure (a price, a share move), a
    quotation or a name (another company's results under a templated headline is no detail
    either). Across scripts only headline amounts compare.
    """
    import numpy as np

    if not matched or any(len(o.facts) // 2 >= SHORT_REPORT_FACTS for o in matched):
        return False
    stated = [f for o in matched for f in (*o.head_amounts, *o.text_amounts, *o.lead_amounts)]
    if any(o.cjk != fp.cjk for o in matched):
        return not any(
            f.unit != "date" and not any(same_money(f, g) for g in stated) for f in fp.head_amounts
        )
    # "... to fund AI bets" names nothing their headline lacks.
    head = np.frombuffer(headline_facts(_uncredited(fp.headline), specific=True), dtype="<u2")
    # A headline sum they state in the other currency ("1.3 tril. yen" after "$8.5 billion")
    # is theirs too.
    restated = [
        f.value for f in fp.head_amounts if any(same_money(f, g) for g in stated)
    ]  # fmt: skip
    # Their headlines too, read the same way: a headline's opening name is not in ``facts``.
    seen = np.concatenate(
        [
            np.frombuffer(f, dtype="<u2")
            for o in matched
            for f in (o.facts, headline_facts(_uncredited(o.headline)))
        ]
        + [np.frombuffer(amount_facts(restated), dtype="<u2")]
    )
    return bool(np.isin(head, seen).all())


# A rewrite's credit to the outlet it follows ("... for about $1.8 bln - Bloomberg News",
# "...買収を協議＝報道"): no name of the event, so no development.
_CREDIT = re.compile(
    r"\s+[-–—|]\s+(?:Bloomberg(?:\s+News)?|Reuters|Nikkei(?:\s+Asia)?|Kyodo(?:\s+News)?|"
    r"(?:The\s+)?(?:Wall\s+Street\s+Journal|WSJ|Financial\s+Times|FT|Information|"
    r"New\s+York\s+Times|Nikkei\s+newspaper)|CNBC|Yonhap)\s*$|\s*[=＝]\s*報道\s*$",
    re.IGNORECASE,
)


def _uncredited(headline: str) -> str:
    return _CREDIT.sub("", headline)


def headline_news(
    fp: Fingerprint, matched: Sequence[Fingerprint], unmatched: Sequence[Fingerprint] = ()
) -> int:
    """How many amounts ``fp``'s headline adds to a story whose headlines state amounts.

    A development puts its new figure in the headline: the agreed price after the talks'
    estimate ("65億ドルで買収" after "about $6 billion"), the shares' move the morning after
    the deal ("株が一時6%安" under "... for $6.5 billion"). Counted only where one of the
    ``matched`` reports headlines an amount: against a story headlined without one, a
    headline figure is as often a fuller report's choice of lead (the Japanese wire's trade
    deficit, "貿易収支、7月は6345億円の赤字", after the English "exports surge on chips
    demand", whose text never states it). Against reports of the shares' move, only a
    figure of a kind they headline counts: "SoftBank shares slide 6%" after "SoftBank falls
    most since August after agreeing to $3.4 billion deal" is the same move. See
    ``new_headline_amounts``; ``unmatched``: the story's other reports, whose headline sums in
    ``fp``'s currency settle what the story's sum is in it.
    """
    if not any(f.unit != "date" for o in matched for f in o.head_amounts):
        return 0
    moves = [o for o in matched if share_move(o.headline)]
    if moves and share_move(fp.headline):
        units = {f.unit for o in moves for f in o.head_amounts}
        fp = replace(fp, head_amounts=tuple(f for f in fp.head_amounts if f.unit in units))
    return new_headline_amounts(fp, matched, unmatched)


def new_headline_amounts(
    fp: Fingerprint, matched: Sequence[Fingerprint], unmatched: Sequence[Fingerprint] = ()
) -> int:
    """How many amounts ``fp``'s headline states that none of the ``matched`` reports states.

    Amounts compare across scripts (``monitor.facts``, within rounding) against everything
    the matched reports state (headline, lead and text), so a rewrite or translation
    headlining a figure its event's reports give is no news; dates are left out (an
    outlet's dateline is no development). The story's other reports (``unmatched``) count
    too: "$4 billion valuation" restates 約6000億円 whichever report of the story said it.
    A sum near one the story states in the same currency is that figure revised: "$3.3
    billion raised" after "$2.9 billion of shares offered" is news, however near 4570億円
    comes at some rate of the 128-165 yen band; "$4 billion valuation" beside the story's
    "$320 million" round is no revision of it.
    """
    stated = [f for o in matched for f in (*o.head_amounts, *o.text_amounts, *o.lead_amounts)]
    story = [*stated, *(f for o in unmatched for f in (*o.head_amounts, *o.lead_amounts))]
    headed = {f.unit for o in (*matched, *unmatched) for f in o.head_amounts}

    def known(f: Fact) -> bool:
        if f.unit in YEN_DOLLAR and f.unit in headed:
            mine = [g for g in story if g.unit == f.unit]
            if any(same_money(f, g) for g in mine):
                return True
            if any(_revised(f, g) for g in mine):
                return False
        return any(same_money(f, g) for g in story)

    return sum(1 for f in fp.head_amounts if f.unit != "date" and not known(f))


# How far apart a sum and the figure it revises may be: an offering priced, a round enlarged.
_REVISION_RATIO = 2.0


def _revised(new: Fact, old: Fact) -> bool:
    """Whether ``new`` is another value of the same order as ``old``, in one currency."""
    low, high = sorted((new.value, old.value))
    return low > 0 and high / low <= _REVISION_RATIO


def _same_sum(fp: Fingerprint, matched: Sequence[Fingerprint]) -> bool:
    """Whether a sum ``fp``'s headline states is one a matched report states."""
    stated = [f for o in matched for f in (*o.head_amounts, *o.lead_amounts)]
    money = [f for f in fp.head_amounts if f.unit not in ("%", "date")]
    return any(same_money(f, g) for f in money for g in stated)


def _story_stages(reports: Sequence[Fingerprint]) -> set[tuple[str, str]]:
    """The (kind, stage) pairs the reports of one story state (``stages.stages``).

    Where one of them reports a deal's talks, a report stating the deal only as one ahead
    ("Sumitomo to buy Saezuri for about 60bn yen", "買収へ") is of the talks too: the
    scoop's other copies, not the agreement, which would have been a story of its own.
    """
    staged = [(o, stages(o.headline)) for o in reports]
    talks = any(("deal", "talks") in pairs for _, pairs in staged)
    out: set[tuple[str, str]] = set()
    for o, pairs in staged:
        if talks and deal_ahead_only(o.headline):
            pairs = tuple(("deal", "talks") if p == ("deal", "agreed") else p for p in pairs)
        out.update(pairs)
    return out


def development(fp: Fingerprint, matched: Sequence[Fingerprint]) -> str:
    """The later stage ``fp``'s headline reports against the ``matched`` reports, else "".

    A later stage of the kind of event their headlines state than any they state (the
    deal agreed after its talks, an offering's price after its range: ``stages.stages``),
    or the shares' move where none of them reports one ("SoftBank falls most since
    August after agreeing to ..." after the deal). Published later, such a report is a
    follow-up whatever its other facts; published earlier (a feed polled late), it is an
    earlier stage: a story of its own, never folded under the later one.
    """
    theirs = _story_stages(matched)
    for kind, stage in stages(fp.headline):
        before = [s for k, s in theirs if k == kind]
        if kind == "deal" and tentative_deal(fp.headline) and _same_sum(fp, matched):
            continue  # "1800億円規模で買収へ" after "in talks ... for about $1.2 billion"
        if before and all(STAGE_ORDER[stage] > STAGE_ORDER[s] for s in before):
            before = " or ".join(sorted(STAGE_WORDS[s] for k, s in theirs if k == kind))
            return f"{STAGE_WORDS[stage]} after {before}"
    if share_move(fp.headline) and not any(share_move(o.headline) for o in matched):
        return "the shares' move"
    return ""


@dataclass(frozen=True, slots=True)
class StoryNews:
    """What a report brings against the matched reports of one story."""

    fresh: float  # weighted lead facts none of them has
    considered: float  # weighted lead facts compared
    substantial: bool  # enough of them (``FOLLOW_UP_MIN_NEW_FACTS``, ``..._SHARE``)
    fuller: bool  # ... but only detail a short report had no room for (``detail_only``)
    headline: int  # headline amounts none of them states (``headline_news``)
    follows: bool  # a later development: later than their best match, and news
    stage: str = ""  # the later stage its headline reports (``followup.development``)
    earlier: str = ""  # the later stage one of them reports against it


def story_news(
    fp: Fingerprint,
    matched: list[Fingerprint],
    later: bool,
    one_move: bool = False,
    unmatched: Sequence[Fingerprint] = (),
) -> StoryNews:
    """What ``fp`` brings against the ``matched`` reports of one story (published ``later``
    than its best match or not); ``one_move``: each of them reports the same day's move of
    one company's shares (``eventrules.SHARE_MOVE_LINK``), one event as a session is;
    ``unmatched``: the story's other reports, whose stages are the story's too."""
    if any(o.cjk != fp.cjk for o in matched):
        # Across scripts only amounts compare, and only those extending what the
        # story headlines (see ``new_amounts``).
        fresh, considered = new_amounts(fp, matched)
    else:
        fresh, considered = new_facts(fp, [(o.facts, o.cjk) for o in matched])
    substantial = fresh >= FOLLOW_UP_MIN_NEW_FACTS and fresh >= FOLLOW_UP_MIN_NEW_SHARE * considered
    # Facts a short report had no room for are detail unless the headline brings news.
    fuller = substantial and detail_only(fp, matched)
    headline = headline_news(fp, matched, unmatched)
    stage = development(fp, [*matched, *unmatched])
    # A matched report of a later stage than ``fp`` (the deal, judged after the shares' fall).
    earlier = next((d for o in matched if (d := development(o, [fp]))), "")
    # One market's one session is one event: a close report's figures the other language's
    # close does not state ("ends up 1.2%" against "80円押し上げ") are no development of it.
    key = market_key(fp)
    one_session = bool(key) and all(market_key(o) == key for o in matched)
    follows = (
        later
        and not earlier
        and not one_session
        and not one_move
        and ((substantial and not fuller) or headline > 0 or bool(stage))
    )
    return StoryNews(
        fresh, max(considered, 1.0), substantial and not fuller, fuller, headline, follows, stage,
        earlier,
    )  # fmt: skip
