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
A headline stating an amount none of the matched reports states (the agreed
price after the talks' estimate, the shares' fall the morning after the deal;
``followup.headline_news``) is a development too, in any script.

Follow-ups are judged story by story (``judge_story``, given each item's story):
a report is a follow-up only if it is news against every story it matches, and
otherwise joins the likeliest story it repeats, so a later report of a
development joins the development's story instead of being weighed against the
first event's reports alone; the judge pass joins two stories one report repeats.

Two reports of different events that read alike are never folded into each other:
market reports of different trading sessions (``monitor.facts.session``: the midday
and the close report of one day), and headlines opening on different countries
(``monitor.facts.headline_country``: Germany's PMI and Japan's, out the same morning).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from monitor import similarity as _sim
from monitor.encoder import Encoder
from monitor.eventrules import (
    SHARE_MOVE_LINK,
    apart_reason,
    events_differ,
    link_reason,
    one_subject,
)
from monitor.fingerprint import (
    BANDS,
    LEAD_CHARS,
    NUM_PERM,
    Fingerprint,
    StaleFingerprint,
    fingerprint_texts,
    index_view,
    names_market,
)
from monitor.followup import (
    FOLLOW_UP_LEAD_FACTS,
    FOLLOW_UP_MIN_NEW_FACTS,
    FOLLOW_UP_MIN_NEW_SHARE,
    story_news,
)
from monitor.market_session import clocked, market_key
from monitor.model import Novelty, Similarity
from monitor.pairscore import (
    compare,
    embedding_vector,
    pair_features,
    pair_features_many,
    shared_amounts_many,
    similarities_of,
)
from monitor.words import plural

if TYPE_CHECKING:
    import numpy as np

    from monitor.columns import Blobs, Column, Strings
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

# --- thresholds (documented in the module docstring; the follow-up ones in followup) ---
DEFAULT_WINDOW = timedelta(days=30)
# Fingerprints parsed back from their bytes and kept for the judgements that follow: a
# pass's items are candidates of one another. Past this many the cache starts over.
DECODED_CACHE = 4096
# Below this headline + lead cosine (and without shared 7-grams) a pair is not
# fetched. It is the floor of the shared-figures rule (``similarity.FACTS_MIN_SEMANTIC``):
# an English and a Japanese report of one data release can sit at 0.50-0.55 and fold on
# their figures alone, so a higher floor (0.55 before) never let that rule see them; and of
# the one-event links (``similarity.LINK_MIN_SEMANTIC``: two languages' closes of one day).
CANDIDATE_SEMANTIC = min(_sim.FACTS_MIN_SEMANTIC, _sim.LINK_MIN_SEMANTIC)


def warm_up() -> None:
    """Import and load what judging needs (numpy, the index, the fitted model) by judging a
    made-up item once, so that the first real judgement does not pay for it.

    ``monitor.prepare`` runs this in a background thread of a poll as soon as a
    worker returns a relevant story: the ~0.1-0.2 s of imports then overlap
    the network and the workers instead of starting the judge pass.
    """
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
        # (id, seen, published, (bands, shingles, embedding), the fingerprint or its bytes)
        self._pending: list[tuple[str, int, int, tuple, Fingerprint | bytes]] = []
        self._rows: RowStore | None = None
        # The RowStore's time column holds when each item was seen (the window's
        # clock); its published time, for "is this report later?", is kept here.
        self._published: Column | None = None
        # Row-aligned fingerprints as bytes (``Fingerprint.to_bytes``), in one buffer or, for a
        # large window, a temporary file (``columns.Blobs``): the pair scorer needs views the
        # index does not hold, but only for the few rows a judgement scores. As Python
        # objects they took ~2 kB each (2.8 GB at 10^6 items); parsed when scored.
        self._prints: Blobs | None = None
        self._decoded: dict[int, Fingerprint] = {}

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
        view = (fp.bands, fp.shingles, fp.embedding, fp.cjk, market_key(clocked(fp, when)))
        self._pending.append((item_id, first, when, view, fp))
        if len(self._pending) >= 4096:
            self._flush()

    def add_stored(self, item_id: str, published: datetime, blob: bytes, seen: datetime) -> None:
        """``add`` for a fingerprint as the store holds it (``Fingerprint.to_bytes``).

        Only the index columns are read now; the rest is parsed if a judgement
        scores this item. Raises :class:`StaleFingerprint` for an older version.
        """
        _, bands, shingles, embedding, _, cjk = index_view(blob)
        when = _seconds(published, "published")
        # Only a market report's JSON tail is parsed now: its market and session file it.
        market = (
            market_key(clocked(Fingerprint.from_bytes(blob), when)) if names_market(blob) else 0
        )
        self._pending.append(
            (item_id, _seconds(seen, "seen"), when,
             (bands, shingles, embedding, cjk, market), bytes(blob))
        )  # fmt: skip
        if len(self._pending) >= 4096:
            self._flush()

    def _print(self, row: int) -> Fingerprint:
        fp = self._decoded.get(row)
        if fp is None:
            assert self._prints is not None and self._published is not None
            if len(self._decoded) >= DECODED_CACHE:
                self._decoded.clear()
            blob = self._prints[row]
            fp = Fingerprint.from_bytes(blob)
            if names_market(blob):  # only a market report has a session to read from the clock
                fp = clocked(fp, int(self._published.values[row]))
            self._decoded[row] = fp
        return fp

    def _flush(self) -> None:
        if not self._pending:
            return
        import numpy as np

        if self._rows is None or self._published is None or self._prints is None:
            from monitor.columns import Blobs, Column
            from monitor.lshindex import RowStore

            self._rows = RowStore(BANDS)
            self._published = Column(np.int64)
            self._prints = Blobs()
        batch, self._pending = self._pending, []
        self._ids.extend([entry[0] for entry in batch])
        self._published.extend(np.asarray([entry[2] for entry in batch], np.int64))
        self._prints.extend([fp if isinstance(fp, bytes) else fp.to_bytes() for *_, fp in batch])
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
            assert self._prints is not None
            self._prints.keep(keep)
            self._decoded.clear()  # rows are renumbered
        return dropped

    def candidates(self, fp: Fingerprint, now: datetime) -> list[str]:
        """Ids of the items in the window that ``judge`` would score ``fp`` against."""
        rows = self._candidate_rows(fp, now)
        return [] if rows is None else [self._ids[int(r)] for r in rows]

    def _candidate_rows(self, fp: Fingerprint, now: datetime) -> np.ndarray | None:
        """The rows ``fp`` is scored against (None: the window holds nothing yet)."""
        self._flush()
        if self._rows is None:
            return None
        cutoff = _seconds(now - self.window, "now")
        rows, _ = self._rows.candidates(
            fp, embedding_vector(fp), CANDIDATE_SEMANTIC, cutoff, market_key(fp)
        )
        return rows

    def judge(
        self,
        fp: Fingerprint,
        published: datetime,
        now: datetime,
        stories: Mapping[str, str | None] | None = None,
    ) -> Novelty:
        """Classify ``fp`` as new, duplicate or follow-up against the items in the window.

        ``stories`` maps item ids to the story each belongs to (see ``judge_story``).
        """
        return self.judge_story(fp, published, now, stories)[0]

    def judge_story(
        self,
        fp: Fingerprint,
        published: datetime,
        now: datetime,
        stories: Mapping[str, str | None] | None = None,
    ) -> tuple[Novelty, tuple[str, ...]]:
        """``judge``, story by story, and the reports of the other stories ``fp`` repeats.

        With ``stories`` (item id -> story id; an id it lacks or maps to None is a story of
        its own) the matched reports are judged as stories: ``fp`` is a follow-up only if it
        brings news against every story it matches, and otherwise joins the likeliest story
        it repeats. A follow-up is a story of its own, so a later report of that development
        (the agreed deal after the talks) joins it instead of being weighed against the
        first event's reports only. Without ``stories`` every match is one story. The tuple
        holds the best-matching report of each *other* story ``fp`` repeats: reports of one
        event that the judge pass kept apart (the caller may join them).
        """
        import numpy as np

        when = _seconds(published, "published")
        fp = clocked(fp, when)
        rows = self._candidate_rows(fp, now)
        if rows is None:
            return Novelty("new", 1.0, None, None, "new: nothing seen yet"), ()
        if not len(rows):
            return Novelty("new", 1.0, None, None, f"new: nothing similar in {self._window()}"), ()
        others = [self._print(int(r)) for r in rows]
        assert self._published is not None
        stamps = [int(self._published.values[r]) for r in rows]
        hours = [(when - t) / 3600 for t in stamps]
        links = [link_reason(fp, o, h) for o, h in zip(others, hours, strict=True)]
        principal = [one_subject(fp, o) if o.lang != fp.lang else "" for o in others]
        features, amounts = pair_features_many(fp, others), shared_amounts_many(fp, others)
        sims = similarities_of(features, amounts, (), links, principal)
        # ``events_differ`` only ever takes a fold back: only the pairs that fold are asked.
        differ = [
            s.verdict in ("copy", "same story") and events_differ(fp, o, h)
            for s, o, h in zip(sims, others, hours, strict=True)
        ]
        if any(differ):
            sims = similarities_of(features, amounts, differ, links, principal)
        same = np.array([s.verdict in ("copy", "same story") for s in sims])
        cross = np.array([o.lang != fp.lang for o in others])
        # A copy outranks a closer-scoring non-match, and a report of one event by its facts
        # (``events_link``: one headline amount of one company) a report the model finds alike
        # (the talks that led to the deal); otherwise the likeliest same story wins.
        rank = np.array([
            s.same_story + (s.verdict == "copy") + (bool(link) and s.verdict == "same story")
            for s, link in zip(sims, links, strict=True)
        ])  # fmt: skip
        best = int(np.argmax(np.where(same, rank + 1.0, rank)))
        best_sim = sims[best]
        ids = [self._ids[int(r)] for r in rows]
        if not same[best]:
            apart = apart_reason(fp, others[best], hours[best])
            return Novelty(
                "new", 1.0 - best_sim.score, None, best_sim,
                f"new (closest: {ids[best]}, {_figures(best_sim)}, {best_sim.verdict}"
                f"{'; ' + apart if apart else ''})",
            ), ()  # fmt: skip
        groups: dict[str | None, list[int]] = {}
        for i in np.flatnonzero(same).tolist():
            key = (stories.get(ids[i]) or ids[i]) if stories is not None else None
            groups.setdefault(key, []).append(i)
        # Each story's best-matching report, and what ``fp`` brings against the story.
        lead = {k: max(g, key=lambda i: rank[i]) for k, g in groups.items()}
        # A story's stage is what any of its reports states, matched or not: the scoop's
        # "plan ..., Nikkei says" makes the story the talks, whichever report a later one matches.
        members: dict[str | None, list[Fingerprint]] = {}
        if stories is not None:
            for i, other in enumerate(others):
                key = stories.get(ids[i]) or ids[i]
                if key in groups and not same[i]:
                    members.setdefault(key, []).append(other)
        news = {
            k: story_news(
                fp,
                [others[i] for i in g],
                when > stamps[lead[k]],
                all(links[i] == SHARE_MOVE_LINK for i in g),
                members.get(k, []),
            )
            for k, g in groups.items()
        }
        repeated = [k for k in groups if not (news[k].follows or news[k].stage or news[k].earlier)]
        # A report of an earlier stage than a story's (the deal, judged after the shares' fall
        # that followed it) is none of that story's: neither a repeat nor a follow-up.
        following = [k for k in groups if news[k].follows]
        if not repeated and not following:
            # An earlier stage of every story it matches (the talks, read after the deal).
            k = max(groups, key=lambda k: rank[lead[k]])
            b = lead[k]
            return Novelty(
                "new", 1.0 - sims[b].score, None, sims[b],
                f"new: another stage than {ids[b]} "
                f"({news[k].stage or news[k].earlier + ' there'}; {_figures(sims[b])})",
            ), ()  # fmt: skip
        if not repeated:
            # News against every story it matches: it follows the latest of them.
            k = max(following, key=lambda k: (stamps[lead[k]], rank[lead[k]]))
            got, b = news[k], lead[k]
            states = plural(got.headline, "new amount")
            headline = f"; its headline states {states}" if got.headline else ""
            if got.stage:
                headline += f"; its headline reports {got.stage}"
            return Novelty(
                "follow-up", round(min(1.0, max(got.fresh, got.headline) / got.considered), 4),
                ids[b], sims[b],
                f"follow-up of {ids[b]}: {got.fresh:g} of {got.considered:g} weighted lead facts "
                f"are new{headline} ({_figures(sims[b])})",
            ), ()  # fmt: skip
        k = max(repeated, key=lambda k: rank[lead[k]])
        got, b = news[k], lead[k]
        how = "copy of" if sims[b].verdict == "copy" else "same story as"
        kind = "translated" if cross[b] else "rewritten" if sims[b].verdict != "copy" else ""
        extra = (
            ", older report" if got.substantial
            else ", fuller report of a short one" if got.fuller else ""
        )  # fmt: skip
        detail = ", ".join(x for x in (_figures(sims[b]), kind) if x)
        if links[b] and sims[b].verdict == "same story":
            # The figures alone would not explain the fold: say what made it one event.
            detail += f"; one event: {links[b]}"
        elif (
            principal[b]
            and sims[b].verdict == "same story"
            and sims[b].same_story < _sim.load_model().same_story_cross
        ):
            floor = _sim.PRINCIPAL_SAME_STORY
            detail += f"; {principal[b]} in both languages: one story from {floor:.2f}"
        also = tuple(ids[lead[j]] for j in repeated if j != k)
        return Novelty(
            "duplicate", 1.0 - sims[b].score, ids[b], sims[b],
            f"{how} {ids[b]} ({detail}{extra})",
        ), also  # fmt: skip

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
