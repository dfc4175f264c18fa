"""Benchmark one feed poll cycle against feedparser alone, measured in the same run.

    python bench/bench_feeds.py [--feeds 1000] [--items 50] [--hosts 32]

A separate process serves N generated RSS feeds of M items each from
127.0.0.1 and its loopback siblings (127.0.0.2, ...: one "host" per address,
so the default per-host limit of 2 applies as it would to real publishers),
with ETags. Then, in this process:

- baseline: ``feedparser.parse()`` with its defaults over the same bytes, in
  one process, without network;
- cold cycle: ``monitor.sources.feeds.collect`` on an empty state (fetch,
  entity guard, parse in worker processes, sanitise), then every entry scored
  with the default topic profile (in two worker processes, since scoring is
  pure and CPU-bound), then documents and feed state stored in SQLite;
- warm cycle: the same again, where every feed answers 304 Not Modified.

Prints items/s for the baseline and the cold cycle, their ratio, and the warm
cycle's wall time; stage times go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import random
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# News prose: mostly general words, one word in twenty from the topic profile,
# so that some entries are on topic and most are not, as in a real feed.
GENERAL = str.split(
    "the of and to in for with on at by from said year market company government people city"
    " report quarter growth plan new first last week month sales team policy price shares"
    " minister election weather match season energy bank rates analysts expected according"
)
TOPICAL = str.split(
    "SoftBank Japan Japanese AI Tokyo OpenAI Fujitsu NEC Rakuten supercomputer LLM generative"
    " chip data centre investment Osaka"
)
_TAGS = re.compile(r"<[^>]+>")
_PROFILE: Any = None


def _sentence(rng: random.Random, words: int) -> str:
    chosen = (rng.choice(TOPICAL if rng.random() < 0.05 else GENERAL) for _ in range(words))
    return " ".join(chosen).capitalize() + "."


def make_feed(index: int, items: int) -> bytes:
    """A realistic RSS 2.0 feed: titles, links with tracking, guids, dates, HTML bodies."""
    rng = random.Random(index)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    entries = []
    for n in range(items):
        when = (start - timedelta(hours=n)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        paragraphs = "".join(f"<p>{_sentence(rng, 40)}</p>" for _ in range(2))
        body = f'{paragraphs}<p><a href="/read/{n}?utm_source=rss">Read more</a></p>'
        entries.append(
            f"<item><title>{_sentence(rng, 9)}</title>"
            f"<link>https://news{index % 97}.example.com/{index}/{n}?utm_source=rss</link>"
            f'<guid isPermaLink="false">{index}-{n}</guid><pubDate>{when}</pubDate>'
            f"<description><![CDATA[{body}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {index}</title><link>https://news{index}.example.com/</link>"
        f"<description>Generated</description>{''.join(entries)}</channel></rss>"
    ).encode()


# -- the server process ----------------------------------------------------------------


def _serve(feeds: int, items: int, hosts: int, ready: Any) -> None:
    """Minimal HTTP/1.1 with keep-alive and ETag revalidation, on ``hosts`` addresses."""
    bodies = [make_feed(i, items) for i in range(feeds)]
    path = re.compile(rb"^GET /feed/(\d+)\.xml ")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                match = path.match(head)
                if match is None or int(match.group(1)) >= feeds:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    continue
                index = int(match.group(1))
                etag = f'"v{index}"'.encode()
                if b"if-none-match: " + etag in head.lower():
                    writer.write(b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\n\r\n")
                    continue
                body = bodies[index]
                length = str(len(body)).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "
                    + etag
                    + b"\r\nContent-Length: "
                    + length
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve_all() -> None:
        first = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port = first.sockets[0].getsockname()[1]
        others = [
            await asyncio.start_server(handle, f"127.0.0.{n}", port, backlog=1024)
            for n in range(2, hosts + 1)
        ]
        ready.put(port)
        await asyncio.gather(first.serve_forever(), *(s.serve_forever() for s in others))

    asyncio.run(serve_all())


# -- the measured work -------------------------------------------------------------------


def baseline(bodies: list[bytes]) -> tuple[float, int]:
    """feedparser with its defaults over every body, in this one process."""
    import feedparser

    started = time.perf_counter()
    entries = sum(len(feedparser.parse(io.BytesIO(body)).entries) for body in bodies)
    return time.perf_counter() - started, entries


def _start_scorer(relevance: Any) -> None:
    global _PROFILE
    from monitor.relevance import compile_profile

    _PROFILE = compile_profile(relevance)


def _score(pairs: list[tuple[str, str]]) -> int:
    """Score (title, html) pairs with the topic profile; return how many are on topic."""
    from monitor.relevance import score

    return sum(score(_PROFILE, title, _TAGS.sub(" ", body)).relevant for title, body in pairs)


def _store(store: Any, run: Any, now: datetime) -> None:
    with store.transaction():
        store.record_feed_documents(run.documents, now)
        store.apply_feed_updates(run.updates, now)


def _cpu() -> tuple[float, float]:
    """CPU seconds used so far by this process, and by its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def cycle(settings: Any, store: Any, now: datetime) -> tuple[float, int]:
    """One poll cycle: collect, score, store. Returns (seconds, documents)."""
    from monitor.sources import feeds

    cpu_before = _cpu()
    started = time.perf_counter()
    scorer = ProcessPoolExecutor(
        2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_scorer,
        initargs=(settings.relevance,),
    )
    scorer.submit(int)  # the workers start (and import) while collect runs
    run = feeds.collect(settings, store, now)
    collected = time.perf_counter()
    pairs = [(d.title or "", d.body) for d in run.documents]
    relevant = sum(scorer.map(_score, [pairs[i : i + 1000] for i in range(0, len(pairs), 1000)]))
    scorer.shutdown()
    scored = time.perf_counter()
    _store(store, run, now)
    elapsed = time.perf_counter() - started
    own, workers = (after - before for after, before in zip(_cpu(), cpu_before, strict=True))
    print(
        f"  collect {collected - started:.2f} s, score {scored - collected:.2f} s,"
        f" store {started + elapsed - scored:.2f} s; CPU {own:.1f} s here + {workers:.1f} s"
        f" in workers; {relevant} of {len(run.documents)} entries on topic;"
        f" {len(run.problems)} problems",
        file=sys.stderr,
    )
    if run.problems:
        print(f"  first problem: {run.problems[0]}", file=sys.stderr)
    return elapsed, len(run.documents)


