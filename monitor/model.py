"""The plain values that flow between pipeline stages.

    sources  -> Document          (one raw article or feed entry)
    extract  -> Extracted         (one story cut out of a Document)
    pipeline -> Item              (an Extracted story with identity and provenance)
    relevance-> Relevance         (score in [0, 1] plus the evidence behind it)
    prepare  -> Prepared          (a Document's stories and their relevance, from a worker)
    novelty  -> Novelty           (new / duplicate / follow-up, and against what)
    rank     -> RankedItem        (all of the above plus the final score)
    digest   -> Story, Digest     (what a reader sees)

Every class is frozen: a stage returns new values and never edits its input.
Times are timezone-aware UTC everywhere; local time exists only in templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal, TypeVar

ContentType = Literal["text", "html", "markdown"]
NoveltyKind = Literal["new", "duplicate", "follow-up"]
Verdict = Literal["copy", "same story", "related", "different"]
T = TypeVar("T")


def pickled_by_fields(cls: type[T]) -> type[T]:
    """Pickle ``cls`` as itself and its field values, for what worker processes send back.

    A poll's workers return tens of thousands of these; a frozen slots dataclass
    pickles by default as a state list set back field by field, which takes about
    twice as long to write and to read (10,000 farm entries: 0.22 s -> 0.11 s to read).
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self: Any) -> tuple[type[T], tuple[Any, ...]]:
        return cls, tuple([getattr(self, name) for name in names])

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageHints:
    """What a source tells about the chrome around its articles (see ``monitor.chrome``).

    ``outlets`` are match keys of outlet names that may end a title (" - Reuters");
    ``template_lines`` are folded text blocks that recur across the feed's entries.
    """

    outlets: frozenset[str] = frozenset()
    template_lines: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Document:
    """One raw document as a source delivered it, before any cleaning.

    ``key`` identifies the document across runs within all sources: a corpus
    file's relative path plus a hash of its bytes, or a feed entry's guid /
    canonical link / content hash.
    """

    source_id: str
    source_name: str
    key: str
    body: str
    content_type: ContentType
    fetched_at: datetime
    url: str | None = None
    title: str | None = None
    published: datetime | None = None
    # A feed may mark an entry as backlog (older than backfill_days): it is
    # recorded as seen but never offered in a digest.
    backlog: bool = False
    hints: PageHints | None = None
    # Where ``published`` came from when it is not a feed's date, in words for
    # `monitor explain`: "the front matter's date", "the file's modification time".
    dated_by: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Extracted:
    """One story cut out of a document, with boilerplate removed.

    ``text`` holds paragraphs separated by a blank line. ``title_derived`` is
    true when the headline was made from the lead sentence because the
    document had none.
    """

    title: str
    text: str
    lang: str
    part: int
    title_derived: bool = False


@dataclass(frozen=True, slots=True)
class Extraction:
    """What extraction made of one document: its stories and what it dropped."""

    stories: tuple[Extracted, ...]
    # Human-readable notes such as "dropped 14 boilerplate lines (newsletter)"
    # or "split at photo credit before 'United Launch Alliance ...'".
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    """One story with its identity and provenance, ready to be judged."""

    id: str
    doc_key: str
    part: int
    source_id: str
    source_name: str
    url: str | None
    title: str
    text: str
    lang: str
    published: datetime
    first_seen: datetime
    backlog: bool = False


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Evidence:
    """One matched term or entity of the topic profile."""

    group: str
    term: str
    count: int
    in_title: bool
    weight: float
    # Where it counted most: "headline", "lead", "body", "list" (a list, sidebar or enumeration)
    # or "attribute" (named only to describe another subject: its backer, an earlier one).
    where: str = ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Relevance:
    """The topic score of an item in [0, 1], and why."""

    score: float
    relevant: bool
    evidence: tuple[Evidence, ...]
    reason: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Prepared:
    """The per-document work on one document (extraction, then relevance of each story).

    Made in a worker process beside parsing (``monitor.prepare``) and sent back
    as plain data; ``relevance[i]`` belongs to ``stories[i]``.
    """

    stories: tuple[Extracted, ...]
    relevance: tuple[Relevance, ...]
    notes: tuple[str, ...] = ()
    # Seconds spent extracting and scoring, for the run's stage timings.
    seconds: tuple[float, float] = (0.0, 0.0)
    # The novelty fingerprint (``Fingerprint.to_bytes``) of each relevant story, made in
    # the worker too; None for an irrelevant story, empty when not made there.
    fingerprints: tuple[bytes | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike two texts are, tier by tier, and the verdict drawn from it."""

    lexical: float  # max(Jaccard, containment) of character shingles
    semantic: float  # cosine of sentence-encoder embeddings, clipped to [0, 1]
    score: float  # fitted similarity on the human rating scale mapped to [0, 1]
    verdict: Verdict
    same_story: float = 0.0  # calibrated probability that both report one event


@dataclass(frozen=True, slots=True)
class Novelty:
    """An item's novelty against everything already seen in the window.

    ``score`` is 1.0 for a story nothing resembles and falls as the closest
    known item gets closer. ``matched`` is the id of that item for a
    duplicate or a follow-up.
    """

    kind: NoveltyKind
    score: float
    matched: str | None = None
    similarity: Similarity | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RankedItem:
    """An item with every judgement made about it, and its final rank score."""

    item: Item
    relevance: Relevance
    novelty: Novelty
    score: float


@dataclass(frozen=True, slots=True)
class Report:
    """Another report of the same story, folded under a digest entry."""

    item_id: str
    title: str
    source_name: str
    url: str | None
    verdict: str


@dataclass(frozen=True, slots=True)
class Story:
    """One digest entry: the lead report and the reports folded into it."""

    lead: RankedItem
    extract: str
    why: str
    also: tuple[Report, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """A rendered-to-be digest: the stories in order and what was left out."""

    generated_at: datetime
    stories: tuple[Story, ...]
    skipped: dict[str, int] = field(default_factory=dict)
