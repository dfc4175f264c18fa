"""Fingerprints: what novelty keeps of each story to compare it with later ones.

A :class:`Fingerprint` holds, for one story, a b-bit MinHash of its NFKC,
case-folded character 7-grams (the lexical view), int8 USE embeddings of the
headline and of the headline plus lead (the semantic views), its amounts and
entities, and hashes of the facts of its lead (for follow-ups: ``monitor.leadfacts``).
Fingerprints are computed once, in the worker that read the story, and stored as
bytes; a versioned header lets an older database's fingerprints be recognised and
recomputed. How two fingerprints are compared lives in ``monitor.novelty``
and ``monitor.similarity``.
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from monitor import similarity as _sim
from monitor.encoder import DIM, Encoder
from monitor.facts import Fact, amounts, market_move, session
from monitor.leadfacts import FACT_TEXT_CHARS, MAX_FACTS, fact_hashes, fact_tokens

if TYPE_CHECKING:
    import numpy as np

# --- text features -----------------------------------------------------------
LEAD_CHARS = 700
# Amounts are read from this much of the text: a wire report states its figures in the
# first paragraphs, past the lead (exports +23.2%, 11.5 trillion yen, imports +27.8% ...).
AMOUNT_CHARS = 2000
MAX_AMOUNTS = 24
SHINGLE = 7
MAX_LEXICAL_CHARS = 12_000
NUM_PERM = 128
BANDS, ROWS = 16, 4

_MAGIC = b"MNFP"
# Version 3 adds the flag _FLAG_NOT_ENCODED; a version 2 record reads as it is (it never has it).
_VERSION = 3
_READ_VERSIONS = frozenset({2, 3})
_OLD_VERSIONS = frozenset({1})
_HEADER = struct.Struct("<4sBBBxI")  # magic, version, flags, n_facts, pad, shingles
_FLAG_CJK = 1
_FLAG_NOT_ENCODED = 2  # neither encoder view is made yet: both embeddings are zeros
# The headline names a market (``facts.market_move``): the index files the report under its
# market and session (``NoveltyIndex``) without parsing every record's JSON tail to find out.
_FLAG_MARKET = 4
_FLAGS = _FLAG_CJK | _FLAG_NOT_ENCODED | _FLAG_MARKET

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


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

    Version 3 adds ``encoded``: False for a backlog story fingerprinted without its
    encoder views (``embedding`` and ``head_embedding`` zeros; see ``fingerprint_texts``),
    which :func:`with_views` adds before any judgement can compare it. (A version 3 record
    written before this change has its headline view: it is encoded again, the same.)
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
    # Amounts of the top of the text (``AMOUNT_CHARS``): the figures a data release or deal
    # report states, compared across languages (``monitor.similarity.shared_amounts``).
    text_amounts: tuple[Fact, ...] = ()
    # The trading session a market report's headline + lead names (``monitor.facts.session``):
    # a midday and a close report of one day are two events however alike they read.
    session: str = ""
    encoded: bool = True

    def to_bytes(self) -> bytes:
        """Serialise to a versioned binary record (no pickle)."""
        flags = (_FLAG_CJK if self.cjk else 0) | (0 if self.encoded else _FLAG_NOT_ENCODED)
        flags |= _FLAG_MARKET if market_move(self.headline)[0] else 0
        header = _HEADER.pack(_MAGIC, _VERSION, flags, len(self.facts) // 2, self.shingles)
        extra = json.dumps(
            [
                self.headline, self.lang,
                [[f.unit, f.value] for f in self.head_amounts],
                [[f.unit, f.value] for f in self.lead_amounts],
                list(self.head_entities), list(self.lead_entities),
                [[f.unit, f.value] for f in self.text_amounts], self.session,
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
        if version not in _READ_VERSIONS:
            raise ValueError(
                f"novelty fingerprint version {version} is not supported (this monitor reads "
                f"version {_VERSION}); re-fingerprint the item"
            )
        sizes = (NUM_PERM, BANDS * 4, DIM, 2 * n_facts, DIM, NUM_PERM, 4)
        if n_facts > MAX_FACTS or flags & ~_FLAGS or len(b) < _HEADER.size + sum(sizes):
            raise ValueError("corrupt novelty fingerprint (inconsistent length or fields)")
        parts, pos = [], _HEADER.size
        for size in sizes:
            parts.append(b[pos : pos + size])
            pos += size
        (n_extra,) = struct.unpack("<I", parts[-1])
        if len(b) != pos + n_extra:
            raise ValueError("corrupt novelty fingerprint (inconsistent length or fields)")
        try:
            headline, lang, head_amounts, lead_amounts, head_ent, lead_ent, *more = json.loads(
                b[pos:].decode("utf-8")
            )
            # text_amounts and session came later: a record without them reads as having none.
            text_amounts = more[0] if more else []
            session = str(more[1]) if len(more) > 1 else ""
            facts_of = [
                tuple(Fact(str(u), float(v)) for u, v in x)
                for x in (head_amounts, lead_amounts, text_amounts)
            ]
            entities = [tuple(str(e) for e in x) for x in (head_ent, lead_ent)]
        except (ValueError, TypeError) as exc:
            raise ValueError(f"corrupt novelty fingerprint ({exc})") from None
        return cls(
            parts[0], parts[1], shingles, parts[2], parts[3], bool(flags & _FLAG_CJK),
            parts[4], parts[5], str(headline), str(lang), facts_of[0], facts_of[1],
            entities[0], entities[1], facts_of[2], session, not flags & _FLAG_NOT_ENCODED,
        )  # fmt: skip


def is_encoded(b: bytes) -> bool:
    """Whether a stored fingerprint holds its encoder views (False: a backlog story's, made
    without them; :func:`with_views` completes it). Reads only the header."""
    return len(b) < _HEADER.size or not b[5] & _FLAG_NOT_ENCODED


def names_market(b: bytes) -> bool:
    """Whether a stored fingerprint's headline names a market (reads only the header)."""
    return len(b) >= _HEADER.size and bool(b[5] & _FLAG_MARKET)