def _config(directory: str, feeds: int, hosts: int, port: int) -> Path:
    text = (REPO / "config.toml").read_text(encoding="utf-8")
    text = text.replace('corpus = ["seeds"]', "corpus = []")
    text = text.replace('state = "state/monitor.db"', f'state = "{directory}/bench.db"')
    for i in range(feeds):
        text += f'\n[[feeds]]\nurl = "http://127.0.0.{1 + i % hosts}:{port}/feed/{i}.xml"\n'
    path = Path(directory) / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=32, help="loopback addresses to serve from")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds; the best time of each kind is reported"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from monitor.config import load
    from monitor.store import Store

    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    server = context.Process(
        target=_serve, args=(args.feeds, args.items, args.hosts, ready), daemon=True
    )
    server.start()
    port = ready.get(timeout=120)
    try:
        bodies = [make_feed(i, args.items) for i in range(args.feeds)]
        size = sum(map(len, bodies)) / len(bodies) / 1024
        print(f"{args.feeds} feeds x {args.items} items ({size:.0f} KB each), {args.hosts} hosts")
        rounds = []
        for _ in range(args.repeat):
            base_seconds, base_items = baseline(bodies)
            with tempfile.TemporaryDirectory() as directory:  # a fresh state each round
                settings = load(_config(directory, args.feeds, args.hosts, port))
                now = datetime(2026, 3, 1, 12, tzinfo=UTC)
                with Store(settings.state) as store:
                    cold_seconds, cold_items = cycle(settings, store, now)
                    warm_seconds, warm_items = cycle(settings, store, now + timedelta(hours=1))
            rounds.append((base_seconds, cold_seconds, warm_seconds))
        base_seconds = min(r[0] for r in rounds)
        cold_seconds = min(r[1] for r in rounds)
        warm_seconds = min(r[2] for r in rounds)
    finally:
        server.terminate()
    base_rate = base_items / base_seconds
    cold_rate = cold_items / cold_seconds
    print(f"baseline, feedparser in 1 process: {base_seconds:6.2f} s {base_rate:8.0f} items/s")
    print(f"cold cycle (fetch+parse+score+store): {cold_seconds:6.2f} s {cold_rate:8.0f} items/s")
    print(f"cold / baseline: {cold_rate / base_rate:.2f}x")
    print(f"warm cycle (all 304): {warm_seconds:6.2f} s ({warm_items} entries)")


if __name__ == "__main__":
    main()
