"""Multi-story splitting by lexical cohesion. Pure.

Aggregators glue unrelated stories into one page, each usually opening with a
photo caption and credit. A credit is only a *candidate* boundary: it is
confirmed when the content words before and after it barely overlap, so an
ordinary article with several inline photos stays whole. Without any cue, a
TextTiling-style pass splits only on overwhelming evidence: both sides long and
next to no shared vocabulary.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from monitor.boilerplate import FUNCTION_WORDS, wordset

_JA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_WORD = re.compile(r"([a-z][a-z'’-]*[a-z])|([\u30a0-\u30ff]{2,})|([\u3400-\u4dbf\u4e00-\u9fff]+)")
_STOP = wordset(
    """about above after again against all also although among an and another any are around
    as at back be because been before being below between both but by can could did do does
    doing down during each even few for from further had has have having he her here hers him
    his how however if in into is it its itself just last like made make many may me might more
    most much must my new next no nor not now of off on once one only or other our out over own
    per same she should since so some such than that the their them then there these they this
    those three through to too two under until up upon very was we were what when where which
    while who whom why will with within without would year years yet you your said says say
    according told added week weeks month months day days time times monday tuesday wednesday
    thursday friday saturday sunday percent including part first second well still way ago"""
)
# A credit confirms a split when cohesion across it is below this: glued stories in
# the seed corpus score under 0.08, and the halves of one article above 0.24.
CUE_THRESHOLD = 0.14
# Without a cue, the windows either side of a gap must share next to nothing (the
# seeds' single articles never go below 0.09) and both sides must be long.
BLIND_THRESHOLD = 0.03
BLIND_WINDOW_WORDS = 100
BLIND_MIN_PARAGRAPHS = 4
BLIND_MIN_WORDS = 120
# A cue this close to the top opens the first story rather than ending one.
MIN_LEAD_WORDS = 60


def _tokens(text: str) -> list[str]:
    words: list[str] = []
    for latin, katakana, kanji in _WORD.findall(text.lower()):
        if latin:
            word = latin.replace("’", "'").removesuffix("'s")
            if len(word) > 4 and word[-1] == "s" and word[-2] != "s":
                word = word[:-1]
            words.append(word)
        elif katakana:
            words.append(katakana)
        else:
            words.extend(kanji[i : i + 2] for i in range(max(1, len(kanji) - 1)))
    return [w for w in words if w not in _STOP and (len(w) > 2 or not w.isascii())]


def content_words(text: str) -> Counter[str]:
    """Content-word counts: lowercased Latin words without stopwords, katakana runs,
    and kanji bigrams (Japanese has no spaces to split on)."""
    return Counter(_tokens(text))


def cohesion(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    """Cosine similarity of two content-word weight vectors, in [0, 1]."""
    if not left or not right:
        return 0.0
    if len(left) > len(right):
        left, right = right, left
    dot = sum(weight * right.get(word, 0) for word, weight in left.items())
    norm = math.sqrt(sum(w * w for w in left.values()) * sum(w * w for w in right.values()))
    return dot / norm


def _bag(tokens: Sequence[list[str]]) -> Counter[str]:
    return Counter(itertools.chain.from_iterable(tokens))


def _window(tokens: Sequence[list[str]], indices: range) -> set[str]:
    """The vocabulary of paragraphs from ``indices`` until it holds enough words. A set,
    so that one name repeated throughout a story does not decide the comparison."""
    words: list[str] = []
    for i in indices:
        if len(words) >= BLIND_WINDOW_WORDS:
            break
        words += tokens[i]
    return set(words)


def _blind_gap(tokens: Sequence[list[str]], start: int, end: int) -> tuple[int, float] | None:
    """The gap in (start, end) with the weakest cohesion, if the evidence is overwhelming."""
    if sum(map(len, tokens[start:end])) < 2 * BLIND_MIN_WORDS:
        return None
    best: tuple[float, int] | None = None
    for gap in range(start + BLIND_MIN_PARAGRAPHS, end - BLIND_MIN_PARAGRAPHS + 1):
        left = _window(tokens, range(gap - 1, start - 1, -1))
        right = _window(tokens, range(gap, end))
        score = len(left & right) / math.sqrt(len(left) * len(right)) if left and right else 0.0
        if best is None or score < best[0]:
            best = (score, gap)
    if best is None or best[0] >= BLIND_THRESHOLD:
        return None
    gap = best[1]
    before, after = _bag(tokens[start:gap]), _bag(tokens[gap:end])
    if min(before.total(), after.total()) < BLIND_MIN_WORDS:
        return None
    score = cohesion(before, after)
    return (gap, score) if score < CUE_THRESHOLD else None


def split(paragraphs: Sequence[str], cues: Sequence[int]) -> list[tuple[int, float, bool]]:
    """Where to split ``paragraphs`` into stories: (index, cohesion, had_cue) per boundary.

    ``cues`` are indices of paragraphs that a photo credit precedes. A cue becomes
    a boundary when the text since the last boundary and the text up to the next
    cue share little vocabulary; then each story is searched for a cue-less seam.
    """
    n = len(paragraphs)
    candidates = sorted({c for c in cues if 0 < c < n})
    if not candidates and n < 2 * BLIND_MIN_PARAGRAPHS:
        # Nothing to cut at and too short for a blind seam (_blind_gap needs this many
        # paragraphs): most feed summaries. Skipping the tokenising changes no result.
        return []
    tokens = [_tokens(p) for p in paragraphs]
    boundaries: list[tuple[int, float, bool]] = []
    start = 0
    for k, cue in enumerate(candidates):
        before = _bag(tokens[start:cue])
        if before.total() < MIN_LEAD_WORDS:
            continue
        stop = candidates[k + 1] if k + 1 < len(candidates) else n
        score = cohesion(before, _bag(tokens[cue:stop]))
        if score < CUE_THRESHOLD:
            boundaries.append((cue, score, True))
            start = cue
    pending = list(itertools.pairwise([0, *(b[0] for b in boundaries), n]))
    while pending:
        start, end = pending.pop()
        if found := _blind_gap(tokens, start, end):
            gap, score = found
            boundaries.append((gap, score, False))
            pending += [(start, gap), (gap, end)]
    return sorted(boundaries)


# --- Sentences and titles ----------------------------------------------------------------------

TITLE_MAX_WORDS = 12
TITLE_MAX_CHARS = 100
TITLE_MAX_CJK_CHARS = 40
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+|[。！？]+[」』）]*\s*")
_ABBREVIATIONS = wordset(
    "Mr Mrs Ms Dr St Inc Corp Co Ltd Jr Sr vs No Gov Sen Rep Prof Gen Mt Jan Feb Mar Apr Jun "
    "Jul Aug Sep Sept Oct Nov Dec U.S U.K U.N"
)
_CLAUSE = re.compile(r"[,;:]\s+|\s+[—–-]\s+|\s+\(|、")
_LEADING_ADVERBIAL = wordset(
    "after although amid as because before despite during even following if in last on "
    "since though when while with"
)
# Words a headline should not end on.
_NO_END = FUNCTION_WORDS | {"due", "according", "prior", "ahead", "thanks", "compared", "such"}
_BREAK_BEFORE = wordset(
    "after amid as at because before by despite due following for from in including into "
    "on over since than that to under which while who with without"
)


def _is_abbreviation(text: str, period: int) -> bool:
    """Whether the period at ``text[period]`` ends an abbreviation ("U.S.", "Mr.", "J.")."""
    low = max(0, period - 8)  # abbreviations are short; never scan further back
    space = text.rfind(" ", low, period)
    token = text[space + 1 if space >= 0 else low : period].lstrip("\"'“‘(")
    return (len(token) == 1 and token.isupper()) or token in _ABBREVIATIONS


def _first_sentence(text: str) -> str:
    paragraph = text.strip().split("\n\n", 1)[0].replace("\n", " ")
    for m in _SENTENCE_END.finditer(paragraph):
        if paragraph[m.start()] != "." or not _is_abbreviation(paragraph, m.start()):
            return paragraph[: m.end()].strip()
    return paragraph.strip()


def _cut_words(clause: str) -> str:
    """``clause`` cut to TITLE_MAX_WORDS words and TITLE_MAX_CHARS characters."""
    words = clause.split()
    if len(words) <= TITLE_MAX_WORDS and len(clause) <= TITLE_MAX_CHARS:
        return clause
    limit, length = 0, -1
    for word in words[:TITLE_MAX_WORDS]:
        if length + 1 + len(word) > TITLE_MAX_CHARS:
            break
        limit, length = limit + 1, length + 1 + len(word)
    # Prefer ending just before a preposition or conjunction: a phrase boundary.
    for i in range(min(limit, len(words) - 1), 4, -1):
        if words[i].lower() in _BREAK_BEFORE and words[i - 1].lower() not in _NO_END:
            return " ".join(words[:i])
    kept = words[: max(limit, 1)]
    while len(kept) > 1 and kept[-1].lower() in _NO_END:
        kept.pop()
    return " ".join(kept)[:TITLE_MAX_CHARS]


def derive_title(text: str) -> str:
    """A headline made from the lead sentence, for a document that has none.

    The lead sentence is trimmed to a clause boundary (a leading adverbial such as
    "In April," is skipped) and then to about 12 words or 100 characters, at a
    phrase boundary where possible, without a trailing period.
    """
    sentence = _first_sentence(text).rstrip(" .。")
    if len(_JA.findall(sentence)) * 2 > len(sentence):
        title = ""
        for clause in re.split(r"(?<=、)", sentence):
            if title and len(title) + len(clause) > TITLE_MAX_CJK_CHARS:
                break
            title += clause
        return title[:TITLE_MAX_CJK_CHARS].rstrip("、 .。")
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    if len(clauses) > 1 and clauses[0].split()[0].lower() in _LEADING_ADVERBIAL:
        rest = clauses[1]
        clauses = [rest[:1].upper() + rest[1:], *clauses[2:]]
    title = clauses[0] if clauses else sentence
    for clause in clauses[1:]:
        if len(title.split()) >= 4:
            break
        title = f"{title}, {clause}"
    title = _cut_words(title.strip()).rstrip(" .,;:")
    if title.count("“") > title.count("”"):
        title = title.replace("“", "", 1)
    for candidate in (title.strip(" \"'"), sentence, re.sub(r"^\W+", "", " ".join(text.split()))):
        candidate = candidate[:TITLE_MAX_CHARS].rstrip(" .。")
        if any(ch.isalnum() for ch in candidate):
            return candidate
    return ""
