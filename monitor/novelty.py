"""Novelty: is a story new, a duplicate of one already seen, or a follow-up?

Each item gets a :class:`Fingerprint` (about 0.8 kB, stored by the store as one
BLOB) and is judged against every item seen inside the window (default 30
days) through a :class:`NoveltyIndex`.

Candidates come from two indexes, because copies and same-story reports look
nothing alike:

* **Lexical** (copies, syndication): NFKC-normalised, case-folded character
  7-grams of the first 12,000 characters, summarised as a 128-bin
  one-permutation MinHash of which one byte per bin is kept (b-bit MinHash).
  ``lexical = max(Jaccard, containment)``, containment being estimated from
  Jaccard and the two shingle counts with a conservative (minus two standard
  errors) Jaccard, so that a short text is not "contained" in a long one by
  chance. Candidates come from MinHash LSH: 16 bands of 4 rows (a pair at
  Jaccard 0.5 collides with probability 0.64, at 0.7 with 0.98).
* **Semantic** (rewrites, translations): USE multilingual v3 (see
  ``monitor.encoder``) over the headline plus the lead: whole sentences up to
  ``LEAD_CHARS`` characters; candidates are items at cosine >=
  ``CANDIDATE_SEMANTIC``.

Each candidate pair is then scored by ``monitor.similarity`` from several
views (headline and headline + lead cosines, 7-gram and 3-gram overlap of the
texts and of the headlines, shared and conflicting amounts and entities): a
fitted ``similarity`` on the human rating scale and a calibrated
``same_story`` probability. The verdict: ``copy`` (most text shared, no
conflicting principal entity or amount), ``same story``, ``related`` or
``different``; the thresholds ship with the coefficients
(``monitor/similarity_model.json``; see the README for the figures and the refit).

Follow-up: a match at ``same story`` or ``copy`` whose reader would learn
something: the new item is published later than its best match, and its
headline and lead (the first ``FOLLOW_UP_LEAD_FACTS`` numbers, names and
quotations, in reading order) bring facts that appear in none of the matched
reports: at least ``FOLLOW_UP_MIN_NEW_FACTS`` of them and at least
``FOLLOW_UP_MIN_NEW_SHARE`` of the lead's facts, a name counting half (other
outlets add background names; new numbers and quotations are news). Across
scripts only numbers are compared (``30 billion yen`` and ``300億円`` are the
same fact; ``Miyakawa`` and ``宮川`` cannot be told apart). Measured: rewrites
and translations bring 0-2.5 new (share 0-0.43, Rakuten rewrite the highest),
our follow-ups 7.5-8.5 (share 0.8-1.0).
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor import similarity as _sim
from monitor.encoder import DIM, Encoder
from monitor.facts import Fact, amounts, cjk_number
from monitor.model import Novelty, Similarity

if TYPE_CHECKING:
    import numpy as np

    from monitor.lshindex import Column, RowStore, Strings

__all__ = [
    "DEFAULT_WINDOW",
    "FOLLOW_UP_LEAD_FACTS",
    "FOLLOW_UP_MIN_NEW_FACTS",
    "FOLLOW_UP_MIN_NEW_SHARE",
    "LEAD_CHARS",
    "Encoder",
    "Fingerprint",
    "NoveltyIndex",
    "StaleFingerprint",
    "compare",
    "fingerprint_texts",
    "pair_features",
]

# --- thresholds (documented in the module docstring) -------------------------
FOLLOW_UP_LEAD_FACTS = 16
FOLLOW_UP_MIN_NEW_FACTS = 3
FOLLOW_UP_MIN_NEW_SHARE = 0.50
DEFAULT_WINDOW = timedelta(days=30)
# Below this headline + lead cosine (and without shared 7-grams) a pair is not
# fetched: same-story pairs in our labelled sets sit at 0.6 and above, EN-JA included.
CANDIDATE_SEMANTIC = 0.55

# --- text features -----------------------------------------------------------
LEAD_CHARS = 700
SHINGLE = 7
MAX_LEXICAL_CHARS = 12_000
NUM_PERM = 128
BANDS, ROWS = 16, 4
MAX_FACTS = 32
FACT_TEXT_CHARS = 4_000

_MAGIC = b"MNFP"
_VERSION = 2
_OLD_VERSIONS = frozenset({1})
_HEADER = struct.Struct("<4sBBBxI")  # magic, version, flags, n_facts, pad, shingles
_FLAG_CJK = 1

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_MULTIPLIER = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "bn": 1e9, "mn": 1e6, "mln": 1e6, "千": 1e3, "万": 1e4, "億": 1e8, "兆": 1e12,
}  # fmt: skip
_FACT = re.compile(
    # 1兆5000億 is one number (1.5e12), as "1.5 trillion" is
    r"(?P<cjknum>(?<![0-9.,])(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[千万億兆]){2,}\d*)"
    r"|(?P<num>(?<![A-Za-z0-9.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"\s*(?P<mult>(?i:thousand|million|billion|trillion|bn|mln|mn)|千|万|億|兆)?(?![0-9])"
    r"|(?P<name>\b[A-Z][A-Za-z0-9&\-]*[A-Za-z0-9]|\b[a-z]+[A-Z][A-Za-z0-9]*)"
    r"|(?P<kana>[\u30a1-\u30fa\u30fc・]{3,})"
    r"|[“\"](?P<quote>[^”\"\n]{20,}?)[”\"]|「(?P<jquote>[^」\n]{8,}?)」"
)
# Capitalised words that name nothing in particular.
_COMMON_CAPITALISED = """the a an in on at it its he she they we i this that these those but and
or as for of to by with from after before while when if mr ms mrs dr inc corp co ltd llc plc group
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december"""
_NOT_NAMES = frozenset(_COMMON_CAPITALISED.split())


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the novelty stage keeps of one item (~1.6 kB as bytes).

    ``minhash``: 128 one-byte values (the low 8 bits of each MinHash, "b-bit
    MinHash") of the character 7-grams, for estimating Jaccard. ``bands``: 16
    little-endian uint32 LSH band keys built from the full hashes.
    ``shingles``: distinct character 7-grams, for containment. ``embedding``:
    512 int8 values, the unit vector of the headline + lead scaled by 127 /
    max(abs). ``facts``: up to 32 little-endian uint16 hashes of numbers, names
    and quotations in reading order, the low bits holding the kind (for
    follow-ups). ``cjk``: the text is mainly Chinese / Japanese script.

    Version 2 adds what ``monitor.similarity`` scores a pair with:
    ``head_embedding`` (the headline alone, 512 int8), ``minhash3`` (128 bytes,
    character 3-grams of the first ``BODY_CHARS`` characters), ``headline``,
    ``lang`` (``similarity.language``), the amounts of the headline and of the
    headline + lead (``monitor.facts``) and the entity ids of both
    (``monitor.entities``, empty where it is not installed).
    """

    minhash: bytes
    bands: bytes
    shingles: int
    embedding: bytes
    facts: bytes
    cjk: bool
    head_embedding: bytes = bytes(DIM)
    minhash3: bytes = bytes(NUM_PERM)
    headline: str = ""
    lang: str = "und"
    head_amounts: tuple[Fact, ...] = ()
    lead_amounts: tuple[Fact, ...] = ()
    head_entities: tuple[str, ...] = ()
    lead_entities: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        """Serialise to a versioned binary record (no pickle)."""
        header = _HEADER.pack(
            _MAGIC, _VERSION, _FLAG_CJK if self.cjk else 0, len(self.facts) // 2, self.shingles
        )
        extra = json.dumps(
            [
                self.headline, self.lang,
                [[f.unit, f.value] for f in self.head_amounts],
                [[f.unit, f.value] for f in self.lead_amounts],
                list(self.head_entities), list(self.lead_entities),
            ],
            ensure_ascii=False, separators=(",", ":"),
        ).encode("utf-8")  # fmt: skip
        return b"".join(
            (header, self.minhash, self.bands, self.embedding, self.facts, self.head_embedding,
             self.minhash3, struct.pack("<I", len(extra)), extra)
        )  # fmt: skip

    @classmethod
    def from_bytes(cls, b: bytes) -> Fingerprint:
        """Parse :meth:`to_bytes` output; raise ValueError for anything else.

        A fingerprint of an older version raises :class:`StaleFingerprint` (a
        ValueError): the caller fingerprints the item's text again.
        """
        b = bytes(b)
        if len(b) < _HEADER.size or not b.startswith(_MAGIC):
            raise ValueError("not a novelty fingerprint (bad magic); re-fingerprint the item")
        _, version, flags, n_facts, shingles = _HEADER.unpack_from(b)
        if version in _OLD_VERSIONS:
            raise StaleFingerprint(f"novelty fingerprint version {version}; re-fingerprint")
        if version != _VERSION:
            raise ValueError(
                f"novelty fingerprint version {version} is not supported (this monitor reads "
                f"version {_VERSION}); re-fingerprint the item"
            )
        sizes = (NUM_PERM, BANDS * 4, DIM, 2 * n_facts, DIM, NUM_PERM, 4)
        if n_facts > MAX_FACTS or flags & ~_FLAG_CJK or len(b) < _HEADER.size + sum(sizes):
            raise ValueError("corrupt novelty fingerprint (inconsistent length or fields)")
        parts, pos = [], _HEADER.size
        for size in sizes:
            parts.append(b[pos : pos + size])
            pos += size
        (n_extra,) = struct.unpack("<I", parts[-1])
        if len(b) != pos + n_extra:
            raise ValueError("corrupt novelty fingerprint (inconsistent length or fields)")
        try:
            headline, lang, head_amounts, lead_amounts, head_ent, lead_ent = json.loads(
                b[pos:].decode("utf-8")
            )
            facts_of = [
                tuple(Fact(str(u), float(v)) for u, v in x) for x in (head_amounts, lead_amounts)
            ]
            entities = [tuple(str(e) for e in x) for x in (head_ent, lead_ent)]
        except (ValueError, TypeError) as exc:
            raise ValueError(f"corrupt novelty fingerprint ({exc})") from None
        return cls(
            parts[0], parts[1], shingles, parts[2], parts[3], bool(flags & _FLAG_CJK),
            parts[4], parts[5], str(headline), str(lang), facts_of[0], facts_of[1],
            entities[0], entities[1],
        )  # fmt: skip


