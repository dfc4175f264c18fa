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
scripts only amounts are compared (``30 billion yen`` and ``300億円`` are the
same fact; ``Miyakawa`` and ``宮川`` cannot be told apart), within rounding, and
only those of a unit the matched reports headline count (``new_amounts``): a
translation that is fuller than the report it matches is not a development.
Measured: rewrites and translations bring 0-2.5 new (share 0-0.43, Rakuten
rewrite the highest), our follow-ups 7.5-8.5 (share 0.8-1.0).

Two reports of different events that read alike are never folded into each other:
market reports of different trading sessions (``monitor.facts.session``: the midday
and the close report of one day), and headlines opening on different countries
(``monitor.facts.headline_country``: Germany's PMI and Japan's, out the same morning).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor import similarity as _sim
from monitor.encoder import Encoder
from monitor.facts import headline_country
from monitor.fingerprint import (
    BANDS,
    LEAD_CHARS,
    MAX_FACTS,
    NUM_PERM,
    Fingerprint,
    StaleFingerprint,
    fingerprint_texts,
    index_view,
)
from monitor.followup import FOLLOW_UP_LEAD_FACTS, detail_only, new_amounts, new_facts
from monitor.model import Novelty, Similarity

if TYPE_CHECKING:
    import numpy as np

    from monitor.columns import Column, Strings
    from monitor.lshindex import RowStore

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
    "events_differ",
    "fingerprint_texts",
    "pair_features",
    "pair_features_many",
    "similarities_of",
]

# --- thresholds (documented in the module docstring) -------------------------
FOLLOW_UP_MIN_NEW_FACTS = 3
FOLLOW_UP_MIN_NEW_SHARE = 0.50
DEFAULT_WINDOW = timedelta(days=30)
# Below this headline + lead cosine (and without shared 7-grams) a pair is not
# fetched. It is the floor of the shared-figures rule (``similarity.FACTS_MIN_SEMANTIC``):
# an English and a Japanese report of one data release can sit at 0.50-0.55 and fold on
# their figures alone, so a higher floor (0.55 before) never let that rule see them.
CANDIDATE_SEMANTIC = _sim.FACTS_MIN_SEMANTIC

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
    cross, cross_script = _sim.languages_differ(a.lang, b.lang)
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
            float(cross), amt_shared, amt_conflict, ent_shared, ent_conflict, float(cross_script),
        ],
        dtype=np.float64,
    )  # fmt: skip


