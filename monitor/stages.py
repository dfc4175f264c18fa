"""The stage of an event a headline reports: a deal's talks or agreement, an offering's range or
price, a preliminary or revised figure, a court's ruling or the appeal, a service put to use or
suspended, a deal cleared or completed. Pure functions of text.

``stages``: a deal "in talks" (considering, 協議) or "agreed" (agrees to
  buy, で買収); an offering's price range (仮条件) or its price (公開価格); a preliminary or a
  revised figure (速報, 確報); a court's ruling (判決, 請求棄却) or the appeal against it (控訴).
  By wire-dev's rules the later stage is a development of the earlier, not its copy.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["STAGE_ORDER", "STAGE_WORDS", "deal_ahead_only", "stages", "tentative_deal"]


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# How a headline says a policy or guidance is issued, and what guidance is called.
_ISSUES_EN = r"sets?|unveils?|publish(?:es)?|issues?|adopts?|drafts?"
_ISSUED_JA = r"公表|発表|策定|決定"
_GUIDANCE_EN = r"(?:rules|policy|policies|guidelines?|guidance|checklists?)\b"
_GUIDANCE_JA = r"(?:方針|指針|ガイドライン|ルール|チェックリスト)"

# A service put to use: the earlier stage of its suspension and of its first use.
_LAUNCHED = re.compile(
    r"(?i:\b(?:launch(?:es|ed)?|introduc(?:es|ed)|rolls?\s+out|rolled\s+out|deploys?"
    r"|deployed|(?:starts?|begins?)\s+using)\b)"
    r"|導入|運用開始|運用を開始|運用を始め|提供開始|提供を開始|活用開始"
)

# Stages of one kind of event, each an earlier and a later one. By wire-dev's rules the later
# stage is a development of the earlier (a follow-up), not its copy, however alike they read.
# Which stage's words win when a headline holds both: the talks' ("in talks to buy", "買収を
# 協議" hold the agreement's words too), the final price's ("prices IPO at top of range",
# "公開価格は仮条件上限の2000円" name the range), the revision's ("revised up from the
# preliminary").
_STAGES = (
    (
        "deal",
        (
            "talks",
            re.compile(
                r"(?i:\b(?:in|holds?|held|enters?|entered|opens?)\s+(?:advanced\s+|early\s+|"
                r"exclusive\s+)?(?:talks|discussions|negotiations)\b|\btalks\s+(?:to|on|over|with|for)\b"
                r"|\bconsider(?:s|ing)?\b|\bweigh(?:s|ing)?\b|\bexplor(?:es|ing)\b|\bmull(?:s|ing)?\b"
                r"|\bnear(?:s|ing)?\s+(?:a\s+)?deal\b|\bsaid to\b|\breportedly\b"
                r"|\bseek(?:s|ing)?\b(?!\s+up\s+to\b)"
                # A scoop's source: "..., Nikkei says", "sources say", "関係者".
                r"|,\s+(?:[A-Z][\w.]*\s+){1,2}(?:says|reports)\s*$|\bsources?\s+(?:say|said)\b"
                # Kyodo's scoop: "SoftBank eyeing takeover of ...: sources".
                r"|\beye(?:s|ing)\b|:\s*sources?\s*$"
                # The wires' credit for another outlet's scoop: "... for about $400 million -
                # Nikkei", "... - Bloomberg News", "- sources" (a pool's own outlet suffix,
                # "- Reuters", "- Bloomberg.com", is gone with the page chrome).
                r"|\s[-\u2013\u2014]\s?(?:Nikkei|Bloomberg\s+News|WSJ|FT|Yomiuri|Asahi|sources?"
                r"|reports?)\s*$)"
                r"|協議|検討|交渉|打診|模索|=報道|観測|関係者"
            ),
        ),
        (
            "agreed",
            re.compile(
                r"(?i:\bagree(?:s|d)?\b|\bto\s+(?:buy|acquire|take\s+over|merge)\b|\bbuys\b"
                r"|\bacquires\b|\bsigns?\b|\bsigned\b|\bclinch(?:es|ed)?\b|\bseal(?:s|ed)?\b"
                r"|\bcomplet(?:es|ed)\b|\bsecur(?:es|ed)\b"
                # "SoftBank lands $11.5 billion loan": a deal won, not a plane down.
                r"|\blands?\b(?=(?:\s+\S+){0,5}?\s+(?:loans?|deals?|contracts?|orders?|financing"
                r"|funding|investment|facility)\b)"
                # A venture set up: the agreement done ("Set Up $1 Billion AI Venture").
                r"|\b(?:sets?\s+up|forms?|formed|launch(?:es|ed)?|establish(?:es|ed)?)\b"
                r"(?=(?:\s+\S+){0,5}?\s+(?:joint\s+)?(?:venture|JV)\b))"
                r"|合意|締結|確保|を買収|で買収|買収へ|買収する|買収を(?:決定|発表|決め)|傘下に|正式(?:発表|決定)"
                r"|(?:新会社|合弁会社|合弁)を?設立(?!へ|を?検討)"
                # "1兆7800億円の融資契約": the contract signed ("契約へ" is still ahead of it).
                r"|契約(?!へ|社員|者)"
            ),
        ),
        "first",
    ),
    (
        "price",
        (
            "range",
            re.compile(
                r"(?i:\b(?:price|pricing|indicative|marketing)\s+range\b|\bsets?\b.{0,30}\brange\b"
                r"|\bseeks?\s+up\s+to\b)|仮条件|価格帯"
            ),
        ),
        (
            "priced",
            re.compile(
                r"(?i:\bprices?\s+(?:[\w-]+\s+){0,2}(?:ipo|shares|offering|listing)\b|\bpriced\s+at\b"
                r"|\b(?:ipo|offering)\s+(?:priced|price\s+(?:set|fixed|at))\b)|公開価格|売り出し価格|売出価格|発行価格"
            ),
        ),
        "last",
    ),
    (
        "figure",
        ("preliminary", re.compile(r"(?i:\bpreliminary\b|\bflash\b|\badvance\s+estimate\b)|速報")),
        (
            "revised",
            re.compile(
                r"(?i:\brevis(?:e|es|ed|ing|ion)\b|\bfinal\s+(?:figures?|reading|data|estimate)\b)"
                r"|改定値|確報|確定値"
            ),
        ),
        "last",
    ),
    (
        # A policy or guideline: set out, then revised ("生成AI方針を修正" after "方針を公表",
        # "tightens AI rules" after "sets rules for generative AI use").
        "policy",
        (
            "policy set",
            re.compile(
                rf"(?i:\b(?:{_ISSUES_EN}|announces?)\s+"
                r"(?:[\w-]+\s+){0,3}(?:rules|policy|policies|guidelines)\b)"
                rf"|(?:方針|指針|ガイドライン|ルール)を?(?:{_ISSUED_JA})"
            ),
        ),
        (
            "policy revised",
            re.compile(
                r"(?i:\b(?:tightens?|revises?|updates?|changes?|scraps?|reverses?|loosens?|eases?)"
                r"\s+(?:[\w-]+\s+){0,3}(?:rules|policy|policies|guidelines)\b)"
                r"|(?:方針|指針|ガイドライン|ルール)を?(?:修正|見直し|見直す|改定|撤回|強化|緩和)"
            ),
        ),
        "last",
    ),
    (
        # Guidance issued, then others' answer to it ("出版団体が文化庁の指針に反発",
        # "publishers say AI copyright guidance falls short" after "Japan issues checklist").
        # A headline holding both tells the guidance, with its critics.
        "answer",
        (
            "guidance issued",
            re.compile(
                rf"(?i:\b(?:{_ISSUES_EN}|releases?)\s+(?:[\w-]+\s+){{0,3}}{_GUIDANCE_EN})"
                rf"|{_GUIDANCE_JA}を?(?:{_ISSUED_JA}|公開)"
            ),
        ),
        (
            "guidance answered",
            re.compile(
                rf"(?i:{_GUIDANCE_EN}\s+(?:falls?|fell)\s+short\b"
                r"|\b(?:criticiz|criticis|slams?\b|protests?\b|rejects?\b|oppos)\w*\s+"
                rf"(?:[\w'-]+\s+){{0,4}}{_GUIDANCE_EN})"
                rf"|{_GUIDANCE_JA}(?:に|へ|を)?(?:反発|批判|抗議|異議)|{_GUIDANCE_JA}は?「?不十分"
            ),
        ),
        "first",
    ),
    (
        # A court case: the ruling, then the appeal against it ("原告が控訴" after "請求棄却").
        "case",
        (
            "ruling",
            re.compile(
                r"(?i:\b(?:court|judge)s?\s+(?:[\w-]+\s+){0,2}rul(?:es|ed)\b|\bruled\b|\bruling\b"
                r"|\bverdict\b|\bdismiss(?:es|ed)\s+(?:[\w-]+\s+){0,3}(?:suit|lawsuit|claim|case)\b"
                r"|\bcourts?\s+(?:says|said|finds|found|decides|decided|orders|ordered|backs|sides)\b)"
                # A court named in the headline tells its decision; an appeal's words win.
                r"|判決|棄却|勝訴|敗訴|地裁|高裁|最高裁|裁判所"
            ),
        ),
        ("appeal", re.compile(r"(?i:\bappeal(?:s|ed|ing)?\b)|控訴|上告")),
        "last",
    ),
    (
        # A service put to use, then suspended ("選管、AIチャットボット停止" after "チャットボット
        # 導入"): the suspension is the news. A headline holding both tells the suspension.
        "service",
        ("launched", _LAUNCHED),
        (
            "suspended",
            re.compile(
                r"(?i:\b(?:suspend(?:s|ed)?|halt(?:s|ed)?|shuts?\s+down|takes?\s+down|took\s+down)\b)"
                r"|停止|休止|中止|打ち切"
            ),
        ),
        "last",
    ),
    (
        # A service put to use, then used for the first time where it counts ("ＡＩ降雪予測を初めて
        # 活用" the day after "６日から運用開始"). A headline holding both ("launches ... for the
        # first time in Japan") tells the launch.
        "first use",
        ("started", _LAUNCHED),
        (
            "used first",
            re.compile(
                r"(?i:\b(?:for\s+(?:the\s+)?(?:first|1st)\s+time|first\s+(?:real\s+)?(?:test|use))\b)"
                r"|初めて(?:活用|使用|用い|適用|使っ)|初の本格(?:運用|活用)|初適用|初活用"
            ),
        ),
        "first",
    ),
    (
        # A deal cleared by its regulators, then completed ("買収完了" after "欧州委が承認").
        "closing",
        (
            "cleared",
            re.compile(
                r"(?i:\b(?:approv(?:es|ed|al)|clears?|cleared|clearance|green[\s-]?lights?)\b)"
                r"|承認|認可"
            ),
        ),
        (
            "completed",
            re.compile(
                r"(?i:\bcomplet(?:es|ed|ion)\b|\bclos(?:es|ed|ing)\s+(?:[\w'-]+\s+){0,3}"
                r"(?:deal|acquisition|purchase|takeover|merger)\b)|完了"
            ),
        ),
        "last",
    ),
)


# "買収へ" ("set to buy") is the agreement's word only tentatively: Japanese copy heads a scoop
# during the talks so as well as the deal announced (the labelled sets have both). Such a
# headline reports the deal agreed only where its sum is not the talks' (``development``).
_TENTATIVE_DEAL = re.compile(r"買収へ")
_DEAL_AGREED = _STAGES[0][2][1]


def _agreed_only_by(words: re.Pattern[str], headline: str) -> bool:
    """Whether ``words`` are in the headline and, without them, it states no deal agreed."""
    src = _nfkc(headline)
    return bool(words.search(src)) and not _DEAL_AGREED.search(words.sub("", src))


def tentative_deal(headline: str) -> bool:
    """Whether the headline states the deal agreed only by a tentative "買収へ"."""
    return _agreed_only_by(_TENTATIVE_DEAL, headline)


# The deal ahead, in English: "X to buy Y for about 60bn yen" heads the announcement as often
# as a scoop published during the talks (Nikkei's own, whose text says "Nikkei has learned").
_FUTURE_DEAL = re.compile(r"(?i:\bto\s+(?:buy|acquire|take\s+over|merge)\b)|買収へ")


def deal_ahead_only(headline: str) -> bool:
    """Whether the headline states the deal agreed only as one ahead ("to buy", "買収へ"), with
    no word of an agreement made ("agrees", "seals", "で買収", "合意")."""
    return _agreed_only_by(_FUTURE_DEAL, headline)


# Each kind's earlier stage first.
STAGE_ORDER = {
    stage: order for _, *pairs, _ in _STAGES for order, (stage, _) in enumerate(pairs)
}  # fmt: skip
# How a reason names each stage ("the deal agreed after the talks").
STAGE_WORDS = {
    "talks": "the talks", "agreed": "the deal agreed", "range": "the price range",
    "priced": "the price set", "preliminary": "the preliminary figure",
    "revised": "the revised figure", "ruling": "the ruling", "appeal": "the appeal",
    "policy set": "the policy set out", "policy revised": "the policy revised",
    "guidance issued": "the guidance issued", "guidance answered": "the answer to the guidance",
    "launched": "the service put to use", "suspended": "the service suspended",
    "started": "the service put to use", "used first": "its first use",
    "cleared": "the deal cleared", "completed": "the deal completed",
}  # fmt: skip


# A scoop's estimate beside a deal still ahead ("買収へ 6000億円規模", "出資へ 300億円超"): the
# plan reported during the talks. An announced deal states its sum ("総額6120億円", "約7000億円で
# 買収へ" in NHK's style), so "約" alone says nothing.
_PLANNED = re.compile(r"(?:買収|出資|取得)へ")
_ESTIMATE = re.compile(r"\d[\d,.]*(?:兆|億|万)?(?:円|ドル)(?:規模|超)")


@lru_cache(maxsize=8192)
def stages(headline: str) -> tuple[tuple[str, str], ...]:
    """The (kind, stage) pairs a headline states: ("deal", "talks"), ("price", "priced"), ..."""
    src = _nfkc(headline)
    estimate = bool(_PLANNED.search(src) and _ESTIMATE.search(src))
    out = []
    for kind, (early, early_words), (late, late_words), wins in _STAGES:
        found_early, found_late = bool(early_words.search(src)), bool(late_words.search(src))
        found_early = found_early or (kind == "deal" and estimate)
        if found_early and found_late:
            out.append((kind, early if wins == "first" else late))
        elif found_early or found_late:
            out.append((kind, early if found_early else late))
    return tuple(out)
