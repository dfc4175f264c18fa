"""The reason a relevance verdict gives, in words, from the evidence ``monitor.relevance`` found.

"about Japan and AI, 1.00 meets the threshold 0.40: generative AI ×6 incl. the lead; Japan ×6
in the body; ..." or "dropped: SoftBank Group named once, in a list: a passing mention (...)",
as `monitor explain` and `monitor items` show them.
"""

from __future__ import annotations

from collections.abc import Collection

from monitor.model import Evidence, Relevance
from monitor.relevance_profile import Profile

GROUP_NAMES = {
    "japan": "Japan", "ai": "AI", "softbank": "SoftBank", "japan_ai": "Japanese AI",
    "chips": "chips",
}  # fmt: skip


def mention_text(e: Evidence) -> str:
    """One term's mentions and where they stand: "SoftBank ×3 incl. the headline"."""
    if e.where == "attribute":
        # A backer ("SoftBank-backed Paytm") or an earlier one ("second in Asia after Tokyo").
        times = "" if e.count == 1 else f" ×{e.count}"
        return f"{e.term}{times} only describing another subject"
    if e.count == 1:
        return f"{e.term} {'in a list' if e.where == 'list' else 'in the ' + e.where}"
    if e.where in ("headline", "lead"):
        return f"{e.term} ×{e.count} incl. the {e.where}"
    return f"{e.term} ×{e.count} {'in lists' if e.where == 'list' else 'in the ' + e.where}"


def verdict_reason(
    profile: Profile,
    rule: tuple[str, ...] | None,
    value: float,
    relevant: bool,
    why: str,
    groups: Collection[str],
    evidence: tuple[Evidence, ...],
) -> str:
    """Why the best rule (``rule``; None when no rule's groups are all named) made the verdict;
    ``groups`` are the profile groups the story names, ``why`` a failed rule's reason."""
    if rule is None:
        if not groups:
            return "no term or name of the topic profile"
        found = ", ".join(GROUP_NAMES.get(g, g) for g in groups)
        missing = " or ".join(
            "+".join(GROUP_NAMES.get(n, n) for n in r if n not in groups) for r in profile.rules
        )
        return f"only {found}: nothing about {missing}"
    about = " and ".join(GROUP_NAMES.get(name, name) for name in rule)
    terms = "; ".join(dict.fromkeys(mention_text(e) for e in evidence if e.group in rule))
    if why:
        return f"dropped: {why} ({terms})"
    verdict = "meets" if relevant else "is below"
    return f"about {about}, {value:.2f} {verdict} the threshold {profile.threshold:.2f}: {terms}"


def nothing_named(profile: Profile) -> Relevance:
    """``relevance.score``'s verdict on a story that names no term or entity of the profile."""
    return Relevance(
        score=0.0,
        relevant=False,
        evidence=(),
        reason=verdict_reason(profile, None, 0.0, False, "", (), ()),
    )


def driver_reason(subject: str, driver: str, sentence: str, threshold: float) -> str:
    """Why a story kept by a driver rule is kept, quoting the sentence that credits the driver."""
    quoted = sentence if len(sentence) <= 120 else sentence[:119] + "…"
    return (
        f"about {GROUP_NAMES.get(subject, subject)}, naming "
        f'{GROUP_NAMES.get(driver, driver)} as a driver ("{quoted}"): kept at the lowest '
        f"rank, {threshold:.2f}"
    )
