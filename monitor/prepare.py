"""Per-document work, where the cores are: extraction and relevance in worker processes.

Extraction, segmentation and relevance are pure functions of one document, so
they run in the same worker processes that parse the feeds (one pool for the
corpus and the feeds, see :class:`Workers`), and come back as frozen
:class:`~monitor.model.Prepared` values. The main process keeps the network,
the store and the novelty pass; it never extracts a feed entry itself unless
there is no pool (few documents, or one core).

The topic profile is compiled once per worker (the pool's initializer), not
sent with every task. Workers also fingerprint the relevant stories for the
novelty stage (the sentence encoder is most of a cold run's CPU), each with
its own encoder loaded from the shared cache directory: once every feed is
parsed, in chunks of stories of similar length (the encoder's per-batch cost
is then shared) and only for documents not judged before (an entry a feed
still lists at every poll is not encoded again at every poll).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from monitor import chrome
from monitor.extract import detect_language, extract, html_to_text
from monitor.model import ContentType, Document, Extracted, PageHints, Prepared
from monitor.relevance import Profile, compile_profile
from monitor.relevance import score as relevance_score
from monitor.relevance_reasons import nothing_named
from monitor.settings import RelevanceSettings

log = logging.getLogger("monitor.prepare")
WORKERS = 2
# Below this many documents (or feeds) worker start-up (~0.3 s) costs more than it saves.
POOL_MIN_DOCUMENTS = 200
# Relevant stories per fingerprinting task (one encoder call in a worker).
FINGERPRINT_CHUNK = 32
T = TypeVar("T")

_PROFILE: Profile | None = None  # the worker's compiled profile (set by _init)
_CACHE_DIR: Path | None = None  # where the worker's encoder finds its cache (set by _init)
_ENCODER: Any = None  # the worker's encoder, loaded on its first relevant story
_WARMING: threading.Thread | None = None  # this process's head start on the novelty stage
_WARMING_LOCK = threading.Lock()


def prepare(
    profile: Profile,
    body: str,
    content_type: ContentType,
    title: str | None,
    hints: PageHints | None = None,
    weight: float = 1.0,
    *,
    gate: bool = True,
) -> Prepared:
    """Extract the stories of one document and score each for relevance.

    An HTML document that names nothing of the profile, in its title or in any
    of its text, is one irrelevant story without extraction (``gate=False``
    extracts it all the same, for the tests that compare the two).
    """
    started = time.perf_counter()
    if gate and (unnamed := _names_nothing(profile, body, content_type, title, hints)):
        return replace(unnamed, seconds=(time.perf_counter() - started, 0.0))
    extraction = extract(body, content_type, title, hints)
    extracted = time.perf_counter()
    relevance = tuple(
        relevance_score(profile, story.title, story.text, weight) for story in extraction.stories
    )
    return Prepared(
        extraction.stories,
        relevance,
        extraction.notes,
        (extracted - started, time.perf_counter() - extracted),
    )


# The note on a document prepared without extraction (``monitor explain``).
UNNAMED_NOTE = "not extracted: it names no term or name of the topic profile"


def _names_nothing(
    profile: Profile,
    body: str,
    content_type: ContentType,
    title: str | None,
    hints: PageHints | None,
) -> Prepared | None:
    """The one irrelevant story of an HTML document naming nothing of the profile, or None.

    Most entries of a general news feed name nothing of the topic: for them the
    extraction (chrome, boilerplate, segmentation: ~0.15 ms an entry) cannot
    change the verdict, since it only removes text from what ``html_to_text``
    gives, and the profile is matched on that text with its lines joined. So
    such an entry is one irrelevant story with its whole text. A document with
    no title or no text, or that is not HTML, is extracted as before.
    """
    title = (title or "").strip()
    if content_type != "html" or not title:
        return None
    text = html_to_text(body)
    if not text or profile.names_anything(title, " ".join(text.split())):
        return None
    headline, note = chrome.clean_title(title, hints)
    story = Extracted(headline, text, detect_language(text), 0, False)
    notes = (note, UNNAMED_NOTE) if note else (UNNAMED_NOTE,)
    return Prepared((story,), (nothing_named(profile),), notes)


def prepare_document(profile: Profile, document: Document, weight: float = 1.0) -> Prepared:
    """:func:`prepare` for a whole :class:`~monitor.model.Document`."""
    return prepare(
        profile, document.body, document.content_type, document.title, document.hints, weight
    )


def worker_profile() -> Profile:
    """The profile compiled in this worker process (only inside a :class:`Workers` pool)."""
    assert _PROFILE is not None, "worker_profile() outside a Workers pool"
    return _PROFILE


# How often a worker checks that the process which started it is still there.
ORPHAN_CHECK_SECONDS = 1.0


def _exit_when_orphaned(parent: int) -> None:
    """End this worker once its parent is gone (SIGKILLed: no pool shutdown ever comes).

    The kernel hands an orphan to init or a subreaper, so the parent pid changes.
    Polled rather than PR_SET_PDEATHSIG: that signal follows the parent *thread*
    that started the worker, and pools are started from the daemon's job threads.
    """
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(1)


def start_method() -> str:
    """How worker processes start: ``fork`` where this process runs one thread, else ``spawn``.

    A forked worker starts in milliseconds with every module this process has
    imported (a spawned one imports them again, ~0.3 s of CPU each) and ends with
    ``os._exit``, so nothing it inherited (the store's connection) is closed or
    flushed by it. Forking a process with other threads (the scheduler's jobs, an
    event loop's resolver) could copy a lock one of them holds, so such a process
    spawns. The count is the kernel's (``/proc/self/task``): native threads too.
    """
    try:
        threads = len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: not Linux
        return "spawn"
    return "fork" if threads == 1 else "spawn"


def _init(settings: RelevanceSettings, cache_dir: Path | None) -> None:
    global _PROFILE, _CACHE_DIR
    threading.Thread(
        target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True
    ).start()
    _PROFILE = compile_profile(settings)
    _CACHE_DIR = cache_dir


def fingerprint_chunk(texts: Sequence[tuple[str, str]], views: bool = True) -> list[bytes]:
    """In a worker: the fingerprints (``Fingerprint.to_bytes``) of these (title, text) stories,
    without their encoder views if not ``views`` (``novelty.fingerprint_texts``).

    All of them go to the encoder in one call: its forward pass costs ~4 ms per
    micro-batch of up to 384 tokens besides the tokens themselves, so a story
    encoded on its own (one feed's one relevant entry) pays that ~4 ms alone.
    """
    from monitor import novelty

    global _ENCODER
    if _ENCODER is None:
        _ENCODER = novelty.Encoder(cache_dir=_CACHE_DIR)
    return [fp.to_bytes() for fp in novelty.fingerprint_texts(texts, _ENCODER, views)]


def warm_novelty() -> None:
    """Start loading the novelty stage in a background thread, once per process.

    Called as soon as a worker returns a relevant story, so the judge pass
    will need it: numpy, the index and the fitted model (``novelty.warm_up``,
    ~0.1-0.2 s) then load while this process waits on the network and the
    workers rather than at the start of the judge pass.
    """
    global _WARMING
    with _WARMING_LOCK:
        if _WARMING is None:
            # Not a daemon thread: interpreter shutdown must not stop it in an import.
            _WARMING = threading.Thread(target=_warm, name="monitor-warm-novelty")
            _WARMING.start()


def _warm() -> None:
    try:
        from monitor import novelty

        novelty.warm_up()
    except Exception:  # only a head start: the judge pass loads what it needs anyway
        log.debug("warming the novelty stage failed", exc_info=True)


def _holds_relevant(result: object) -> bool:
    """Whether a worker's result (a Prepared, or a tuple holding them) has a relevant story."""
    parts = result if isinstance(result, tuple) else (result,)
    for part in parts:
        for prepared in part if isinstance(part, tuple) else (part,):
            if isinstance(prepared, Prepared) and any(r.relevant for r in prepared.relevance):
                return True
    return False


def _note_result(future: Future[Any]) -> None:
    if not future.cancelled() and future.exception() is None and _holds_relevant(future.result()):
        warm_novelty()


def _prepare_in_worker(document: Document, weight: float) -> Prepared:
    return prepare_document(worker_profile(), document, weight)


class PendingFingerprints:
    """Fingerprints being made in the pool (:meth:`Workers.start_fingerprints`).

    ``positions`` are the (document, story) indexes they are for; ``wait``
    gives each one's ``Fingerprint.to_bytes``, or none if a worker died (the
    judge pass then makes them itself).
    """

    def __init__(
        self,
        wanted: dict[tuple[str, str], list[tuple[int, int]]],
        chunks: list[tuple[list[tuple[str, str]], Future[list[bytes]]]],
    ) -> None:
        self._wanted = wanted
        self._chunks = chunks
        self.positions = frozenset(at for ats in wanted.values() for at in ats)
        self._made: dict[tuple[int, int], bytes] | None = None

    def wait(self) -> dict[tuple[int, int], bytes]:
        """The fingerprints by (document, story) index, once every chunk is made."""
        if self._made is None:
            self._made = {}
            try:
                for texts, future in self._chunks:
                    for story, blob in zip(texts, future.result(), strict=True):
                        self._made.update((at, blob) for at in self._wanted[story])
            except BrokenProcessPool:
                log.warning("a worker process died; fingerprinting in this process")
                self._made = {}
        return self._made

    def fill(self, prepared: Sequence[Prepared | None]) -> list[Prepared | None]:
        """``prepared`` with each document's fingerprints in its ``fingerprints``."""
        out = list(prepared)
        made = self.wait()
        for i in {i for i, _ in made}:
            ready = out[i]
            assert ready is not None
            prints = tuple(made.get((i, j)) for j in range(len(ready.stories)))
            out[i] = replace(ready, fingerprints=prints)
        return out


class Workers:
    """A pool of worker processes for per-document work, started when enough work asks.

    ``submit(fn, *args)`` runs a module-level function in a worker, where
    :func:`worker_profile` gives the compiled profile; without a pool (little
    work, one core) callers use ``profile`` and work in this process.
    """

    def __init__(self, settings: RelevanceSettings, cache_dir: Path | None = None) -> None:
        self.settings = settings
        self.cache_dir = cache_dir
        self._local: Profile | None = None
        self.pool: Executor | None = None
        self._refused = False  # the system gave no worker processes: asked once only
        self._pending: list[Future[list[bytes]]] = []  # fingerprint chunks under way
        self._forked = False  # the pool's workers are forked (see start_method)
        self._launched = False

    def want(self, tasks: int, minimum: int) -> bool:
        """Start the pool (once) if ``tasks`` reaches ``minimum``; True when there is one."""
        if (
            self.pool is None
            and not self._refused
            and tasks >= minimum
            and (os.cpu_count() or 1) >= 2
        ):
            context = multiprocessing.get_context(start_method())
            try:
                self.pool = ProcessPoolExecutor(
                    max_workers=WORKERS, mp_context=context, initializer=_init,
                    initargs=(self.settings, self.cache_dir),
                )  # fmt: skip
                self._forked = context.get_start_method() == "fork"
                log.debug("%d worker processes, started by %s", WORKERS, context.get_start_method())
            except (OSError, NotImplementedError) as exc:
                self._refused = True
                log.debug("no worker processes (%s); working in this process", exc)
        return self.pool is not None

    def start(self, tasks: int, minimum: int) -> bool:
        """:meth:`want`, and with forked workers launch them now, while this process may
        still have one thread: a fork pool forks at its first task (Python 3.11), and
        a poll's first task comes when the event loop may have started resolver threads."""
        if not self.want(tasks, minimum):
            return False
        if self._forked and not self._launched:
            self._launched = True
            self.pool.submit(os.getpid)  # type: ignore[union-attr]
        return True

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the pool; fingerprints still being made are finished first, without waiting."""
        if self.pool is not None:
            if any(not future.done() for future in self._pending):
                # Their futures complete, then the processes end (PendingFingerprints.wait).
                self.pool.shutdown(wait=False, cancel_futures=False)
            else:
                self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self._pending = []

    @property
    def profile(self) -> Profile:
        """The profile compiled in this process (for work done here)."""
        if self._local is None:
            self._local = compile_profile(self.settings)
        return self._local

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Start ``fn(*args)`` in a worker; a pool that cannot take it raises BrokenProcessPool."""
        assert self.pool is not None
        future = self.pool.submit(fn, *args)
        if _WARMING is None:
            future.add_done_callback(_note_result)
        return future

    def start_fingerprints(
        self,
        keys: Sequence[str],
        prepared: Sequence[Prepared | None],
        known: Collection[str] = frozenset(),
        backlog: Sequence[bool] | None = None,
    ) -> PendingFingerprints:
        """Start making the novelty fingerprints of the relevant stories in the pool, in chunks.

        ``keys[i]`` is the document key of ``prepared[i]``; documents in ``known``
        (judged before) and repeats of a key are left without: the judge pass
        never fingerprints them. Returns at once: this process meanwhile does its
        share of the judge pass (the store's reads, the irrelevant stories' records)
        and waits only where the fingerprints are needed. Without a pool, or if it
        breaks, the judge pass makes the missing fingerprints itself.

        ``backlog[i]`` says that document ``i`` is backlog (older than a first poll's
        backfill). When every story to fingerprint is backlog, none gets its encoder
        views and no worker loads the encoder: no story of this pass is judged, so nothing
        is compared with them now; the views are added (``fingerprint.with_views``) only
        when a later pass judges a story against them.
        """
        wanted: dict[tuple[str, str], list[tuple[int, int]]] = {}
        seen: set[str] = set(known)
        views = backlog is None
        for i, (key, ready) in enumerate(zip(keys, prepared, strict=True)):
            if ready is None or key in seen:
                continue
            seen.add(key)
            for j, rel in enumerate(ready.relevance):
                if rel.relevant:
                    story = ready.stories[j]
                    # One fingerprint for the same text in several documents (one wire story
                    # under two feeds' links): it is a function of the headline and text alone.
                    wanted.setdefault((story.title, story.text), []).append((i, j))
                    views = views or not backlog[i]  # type: ignore[index]
        if not wanted or self.pool is None:
            return PendingFingerprints({}, [])
        # Similar lengths together (the encoder pads nothing, but batches by tokens), and
        # chunks big enough to share the encoder's per-batch cost, on every worker.
        texts = sorted(wanted, key=lambda story: len(story[1]))
        size = max(1, min(FINGERPRINT_CHUNK, -(-len(texts) // WORKERS)))
        chunks = [texts[k : k + size] for k in range(0, len(texts), size)]
        # Longest first: the last chunk a worker takes is then a short one, and the other
        # worker is not left idle while it finishes the longest texts.
        chunks.reverse()
        try:
            futures = [self.pool.submit(fingerprint_chunk, chunk, views) for chunk in chunks]
        except BrokenProcessPool:
            log.warning("a worker process died; fingerprinting in this process")
            return PendingFingerprints({}, [])
        # A pool kept across polls (a daemon's) forgets what is done.
        self._pending = [f for f in self._pending if not f.done()] + futures
        return PendingFingerprints(
            wanted, [(chunk, future) for chunk, future in zip(chunks, futures, strict=True)]
        )

    def fingerprint(
        self,
        keys: Sequence[str],
        prepared: Sequence[Prepared | None],
        known: Collection[str] = frozenset(),
        backlog: Sequence[bool] | None = None,
    ) -> list[Prepared | None]:
        """``prepared`` with the fingerprints of :meth:`start_fingerprints`, once all are made."""
        return self.start_fingerprints(keys, prepared, known, backlog).fill(prepared)

    def prepare_all(
        self, documents: Sequence[Document], weights: Sequence[float]
    ) -> list[Prepared]:
        """Prepare every document, in the pool when there is one and it is worth it."""
        if self.want(len(documents), POOL_MIN_DOCUMENTS):
            try:
                chunk = max(1, len(documents) // (4 * WORKERS))
                out = []
                for ready in self.pool.map(_prepare_in_worker, documents, weights, chunksize=chunk):
                    if _WARMING is None and _holds_relevant(ready):
                        warm_novelty()
                    out.append(ready)
                return out
            except BrokenProcessPool:
                log.warning("a worker process died; preparing documents in this process")
        profile = self.profile
        return [prepare_document(profile, d, w) for d, w in zip(documents, weights, strict=True)]