def index_view(b: bytes) -> tuple[bytes, bytes, int, bytes, bytes, bool]:
    """(minhash, bands, shingles, embedding, facts, cjk) of a stored fingerprint, without parsing
    the rest: what ``NoveltyIndex`` files every window item by. Checks what
    :meth:`Fingerprint.from_bytes` checks but the JSON tail (headline, amounts,
    entities), which is read only for the few items a judgement scores.

    Raises :class:`StaleFingerprint` for an older version or, as :class:`NotEncoded`, for one
    made without its encoder views, and ValueError for a corrupt record.
    """
    if len(b) < _HEADER.size or b[:4] != _MAGIC:
        raise ValueError("not a novelty fingerprint (bad magic); re-fingerprint the item")
    _, version, flags, n_facts, shingles = _HEADER.unpack_from(b)
    if version in _READ_VERSIONS and flags & _FLAG_NOT_ENCODED and not flags & ~_FLAGS:
        raise NotEncoded("novelty fingerprint without its encoder views")
    if version not in _READ_VERSIONS or n_facts > MAX_FACTS or flags & ~(_FLAG_CJK | _FLAG_MARKET):
        return _view_of(Fingerprint.from_bytes(b))  # raises the precise error
    pos = _HEADER.size
    facts_at = pos + NUM_PERM + BANDS * 4 + DIM
    tail = facts_at + 2 * n_facts + DIM + NUM_PERM
    if len(b) < tail + 4 or len(b) != tail + 4 + int.from_bytes(b[tail : tail + 4], "little"):
        raise ValueError("corrupt novelty fingerprint (inconsistent length or fields)")
    return (
        b[pos : pos + NUM_PERM], b[pos + NUM_PERM : pos + NUM_PERM + BANDS * 4], shingles,
        b[facts_at - DIM : facts_at], b[facts_at : facts_at + 2 * n_facts], bool(flags & _FLAG_CJK),
    )  # fmt: skip