class StaleFingerprint(ValueError):
    """A fingerprint written by an older monitor: fingerprint the item's text again."""


def lead_text(title: str, text: str, limit: int = LEAD_CHARS) -> str:
    """Headline plus whole leading sentences up to about ``limit`` characters."""
    out = " ".join(title.split())
    for sentence in _SENTENCE_END.split(text[: 3 * limit]):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        if len(out) + len(sentence) > limit and len(out) >= 0.6 * limit:
            break
        out = f"{out} {sentence}" if out else sentence
        if len(out) >= limit:
            break
    return out[: int(1.5 * limit)]


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _shingle_hashes(text: str, size: int = SHINGLE, limit: int = MAX_LEXICAL_CHARS) -> np.ndarray:
    """Distinct 64-bit hashes of the character ``size``-grams of the first ``limit`` characters."""
    import numpy as np

    s = _normalise(text)[:limit]
    if not s:
        return np.zeros(0, dtype=np.uint64)
    if len(s) < size:
        s = s.ljust(size)
    cp = np.frombuffer(s.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    n = len(cp) - size + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(size):  # polynomial rolling hash; uint64 arithmetic wraps
        h = h * np.uint64(0x100000001B3) + cp[j : j + n]
    return np.unique(_mix(h))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads any input bits over all 64 output bits."""
    import numpy as np

    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _minhash(hashes: np.ndarray) -> tuple[bytes, bytes]:
    """(b-bit MinHash bytes, LSH band key bytes) of sorted distinct shingle hashes.

    One-permutation MinHash: the top 7 bits of a hash pick one of 128 bins and
    each bin keeps its smallest hash; a bin left empty (texts under ~600
    shingles) borrows from the next filled bin to its right, mixed with the
    distance (rotation densification). As accurate as 128 separate hash
    functions and ~40x faster: the hashes are already sorted.
    """
    import numpy as np

    if len(hashes) == 0:
        return bytes(NUM_PERM), bytes(BANDS * 4)
    shift = np.uint64(64 - NUM_PERM.bit_length() + 1)
    bins = np.arange(NUM_PERM, dtype=np.uint64)
    first = np.minimum(np.searchsorted(hashes, bins << shift), len(hashes) - 1)
    mins = hashes[first]
    filled = (mins >> shift) == bins
    if not filled.all():
        full = np.flatnonzero(filled)
        donor = full[np.searchsorted(full, np.arange(NUM_PERM)) % len(full)]
        gap = ((donor - np.arange(NUM_PERM)) % NUM_PERM).astype(np.uint64)
        mins = np.where(filled, mins, _mix(mins[donor] + gap))
    rows = mins[: BANDS * ROWS].reshape(BANDS, ROWS)
    key = np.arange(1, BANDS + 1, dtype=np.uint64)
    for r in range(ROWS):
        key = _mix(key * np.uint64(0x9E3779B97F4A7C15) + rows[:, r])
    bands = (key >> np.uint64(32)).astype("<u4")
    return (mins & np.uint64(0xFF)).astype(np.uint8).tobytes(), bands.tobytes()


def _fact_tokens(title: str, text: str) -> list[str]:
    """Numbers (#), names (@) and quotations (") of the text in reading order, deduplicated."""
    src = unicodedata.normalize("NFKC", f"{title}\n{text[:FACT_TEXT_CHARS]}")
    found: list[tuple[str, bool]] = []  # (token, is a capitalised word opening a sentence)
    for m in _FACT.finditer(src):
        if m["cjknum"]:
            found.append((f"#{cjk_number(m['cjknum']):.4g}", False))
        elif m["num"]:
            value = float(m["num"].replace(",", "")) * _MULTIPLIER.get((m["mult"] or "").lower(), 1)
            found.append((f"#{value:.4g}", False))
        elif m["name"]:
            if m["name"].lower() not in _NOT_NAMES:
                before = src[max(0, m.start() - 3) : m.start()].rstrip(" \t")
                opening = not before or before[-1] in '.!?\n"“'
                found.append(("@" + m["name"].lower(), opening and m["name"][1:].islower()))
        elif m["kana"]:
            found.append(("@" + m["kana"], False))
        else:
            quote = (m["quote"] or m["jquote"]).casefold()
            found.append(('"' + re.sub(r"\W+", "", quote)[:24], False))
    # A capitalised word opening a sentence ("Analysts said") is a name only if
    # it is also capitalised mid-sentence somewhere ("SoftBank said ... by SoftBank").
    mid = {token for token, opening in found if not opening}
    seen: dict[str, None] = {}
    for token, opening in found:
        if not opening or token in mid:
            seen.setdefault(token, None)
    return list(seen)


_FACT_KIND = {"@": 0, "#": 1, '"': 2}
# How much a new fact of each kind says "this report adds something": a new
# number or quotation is news; a new name is as often background another outlet added.
_FACT_WEIGHT = (0.5, 1.0, 1.0, 1.0)  # name, number, quotation, (unused)


def _fact_hashes(tokens: list[str]) -> bytes:
    """16-bit hashes of the first MAX_FACTS facts, the low two bits holding the kind."""
    out: list[int] = []
    for token in tokens:
        h = (zlib.crc32(token.encode("utf-8")) & 0xFFFC) | _FACT_KIND[token[0]]
        if h not in out:
            out.append(h)
        if len(out) == MAX_FACTS:
            break
    return struct.pack(f"<{len(out)}H", *out)


def _quantise(vec: np.ndarray) -> bytes:
    import numpy as np

    peak = float(np.abs(vec).max())
    if peak == 0.0:
        return bytes(DIM)
    return np.round(vec * (127.0 / peak)).astype(np.int8).tobytes()


def fingerprint_texts(texts: Sequence[tuple[str, str]], encoder: Encoder) -> list[Fingerprint]:
    """Fingerprint a batch of (title, text) pairs; leads and headlines go to the encoder at once."""
    leads = [lead_text(title, text) for title, text in texts]
    heads = [" ".join(title.split()) for title, _ in texts]
    vectors = encoder.encode(leads + heads)
    finder = _entity_finder()
    out = []
    for i, (title, text) in enumerate(texts):
        hashes = _shingle_hashes(f"{title}\n{text}")
        minhash, bands = _minhash(hashes)
        minhash3, _ = _minhash(_shingle_hashes(f"{title}\n{text}", 3, _sim.BODY_CHARS))
        body = f"{title}\n{text[:FACT_TEXT_CHARS]}"
        cjk = len(_CJK.findall(body)) > 0.2 * max(1, len(body.strip()))
        facts = _fact_hashes(_fact_tokens(title, text))
        head_ent, lead_ent = (finder(heads[i]), finder(leads[i])) if finder else ((), ())
        out.append(
            Fingerprint(
                minhash, bands, len(hashes), _quantise(vectors[i]), facts, cjk,
                head_embedding=_quantise(vectors[len(texts) + i]), minhash3=minhash3,
                headline=heads[i][:300], lang=_sim.language(body),
                head_amounts=tuple(amounts(heads[i])[:8]),
                lead_amounts=tuple(amounts(leads[i])[:16]),
                head_entities=head_ent, lead_entities=lead_ent,
            )
        )  # fmt: skip
    return out


def _entity_finder():  # type: ignore[no-untyped-def]
    """``text -> entity ids`` from ``monitor.entities``, the principal one first, or None.

    Places are left out: "Japan" or "Tokyo" in both reports says nothing about
    whether they report one event. Companies come before institutions and
    people, then by mentions, then by order of appearance.
    """
    try:
        from monitor.entities import load_entities
    except ImportError:
        return None
    table = load_entities()
    rank = {"company": 0}

    def find(text: str) -> tuple[str, ...]:
        found = {e: n for e, n in table.find(text).items() if table.get(e).kind != "place"}
        order = {e: i for i, e in enumerate(found)}
        key = lambda e: (rank.get(table.get(e).kind, 1), -found[e], order[e])  # noqa: E731
        return tuple(sorted(found, key=key)[:16])

    return find


# --- scoring -----------------------------------------------------------------


def lexical_similarity(
    minhash_a: np.ndarray, size_a: int, minhash_b: np.ndarray, size_b: np.ndarray
) -> np.ndarray:
    """max(Jaccard, containment) from b-bit MinHashes, vectorised over rows of ``minhash_b``."""
    import numpy as np

    size_b = np.asarray(size_b, dtype=np.float64)
    match = (minhash_b == minhash_a).mean(axis=-1)
    chance = 1.0 / 256  # two different minima share their low byte by chance
    jac = np.clip((match - chance) / (1 - chance), 0.0, 1.0)
    # Containment from Jaccard and the sizes, with Jaccard lowered by two
    # standard errors so that noise times a large size ratio is not "containment".
    low = np.clip(jac - 2 * np.sqrt(np.maximum(jac, 1 / NUM_PERM) * (1 - jac) / NUM_PERM), 0, 1)
    smaller = np.maximum(np.minimum(size_a, size_b), 1)
    contain = np.clip(low * (size_a + size_b) / ((1 + low) * smaller), 0.0, 1.0)
    out = np.maximum(jac, contain)
    return np.where((size_a == 0) | (size_b == 0), 0.0, out)


def embedding_vector(fp: Fingerprint) -> np.ndarray:
    """The fingerprint's embedding as a float32 unit vector."""
    import numpy as np

    vec = np.frombuffer(fp.embedding, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def _vector(raw: bytes) -> np.ndarray:
    import numpy as np

    vec = np.frombuffer(raw, dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm else vec


def bbit_jaccard(a: bytes, b: bytes) -> float:
    """Jaccard estimated from two b-bit MinHashes (chance matches of the low byte removed)."""
    import numpy as np

    match = float((np.frombuffer(a, np.uint8) == np.frombuffer(b, np.uint8)).mean())
    if not any(a) or not any(b):
        return 0.0
    return min(1.0, max(0.0, (match - 1 / 256) / (1 - 1 / 256)))


def pair_features(a: Fingerprint, b: Fingerprint) -> np.ndarray:
    """The ``monitor.similarity.FEATURES`` of a pair, as one float64 row."""
    import numpy as np

    lex = float(
        lexical_similarity(
            np.frombuffer(a.minhash, np.uint8), a.shingles, np.frombuffer(b.minhash, np.uint8),
            np.asarray(b.shingles),
        )
    )  # fmt: skip
    cross = a.lang != b.lang and "und" not in (a.lang, b.lang)
    amt_shared, amt_conflict = _sim.fact_features(
        a.head_amounts, a.lead_amounts, b.head_amounts, b.lead_amounts
    )
    ent_a, ent_b = set(a.lead_entities), set(b.lead_entities)
    # Jaccard of the entities (places left out) of headline + lead; unknown (0.5) when
    # either names none, as a headline-only entry often does.
    ent_shared = len(ent_a & ent_b) / len(ent_a | ent_b) if ent_a and ent_b else 0.5
    ent_conflict = _sim.principal_conflict(
        a.head_entities, a.lead_entities, b.head_entities, b.lead_entities
    )
    return np.array(
        [
            float(embedding_vector(a) @ embedding_vector(b)),
            float(_vector(a.head_embedding) @ _vector(b.head_embedding)),
            lex, bbit_jaccard(a.minhash3, b.minhash3), _sim.head_jaccard(a.headline, b.headline),
            float(cross), amt_shared, amt_conflict, ent_shared, ent_conflict,
        ],
        dtype=np.float64,
    )  # fmt: skip


def index_scores(sem: np.ndarray, lex: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """The same-story probability from the two index figures alone (headline view = lead view).

    For scans that hold only the index columns (bench/bench_novelty.py's exact
    reference); ``compare`` and ``NoveltyIndex.judge`` score every view.
    """
    import numpy as np

    sem = np.asarray(sem, dtype=np.float64)
    x = np.zeros((len(sem), len(_sim.FEATURES)))
    x[:, 0] = x[:, 1] = sem
    x[:, 2] = lex
    x[:, 5] = cross
    return _sim.load_model().score(x)[1]


def compare(a: Fingerprint, b: Fingerprint) -> Similarity:
    """How alike two fingerprinted items are: the fitted scores and a verdict."""
    return similarity_of(pair_features(a, b))


def similarity_of(x: np.ndarray) -> Similarity:
    """Score one feature row (``pair_features``) with the shipped model."""
    model = _sim.load_model()
    sim, story = model.score(x[None, :])
    lex = float(x[2])
    conflict = bool(x[7] or x[9])
    return Similarity(
        lexical=lex, semantic=min(1.0, max(0.0, float(x[0]))), score=float(sim[0]),
        verdict=model.verdict(lex, float(sim[0]), float(story[0]), conflict, bool(x[5])),  # type: ignore[arg-type]
        same_story=float(story[0]),
    )  # fmt: skip


def new_facts(fp: Fingerprint, known: Sequence[tuple[bytes, bool]]) -> tuple[float, float]:
    """(new, considered): weighted lead facts of ``fp`` absent from every (facts, cjk) in ``known``.

    Numbers and quotations weigh 1, names 0.5. Across scripts only numbers count.
    """
    import numpy as np

    mine = np.frombuffer(fp.facts, dtype="<u2")[:FOLLOW_UP_LEAD_FACTS]
    if any(cjk != fp.cjk for _, cjk in known):
        mine = mine[(mine & 3) == _FACT_KIND["#"]]
    if not len(mine):
        return 0.0, 0.0
    weight = np.asarray(_FACT_WEIGHT)[mine & 3]
    seen = np.concatenate([np.frombuffer(f, dtype="<u2") for f, _ in known] or [mine[:0]])
    fresh = ~np.isin(mine, seen)
    return float(weight[fresh].sum()), float(weight.sum())


# --- the index -----------------------------------------------------------------


def _seconds(when: datetime, name: str) -> int:
    if when.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got {when!r}")
    return int(when.timestamp())


class NoveltyIndex:
    """Every item seen in the window, searchable by both tiers without a pairwise scan.

    ``add`` is cheap (items are filed into the numpy structures of
    ``monitor.lshindex`` in batches); ``judge`` compares a fingerprint with the
    candidates the two indexes return, keeping only items *seen* no earlier
    than ``now - window``. The window counts from when monitor first saw an item,
    not from its published date: an article dated last year, read today from two
    feeds, is one story. ``evict(now)`` frees the memory of older items.
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self._ids = _new_strings()
        self._pending: list[tuple[str, int, int, Fingerprint]] = []
        self._rows: RowStore | None = None
        # The RowStore's time column holds when each item was seen (the window's
        # clock); its published time, for "is this report later?", is kept here.
        self._published: Column | None = None
        # Row-aligned fingerprints: the pair scorer needs views the index columns do not hold.
        self._prints: list[Fingerprint] = []

    def __len__(self) -> int:
        return len(self._ids) + len(self._pending)

    def add(
        self, item_id: str, published: datetime, fp: Fingerprint, seen: datetime | None = None
    ) -> None:
        """Remember an item so that later ones are judged against it.

        ``seen`` is when monitor first saw it (default: ``published``); the window counts from it.
        """
        when = _seconds(published, "published")
        first = when if seen is None else _seconds(seen, "seen")
        self._pending.append((item_id, first, when, fp))
        if len(self._pending) >= 4096:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        import numpy as np

        if self._rows is None or self._published is None:
            from monitor.lshindex import Column, RowStore

            self._rows = RowStore(NUM_PERM, BANDS, MAX_FACTS)
            self._published = Column(np.int64)
        batch, self._pending = self._pending, []
        self._ids.extend([item_id for item_id, _, _, _ in batch])
        self._published.extend(np.asarray([published for _, _, published, _ in batch], np.int64))
        self._prints.extend(fp for _, _, _, fp in batch)
        self._rows.add(
            [seen for _, seen, _, _ in batch],
            [fp.minhash for _, _, _, fp in batch],
            [fp.bands for _, _, _, fp in batch],
            [fp.shingles for _, _, _, fp in batch],
            [fp.embedding for _, _, _, fp in batch],
            [fp.facts for _, _, _, fp in batch],
            [fp.cjk for _, _, _, fp in batch],
        )

    def evict(self, now: datetime) -> int:
        """Forget items seen before ``now - window``; returns how many."""
        self._flush()
        if self._rows is None:
            return 0
        keep = self._rows.published.values >= _seconds(now - self.window, "now")
        dropped = len(keep) - int(keep.sum())
        if dropped:
            self._rows.keep(keep)
            self._ids.keep(keep)
            assert self._published is not None
            self._published.keep(keep)
            self._prints = [fp for fp, k in zip(self._prints, keep.tolist(), strict=True) if k]
        return dropped

    def judge(self, fp: Fingerprint, published: datetime, now: datetime) -> Novelty:
        """Classify ``fp`` as new, duplicate or follow-up against the items in the window."""
        import numpy as np

        when = _seconds(published, "published")
        cutoff = _seconds(now - self.window, "now")
        self._flush()
        if self._rows is None:
            return Novelty("new", 1.0, None, None, "new: nothing seen yet")
        rows, _ = self._rows.candidates(fp, embedding_vector(fp), CANDIDATE_SEMANTIC, cutoff)
        if not len(rows):
            return Novelty("new", 1.0, None, None, f"new: nothing similar in {self._window()}")
        sims = [similarity_of(pair_features(fp, self._prints[int(r)])) for r in rows]
        same = np.array([s.verdict in ("copy", "same story") for s in sims])
        cross = np.array([self._prints[int(r)].lang != fp.lang for r in rows])
        # A copy outranks a closer-scoring non-match; otherwise the likeliest same story wins.
        rank = np.array([s.same_story + (s.verdict == "copy") for s in sims])
        best = int(np.argmax(np.where(same, rank + 1.0, rank)))
        best_sim = sims[best]
        best_id = self._ids[int(rows[best])]
        if not same[best]:
            return Novelty(
                "new", 1.0 - best_sim.score, None, best_sim,
                f"new (closest: {best_id}, {_figures(best_sim)}, {best_sim.verdict})",
            )  # fmt: skip
        known = [self._rows.facts_of(int(r)) for r in rows[same]]
        fresh, considered = new_facts(fp, known)
        assert self._published is not None
        earlier = when > int(self._published.values[rows[best]])
        substantial = (
            fresh >= FOLLOW_UP_MIN_NEW_FACTS and fresh >= FOLLOW_UP_MIN_NEW_SHARE * considered
        )
        if substantial and earlier:
            # A follow-up is as novel as the share of its lead facts that are new.
            return Novelty(
                "follow-up", round(min(1.0, fresh / considered), 4), best_id, best_sim,
                f"follow-up of {best_id}: {fresh:g} of {considered:g} weighted lead facts are new "
                f"({_figures(best_sim)})",
            )  # fmt: skip
        how = "copy of" if best_sim.verdict == "copy" else "same story as"
        kind = "translated" if cross[best] else "rewritten" if best_sim.verdict != "copy" else ""
        extra = ", older report" if substantial else ""
        detail = ", ".join(x for x in (_figures(best_sim), kind) if x)
        return Novelty(
            "duplicate", 1.0 - best_sim.score, best_id, best_sim,
            f"{how} {best_id} ({detail}{extra})",
        )  # fmt: skip

    def _window(self) -> str:
        days = self.window / timedelta(days=1)
        return f"the last {days:g} days"


def _new_strings() -> Strings:
    from monitor.lshindex import Strings

    return Strings()


def _figures(sim: Similarity) -> str:
    return (
        f"same story {sim.same_story:.2f}, similarity {sim.score:.2f}, "
        f"semantic {sim.semantic:.2f}, lexical {sim.lexical:.2f}"
    )
