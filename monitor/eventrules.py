"""Event rules: whether two reports are of one event, or of two, whatever the pair model says.

``apart_reason`` keeps two reports apart (other trading sessions, days, countries, months, sums,
templates of other subjects; a market report against one company's news); ``link_reason`` joins
them (one principal company's headline amount, count, year, multiple, percentage, stage or
share move; one market's session of one day); ``one_company`` and ``off_beat_principal`` read a
pair's principal, and ``one_subject`` what two languages' reports share that makes one story
likelier (that principal, or one site in both headlines). Pure functions of two
``Fingerprint``s and the hours between them; the pair model (``monitor.pairscore``) takes
their verdicts as inputs.
"""

from __future__ import annotations

from functools import lru_cache

from monitor.counted import other_counts
from monitor.eventkeys import (
    forecast_way,
    head_counts,
    head_multiples,
    head_nodes,
    head_years,
    headline_subject,
    names_past_employer,
    other_money,
    same_money,
    same_multiple,
    share_move,
    share_move_way,
    shared_name,
    template_difference,
)  # fmt: skip
from monitor.facts import Fact, headline_country, market_move, same_value
from monitor.fingerprint import Fingerprint
from monitor.namesakes import (
    COUNTRY,
    beat_subject,
    institutions,
    names_entity,
    place_named,
    principal_of,
    shared_site,
    sites_apart,
)  # fmt: skip
from monitor.releases import months
from monitor.sketches import bbit_jaccard
from monitor.stages import STAGE_WORDS, stages

__all__ = [
    "LINK_HOURS",
    "MARKET_LINK",
    "SHARE_MOVE_LINK",
    "apart_reason",
    "events_differ",
    "events_link",
    "link_reason",
    "off_beat_principal",
    "one_company",
    "one_place",
    "one_subject",
    "unshared_actors",
]


def events_differ(a: Fingerprint, b: Fingerprint, hours_apart: float = 0.0) -> bool:
    """The two report different events however alike they read: other sessions, days or countries.

    Market reports of different trading sessions (``monitor.facts.session``): the
    midday and the close report of one day share wording and figures (the intraday
    low, the previous close), and the pair model calls them one story (0.82 on
    wire-dev's 21 August pair). Reports of one session published ``hours_apart``
    more than ``SESSION_DAY_HOURS`` apart are of different trading days (one day's
    midday report reads like the next day's), unless their texts are one report's.
    Headlines opening on different countries (``monitor.facts.headline_country``):
    every country's PMI comes out the same morning in the same words (0.80-0.84 for
    a Japanese report of Germany's or the US PMI against Reuters' English one of
    Japan's).
    """
    return bool(apart_reason(a, b, hours_apart))


# Reports of one trading session come out within hours of it (a midday report, the rewrites,
# a translation); the same session of the next trading day is at least ~20 hours later.
SESSION_DAY_HOURS = 16.0
# A feed can date its copy of a report a day late (wire-dev: one Reuters close in two Yahoo
# feeds, 20 hours apart): a text this alike is the same report whenever it was dated. Two
# days' reports in one template share far less (0.1-0.4 character 7-gram Jaccard).
SAME_TEXT_JACCARD = 0.5


def apart_reason(a: Fingerprint, b: Fingerprint, hours_apart: float = 0.0) -> str:
    """Why ``events_differ``, for the reason a user reads; "" when they do not."""
    if a.session and b.session:
        if a.session != b.session:
            return f"another trading session ({a.session}, not {b.session})"
        if (
            abs(hours_apart) > SESSION_DAY_HOURS
            and bbit_jaccard(a.minhash, b.minhash) < SAME_TEXT_JACCARD
        ):
            return f"another trading day ({abs(hours_apart):.0f} hours apart)"
    country_a, country_b = headline_country(a.headline), headline_country(b.headline)
    if country_a and country_b and country_a != country_b:
        return f"another country ({country_a}, not {country_b})"
    market_a, market_b = market_move(a.headline)[0], market_move(b.headline)[0]
    if bool(market_a) != bool(market_b):
        if share_move(a.headline) or share_move(b.headline):
            return f"a market report ({market_a or market_b}), not one company's shares"
        # The day's market report names the company whose news moved it ("SoftBank Drops on
        # Loan Report"); the news itself is another event (wire-dev's rules).
        company = b if market_a else a
        if company.head_entities and not company.session:
            return f"a market report ({market_a or market_b}), not one company's news"
    # One template, other subjects or counts: "Hachijuni Bank to Use AI to Cut SME Loan
    # Screening to 2 Days" and "Iyo Bank ...", "Yokohama to Introduce Generative AI for All
    # 18,000 City Staff" and "Kobe ... 9,500 ..." share most of their words. A market's
    # reports have their own rules (above).
    if not (a.session or b.session) and (
        reason := template_difference(a.headline, b.headline)
        or other_place(a, b)
        or other_site(a, b)
        # One thing counted with no number in common: "at 7 hospitals" and "１２病院で" are two
        # trials, "AI見守りロボを230施設に" and "…を85施設に導入" two rollouts (``counted``),
        # where the template (across scripts, or in two wordings) cannot be read.
        or other_counts(a.headline, b.headline)
    ):
        return reason
    # "9月の工作機械受注確報" is not "Japan's October machine tool orders": a month's figures are
    # another event than the next month's, however alike the two read.
    months_a, months_b = head_months(a.headline), head_months(b.headline)
    if months_a and months_b and not months_a & months_b:
        return f"another month ({min(months_a)}, not {min(months_b)})"
    return other_money(
        a.head_amounts, b.head_amounts, (*a.lead_amounts, *a.text_amounts),
        (*b.lead_amounts, *b.text_amounts),
    )  # fmt: skip