def pair_features_many(a: Fingerprint, others: Sequence[Fingerprint]) -> np.ndarray:
    """``pair_features`` of ``a`` against each of ``others``, as one (k, 11) float64 matrix.

    The judge's path: the array views (cosines, MinHash overlaps) are computed
    over all candidates at once; only the set-valued views (headline 3-grams,
    amounts, entities) stay per pair, with ``a``'s side computed once.
    """
    import numpy as np

    k = len(others)
    out = np.zeros((k, len(_sim.FEATURES)), dtype=np.float64)
    if not k:
        return out
    dim = len(a.embedding)

    def unit_rows(raw: list[bytes]) -> np.ndarray:
        m = np.frombuffer(b"".join(raw), np.int8).reshape(k, dim).astype(np.float32)
        norm = np.linalg.norm(m, axis=1, keepdims=True)
        return np.divide(m, norm, out=m, where=norm > 0)

    out[:, 0] = unit_rows([o.embedding for o in others]) @ embedding_vector(a)
    out[:, 1] = unit_rows([o.head_embedding for o in others]) @ _vector(a.head_embedding)
    mh = np.frombuffer(b"".join(o.minhash for o in others), np.uint8).reshape(k, -1)
    sizes = np.array([o.shingles for o in others])
    out[:, 2] = lexical_similarity(np.frombuffer(a.minhash, np.uint8), a.shingles, mh, sizes)
    mh3 = np.frombuffer(b"".join(o.minhash3 for o in others), np.uint8).reshape(k, -1)
    match = (mh3 == np.frombuffer(a.minhash3, np.uint8)).mean(axis=1)
    jac3 = np.clip((match - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)
    empty = not any(a.minhash3) or np.array([not any(o.minhash3) for o in others])
    out[:, 3] = np.where(empty, 0.0, jac3)
    grams_a = _sim.trigrams(a.headline)
    ent_a = set(a.lead_entities)
    for i, b in enumerate(others):
        grams_b = _sim.trigrams(b.headline)
        head3 = len(grams_a & grams_b) / len(grams_a | grams_b) if grams_a and grams_b else 0.0
        amt_shared, amt_conflict = _sim.fact_features(
            a.head_amounts, a.lead_amounts, b.head_amounts, b.lead_amounts
        )
        ent_b = set(b.lead_entities)
        ent_shared = len(ent_a & ent_b) / len(ent_a | ent_b) if ent_a and ent_b else 0.5
        ent_conflict = _sim.principal_conflict(
            a.head_entities, a.lead_entities, b.head_entities, b.lead_entities
        )
        cross, cross_script = _sim.languages_differ(a.lang, b.lang)
        out[i, 4:] = (
            head3, cross, amt_shared, amt_conflict, ent_shared, ent_conflict, cross_script
        )  # fmt: skip
    return out


def index_scores(sem: np.ndarray, lex: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """The same-story probability from the two index figures alone (headline view = lead view).

    For scans that hold only the index columns (bench/bench_novelty.py's exact
    reference); ``compare`` and ``NoveltyIndex.judge`` score every view. A ``cross``
    pair is scored as two languages of one script.
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
    return similarities_of(
        pair_features(a, b)[None, :], [_sim.shared_amounts(a.text_amounts, b.text_amounts)],
        [events_differ(a, b)],
    )[0]  # fmt: skip


def similarity_of(x: np.ndarray, facts: int = 0) -> Similarity:
    """Score one feature row (``pair_features``) with the shipped model."""
    return similarities_of(x[None, :], [facts])[0]


def events_differ(a: Fingerprint, b: Fingerprint) -> bool:
    """The two report different events however alike they read: other sessions or countries.

    Market reports of different trading sessions (``monitor.facts.session``): the
    midday and the close report of one day share wording and figures (the intraday
    low, the previous close), and the pair model calls them one story (0.82 on
    wire-dev's 21 August pair). Headlines opening on different countries
    (``monitor.facts.headline_country``): every country's PMI comes out the same
    morning in the same words (0.80-0.84 for a Japanese report of Germany's or the
    US PMI against Reuters' English one of Japan's).
    """
    return bool(_apart(a, b))


def _apart(a: Fingerprint, b: Fingerprint) -> str:
    """Why ``events_differ``, for the reason a user reads; "" when they do not."""
    if a.session and b.session and a.session != b.session:
        return f"another trading session ({a.session}, not {b.session})"
    country_a, country_b = headline_country(a.headline), headline_country(b.headline)
    if country_a and country_b and country_a != country_b:
        return f"another country ({country_a}, not {country_b})"
    return ""


def shared_amounts_many(a: Fingerprint, others: Sequence[Fingerprint]) -> list[int]:
    """``monitor.similarity.shared_amounts`` of ``a`` against each of ``others``."""
    return [_sim.shared_amounts(a.text_amounts, o.text_amounts) for o in others]


def similarities_of(
    x: np.ndarray, facts: Sequence[int] = (), differ: Sequence[bool] = ()
) -> list[Similarity]:
    """Score feature rows (``pair_features_many``) with one evaluation of the shipped model.

    ``facts``: the amounts each pair shares (``shared_amounts_many``; none when empty).
    ``differ``: whether each pair reports different events (``events_differ``): such a
    pair is at most ``related``, never folded.
    """
    model = _sim.load_model()
    sim, story = model.score(x)
    shared = list(facts) or [0] * len(x)
    other = list(differ) or [False] * len(x)
    out = []
    for row, s, p, n, other_event in zip(
        x.tolist(), sim.tolist(), story.tolist(), shared, other, strict=True
    ):
        lex = row[2]
        conflict = bool(row[7] or row[9])
        verdict = model.verdict(
            lex, s, p, conflict, bool(row[5]), n if row[0] >= _sim.FACTS_MIN_SEMANTIC else 0
        )
        if other_event and verdict in ("copy", "same story"):
            verdict = "related"
        out.append(
            Similarity(
                lexical=lex, semantic=min(1.0, max(0.0, row[0])), score=s,
                verdict=verdict,  # type: ignore[arg-type]
                same_story=p,
            )
        )  # fmt: skip
    return out


def warm_up() -> None:
    """Import and load what judging needs (numpy, the index, the fitted model) by judging a
    made-up item once, so that the first real judgement does not pay for it.

    ``monitor.prepare`` runs this in a background thread of a poll as soon as a
    worker returns a relevant story: the ~0.1-0.2 s of imports then overlap
    the network and the workers instead of starting the judge pass.
    """
    from datetime import UTC

    from monitor.encoder import DIM

    # A copy of itself: every path of a judgement runs (both candidate searches, pair
    # scoring, the new-facts check), and with it numpy's lazily initialised parts
    # (np.unique's first call alone costs ~30 ms).
    vector = b"\x7f" + bytes(DIM - 1)
    made_up = Fingerprint(
        bytes(range(NUM_PERM)), bytes(range(BANDS * 4)), 100, vector, b"\x01\x00\x05\x00",
        False, head_embedding=vector, headline="warm up", lang="en",
    )  # fmt: skip
    when = datetime(2000, 1, 1, tzinfo=UTC)
    index = NoveltyIndex()
    index.add("warm-up", when, made_up)
    verdict = index.judge(made_up, when + timedelta(hours=1), when + timedelta(hours=1))
    assert verdict.kind == "duplicate", verdict  # it found and scored itself


# --- the index -----------------------------------------------------------------


def _seconds(when: datetime, name: str) -> int:
    if when.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got {when!r}")
    return int(when.timestamp())


class NoveltyIndex:
    """Every item seen in the window, searchable by both tiers without a pairwise scan.

    ``add`` is cheap (items are filed into the structures of ``monitor.lshindex``
    in batches); ``judge`` compares a fingerprint with the
    candidates the two indexes return, keeping only items *seen* no earlier
    than ``now - window``. The window counts from when monitor first saw an item,
    not from its published date: an article dated last year, read today from two
    feeds, is one story. ``evict(now)`` frees the memory of older items.
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self._ids = _new_strings()
        # (id, seen, published, the index columns, the fingerprint or its stored bytes)
        self._pending: list[tuple[str, int, int, tuple, Fingerprint | bytes]] = []
        self._rows: RowStore | None = None
        # The RowStore's time column holds when each item was seen (the window's
        # clock); its published time, for "is this report later?", is kept here.
        self._published: Column | None = None
        # Row-aligned fingerprints: the pair scorer needs views the index columns do not hold.
        # A stored one stays bytes until a judgement scores it (most never are).
        self._prints: list[Fingerprint | bytes] = []

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
        view = (fp.minhash, fp.bands, fp.shingles, fp.embedding, fp.facts, fp.cjk)
        self._pending.append((item_id, first, when, view, fp))
        if len(self._pending) >= 4096:
            self._flush()

    def add_stored(self, item_id: str, published: datetime, blob: bytes, seen: datetime) -> None:
        """``add`` for a fingerprint as the store holds it (``Fingerprint.to_bytes``).

        Only the index columns are read now; the rest is parsed if a judgement
        scores this item. Raises :class:`StaleFingerprint` for an older version.
        """
        view = index_view(blob)
        self._pending.append(
            (item_id, _seconds(seen, "seen"), _seconds(published, "published"), view, blob)
        )
        if len(self._pending) >= 4096:
            self._flush()

    def _print(self, row: int) -> Fingerprint:
        fp = self._prints[row]
        if isinstance(fp, bytes):
            fp = self._prints[row] = Fingerprint.from_bytes(fp)
        return fp

    def _flush(self) -> None:
        if not self._pending:
            return
        import numpy as np

        if self._rows is None or self._published is None:
            from monitor.columns import Column
            from monitor.lshindex import RowStore

            self._rows = RowStore(NUM_PERM, BANDS, MAX_FACTS)
            self._published = Column(np.int64)
        batch, self._pending = self._pending, []
        self._ids.extend([entry[0] for entry in batch])
        self._published.extend(np.asarray([entry[2] for entry in batch], np.int64))
        self._prints.extend(entry[4] for entry in batch)
        columns = list(zip(*(entry[3] for entry in batch), strict=True))
        self._rows.add([entry[1] for entry in batch], *map(list, columns))

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
        others = [self._print(int(r)) for r in rows]
        sims = similarities_of(
            pair_features_many(fp, others), shared_amounts_many(fp, others),
            [events_differ(fp, o) for o in others],
        )  # fmt: skip
        same = np.array([s.verdict in ("copy", "same story") for s in sims])
        cross = np.array([o.lang != fp.lang for o in others])
        # A copy outranks a closer-scoring non-match; otherwise the likeliest same story wins.
        rank = np.array([s.same_story + (s.verdict == "copy") for s in sims])
        best = int(np.argmax(np.where(same, rank + 1.0, rank)))
        best_sim = sims[best]
        best_id = self._ids[int(rows[best])]
        if not same[best]:
            return Novelty(
                "new", 1.0 - best_sim.score, None, best_sim,
                f"new (closest: {best_id}, {_figures(best_sim)}, {best_sim.verdict}"
                f"{'; ' + apart if (apart := _apart(fp, others[best])) else ''})",
            )  # fmt: skip
        matched = [o for o, m in zip(others, same.tolist(), strict=True) if m]
        if any(o.cjk != fp.cjk for o in matched):
            # Across scripts only amounts compare, and only those extending what the
            # story headlines (see ``new_amounts``).
            fresh, considered = new_amounts(fp, matched)
        else:
            fresh, considered = new_facts(fp, [self._rows.facts_of(int(r)) for r in rows[same]])
        assert self._published is not None
        earlier = when > int(self._published.values[rows[best]])
        substantial = (
            fresh >= FOLLOW_UP_MIN_NEW_FACTS and fresh >= FOLLOW_UP_MIN_NEW_SHARE * considered
        )
        # Facts a short report had no room for are detail unless the headline brings news.
        fuller = substantial and detail_only(fp, matched)
        substantial = substantial and not fuller
        if substantial and earlier:
            # A follow-up is as novel as the share of its lead facts that are new.
            return Novelty(
                "follow-up", round(min(1.0, fresh / considered), 4), best_id, best_sim,
                f"follow-up of {best_id}: {fresh:g} of {considered:g} weighted lead facts are new "
                f"({_figures(best_sim)})",
            )  # fmt: skip
        how = "copy of" if best_sim.verdict == "copy" else "same story as"
        kind = "translated" if cross[best] else "rewritten" if best_sim.verdict != "copy" else ""
        extra = (
            ", older report" if substantial else ", fuller report of a short one" if fuller else ""
        )
        detail = ", ".join(x for x in (_figures(best_sim), kind) if x)
        return Novelty(
            "duplicate", 1.0 - best_sim.score, best_id, best_sim,
            f"{how} {best_id} ({detail}{extra})",
        )  # fmt: skip

    def _window(self) -> str:
        days = self.window / timedelta(days=1)
        return f"the last {days:g} days"


def _new_strings() -> Strings:
    from monitor.columns import Strings

    return Strings()


def _figures(sim: Similarity) -> str:
    return (
        f"same story {sim.same_story:.2f}, similarity {sim.score:.2f}, "
        f"semantic {sim.semantic:.2f}, lexical {sim.lexical:.2f}"
    )