def _view_of(fp: Fingerprint) -> tuple[bytes, bytes, int, bytes, bytes, bool]:
    return fp.minhash, fp.bands, fp.shingles, fp.embedding, fp.facts, fp.cjk


class StaleFingerprint(ValueError):
    """A fingerprint written by an older monitor: fingerprint the item's text again."""


class NotEncoded(StaleFingerprint):
    """A fingerprint made without its encoder views: :func:`with_views` adds them."""


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


def _quantise(vec: np.ndarray) -> bytes:
    import numpy as np

    peak = float(np.abs(vec).max())
    if peak == 0.0:
        return bytes(DIM)
    return np.round(vec * (127.0 / peak)).astype(np.int8).tobytes()


def fingerprint_texts(
    texts: Sequence[tuple[str, str]], encoder: Encoder, views: bool = True
) -> list[Fingerprint]:
    """Fingerprint a batch of (title, text) pairs; leads and headlines go to the encoder at once.

    ``views=False`` leaves both encoder views out (``encoded`` False, ``embedding`` and
    ``head_embedding`` zeros) and never loads the encoder: a backlog story is never judged
    itself, so its views are needed only once a later story is judged against it
    (:func:`with_views` adds them then), and a pass of backlog alone (a first poll's) then
    pays neither the encoder's load nor its work.
    """
    leads = [lead_text(title, text) for title, text in texts]
    heads = [" ".join(title.split()) for title, _ in texts]
    vectors = encoder.encode(leads + heads) if views and texts else [None] * (2 * len(texts))
    finder = _entity_finder()
    out = []
    for i, (title, text) in enumerate(texts):
        hashes = _shingle_hashes(f"{title}\n{text}")
        minhash, bands = _minhash(hashes)
        minhash3, _ = _minhash(_shingle_hashes(f"{title}\n{text}", 3, _sim.BODY_CHARS))
        body = f"{title}\n{text[:FACT_TEXT_CHARS]}"
        cjk = len(_CJK.findall(body)) > 0.2 * max(1, len(body.strip()))
        facts = fact_hashes(fact_tokens(title, text))
        head_ent, lead_ent = (finder(heads[i]), finder(leads[i])) if finder else ((), ())
        out.append(
            Fingerprint(
                minhash, bands, len(hashes),
                _quantise(vectors[i]) if views else bytes(DIM), facts, cjk,
                head_embedding=_quantise(vectors[len(texts) + i]) if views else bytes(DIM),
                minhash3=minhash3,
                headline=heads[i][:300], lang=_sim.language(body),
                head_amounts=tuple(amounts(heads[i])[:8]),
                lead_amounts=tuple(amounts(leads[i])[:16]),
                head_entities=head_ent, lead_entities=lead_ent,
                text_amounts=tuple(amounts(f"{title}\n{text[:AMOUNT_CHARS]}")[:MAX_AMOUNTS]),
                session=session(leads[i]), encoded=views,
            )
        )  # fmt: skip
    return out


def with_views(
    prints: Sequence[Fingerprint], texts: Sequence[tuple[str, str]], encoder: Encoder
) -> list[Fingerprint]:
    """``prints`` with both encoder views of those made without them, from their
    (title, text); in one encoder call. The others are returned as they are."""
    todo = [i for i, fp in enumerate(prints) if not fp.encoded]
    out = list(prints)
    if todo:
        title_of = [" ".join(texts[i][0].split()) for i in todo]
        vectors = encoder.encode([lead_text(*texts[i]) for i in todo] + title_of)
        for k, i in enumerate(todo):
            out[i] = replace(
                prints[i], embedding=_quantise(vectors[k]),
                head_embedding=_quantise(vectors[len(todo) + k]), encoded=True,
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