@lru_cache(maxsize=8192)  # each window headline meets many candidates
def head_months(headline: str) -> frozenset[int]:
    """The calendar months a headline names (``releases.months``)."""
    return frozenset(months(headline))


# How ``link_reason`` begins for one market's session report of one day.
MARKET_LINK = "one market's "
# ``link_reason`` for one company's shares moving on one day, in either language.
SHARE_MOVE_LINK = "one day's move of one company's shares"
# Reports of one announcement in two languages come out within hours of each other (wire-dev's
# rewrites and translations: 0-2.7 h); a later report that repeats the figure (the plant opens,
# the deal closes) is a development, and is left to the pair model.
LINK_HOURS = 16.0


def events_link(a: Fingerprint, b: Fingerprint, hours_apart: float = 0.0) -> bool:
    """The two report one event, however differently they read (``link_reason``)."""
    return bool(link_reason(a, b, hours_apart))


def link_reason(a: Fingerprint, b: Fingerprint, hours_apart: float = 0.0) -> str:
    """Why two reports are of one event whatever the pair model says; "" when nothing says so.

    * Both headlines name one principal company (``one_company``) and state one
      amount of money (also across yen and dollars: ``eventkeys.same_money``), one
      count ("3,000 engineers" = "3000人"), or both report its shares' move, not in
      opposite ways (a company's shares move once a day, as a market closes once):
      "Kioxia to spend 1 trillion yen ..." and "キオクシア、北上工場に1兆円投資"; or
      both report one stage of an event (``stages.stages``: a deal's talks, an
      offering's price range) and name one party in two scripts ("... in Talks to Buy
      ... Lumora" / "ルモラの買収協議");
      across scripts the lexical views say nothing and the encoder scores such pairs
      0.45-0.60, no higher than other stories of the company. A templated story about
      another company or amount fails.
    * Market reports of one market, session and day whose headlines do not say
      opposite ways (``facts.market_move``): one market closes once a day.

    Within ``LINK_HOURS``; ``events_differ`` and the verdict's conflicts still
    overrule a link.
    """
    if abs(hours_apart) > LINK_HOURS:
        return ""
    # A report of the shares' move and one of the event it follows are two events whatever they
    # share (the deal's price; another deal's within rounding: "$4.6 billion chip deal" and a
    # "$4.5 billion" bond sale the same day).
    who = "one company" if one_company(a, b) else "one place" if one_place(a, b) else ""
    percent_a, percent_b = _percents(a.head_amounts), _percents(b.head_amounts)
    one_year = head_years(a.headline) & head_years(b.headline)
    if who and share_move(a.headline) == share_move(b.headline):
        money_a = [f for f in a.head_amounts if f.unit not in ("%", "date")]
        money_b = [f for f in b.head_amounts if f.unit not in ("%", "date")]
        if any(
            same_money(x, y)
            and not _converted_otherwise(a, x, y)
            and not _converted_otherwise(b, y, x)
            for x in money_a
            for y in money_b
        ):
            return f"the headlines state one amount of {who}"
        if head_counts(a.headline) & head_counts(b.headline):
            return f"the headlines state one count of {who}"
        if one_year:
            return f"the headlines state one year of {who}"
        if head_nodes(a.headline) & head_nodes(b.headline):
            return f"the headlines state one chip process node of {who}"
        if same_multiple(head_multiples(a.headline), head_multiples(b.headline)):
            return f"the headlines state one multiple of {who}"
        common = set(stages(a.headline)) & set(stages(b.headline))
        if common and shared_name(a.headline, b.headline):
            return f"one stage of one company's event in both ({STAGE_WORDS[min(common)[1]]})"
        if share_move(a.headline) and share_move(b.headline) and _headlines_name_principal(a, b):
            way_a, way_b = share_move_way(a.headline), share_move_way(b.headline)
            if not (way_a and way_b and way_a != way_b):
                return SHARE_MOVE_LINK
        way = forecast_way(a.headline)
        if (
            who == "one company"
            and way
            and way == forecast_way(b.headline)
            and _headlines_name_principal(a, b)
        ):
            return f"one company's forecast revised {way} in both"
        # "Nine-month profit rises 7%" and "4～12月、純利益7%増": one company's one change.
        if percent_a & percent_b:
            return "the headlines state one percentage of one company"
        # Across scripts the other copy may keep it for its lead: "全店で作業時間3割減" over "...
        # aiming to cut the time staff spend on it by about 30 percent".
        if a.cjk != b.cjk and (
            percent_a & _percents(b.lead_amounts) or percent_b & _percents(a.lead_amounts)
        ):
            return "one headline's percentage of one company is the other's lead's"
        # Two names both headlines share, the principal and another (a partner, a product: "NTT,
        # IOWN"), of a principal the beat is not itself about, where the headlines do not both
        # state sums or percentages (those would have linked if one): 43 pairs of one story on
        # the 27 sets, none of two.
        shared = set(a.head_entities) & set(b.head_entities)
        stated = (money_a and money_b) or (percent_a and percent_b)
        if len(shared) >= 2 and not stated and off_beat_principal(a, b):
            return "the headlines name one company and another name"
    # A forecast or statistic's one percentage for one year ("power demand, up 6% by 2034" /
    # "34年度に6%増"), whoever states it.
    if percent_a & percent_b and one_year:
        return "the headlines state one percentage for one year"
    if a.session and a.session == b.session:
        (market_a, way_a), (market_b, way_b) = market_move(a.headline), market_move(b.headline)
        if market_a and market_a == market_b and not (way_a and way_b and way_a != way_b):
            return f"{MARKET_LINK}{a.session} report of one day ({market_a})"
    return ""


def _percents(amounts: tuple[Fact, ...]) -> set[float]:
    return {f.value for f in amounts if f.unit == "%"}


def _converted_otherwise(fp: Fingerprint, mine: Fact, theirs: Fact) -> bool:
    """Whether ``fp`` converts its headline sum ``mine`` into ``theirs``'s currency as another sum:
    "約29億ドル（約4570億円）" is not "$3.3 billion", however near 4570億円 comes at some rate."""
    if mine.unit == theirs.unit:
        return False
    told = (*fp.head_amounts, *fp.lead_amounts, *fp.text_amounts)
    own = [f for f in told if f.unit == theirs.unit and same_money(mine, f)]
    return bool(own) and not any(same_value(f, theirs) for f in own)


def other_place(a: Fingerprint, b: Fingerprint) -> str:
    """Two local governments' news in any two scripts, "" else: headlines that open on two
    places ("大阪府、AI信号機を800交差点に", "Aichi Pref. to install AI traffic signals at 1,200
    intersections") and name no company. One template in one script is ``template_difference``'s.
    """
    if _named_heads(a, b) or _named_heads(b, a):
        return ""
    place_a = place_named(headline_subject(a.headline))
    place_b = place_named(headline_subject(b.headline))
    if place_a and place_b and COUNTRY not in (place_a, place_b) and place_a != place_b:
        return f"another place ({place_a}, not {place_b})"
    return ""


def other_site(a: Fingerprint, b: Fingerprint) -> str:
    """Two events in two places of Japan, "" else: headlines that name where each happens and
    share no place ("SoftBank Group, OpenAI to build AI data center in Oita", "SB OpenAI Japan to
    open Osaka hub"). One company's plans in several cities read alike in the encoder (0.99 for
    that pair across languages). A city and its prefecture or region are one place."""
    sites = sites_apart(a.headline, b.headline)
    return f"another site ({sites[0]}, not {sites[1]})" if sites else ""


def one_place(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether both headlines open on one place, a local government's news ("Niigata Pref. to
    spend 800 mil. yen on generative AI", "新潟県、全職員9000人に生成AI"), and neither names a
    company: the table's places are no principal companies."""
    if _named_heads(a, b) or _named_heads(b, a):
        return False
    place = place_named(headline_subject(a.headline))
    # The country is no local government: "Japan 10-Year Yield Rises" is no news of Japan's.
    return place not in ("", COUNTRY) and place == place_named(headline_subject(b.headline))


def _headlines_name_principal(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether each headline names the other's principal: the shares that move, or the
    forecast revised, are a headline's company's, not those of one its lead names ("Yorozu AI
    debuts, shares rise" and a lead on its backer SoftBank, against "Matsukaze Seiki shares
    hit limit-up on SoftBank takeover"). Two principals the table does not know were matched
    by their headlines' names already."""
    principal_a, principal_b = _principal(a, b), _principal(b, a)
    if not (principal_a and principal_b):
        return True
    return names_entity(b.head_entities, principal_a) and names_entity(a.head_entities, principal_b)


def _named_heads(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether ``a``'s headline names an entity that counts against ``b``: any but a ministry
    ``b`` does not name ("文科省、神戸大のAI創薬拠点に48億円" against "Kobe University picked
    ...")."""
    return principal_of(a.head_entities, _named(b)) is not None


def _named(fp: Fingerprint) -> tuple[str, ...]:
    """The entities a report names in its headline and lead."""
    return (*fp.head_entities, *fp.lead_entities)


def _principal(a: Fingerprint, b: Fingerprint) -> str:
    """``a``'s principal against ``b``: the first entity of its headline, else of its lead,
    passing over a ministry ``b`` does not name (``namesakes.principal_of``); "" for none."""
    return principal_of(a.head_entities, _named(b), a.lead_entities) or ""


def one_company(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether the two reports are about one principal company.

    The principal is the first company the headline names, else its lead's (the
    entity table, ``namesakes.entity_kin`` for namesakes); each report must name the
    other's. Where a headline names no company the table knows (a start-up), a name
    the two headlines share across scripts (``eventkeys.shared_name``) will do.
    """
    if names_past_employer(a.headline) or names_past_employer(b.headline):
        return False  # the company is someone's past employer, not the principal
    principal_a, principal_b = _principal(a, b), _principal(b, a)
    if principal_a and principal_b:
        if names_entity(_named(b), principal_a) and names_entity(_named(a), principal_b):
            return True
        if a.head_entities and b.head_entities:
            return False  # two known companies, and not one
    return shared_name(a.headline, b.headline)


def off_beat_principal(a: Fingerprint, b: Fingerprint) -> bool:
    """``one_company``, of a principal the beat is not itself about (``namesakes.beat_subject``).

    Two reports naming SoftBank are nothing alike for that: nearly every story of a
    SoftBank digest names it. Two naming ElevenLabs, or 個人情報保護委 and Japan's privacy
    watchdog, are likely one event.
    """
    if a.session or b.session:  # a market's reports: its session rules say which are one
        return False
    return not beat_subject(_principal(a, b)) and one_company(a, b)


def one_subject(a: Fingerprint, b: Fingerprint) -> str:
    """What the two reports share that the beat is not itself about, "" for nothing: one
    principal company (``off_beat_principal``), else one place below the country, other than
    the capital, that both headlines name ("浜松市長選 候補者の偽動画がSNSで拡散" and "AI deepfake
    of Hamamatsu mayoral candidate spreads online"; ``namesakes.shared_site``).

    Across languages the encoder scores any two reports of the beat alike (0.4-0.6), so the
    pair model needs more to call them one story; a shared principal or site rules most of the
    others out. A market's reports are left out: its session rules say which are one.
    """
    if a.session or b.session:
        return ""
    if off_beat_principal(a, b):
        return "one company"
    site = shared_site(a.headline, b.headline)
    return f"one place ({site})" if site else ""


def unshared_actors(lead: Fingerprint, reports: list[Fingerprint]) -> bool:
    """Whether ``lead``'s headline names an institution (a ministry, an agency, an
    association) none of ``reports`` names in its headline or lead: the institution's act on
    an event (the ministry's request to take down a deepfake, against the reports of the
    deepfake, which name nobody the table knows). A company named in passing ("SoftBank's
    LY ...") is no such actor. Only reports in ``lead``'s language count: English copy
    writes "Japan's ministry" where Japanese writes 総務省, and the table may know only one."""
    named = [entity for entity in lead.head_entities if entity in institutions()]
    alike = [report for report in reports if report.lang == lead.lang]
    return bool(named and alike) and not any(
        names_entity(_named(report), entity) for report in alike for entity in named
    )
