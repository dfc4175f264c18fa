"""Commands that explain judgements: `monitor explain` and `monitor compare`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from monitor.cli_common import Context, config_option, echo_json, handle_errors, pass_context
from monitor.errors import UsageError
from monitor.store import Store, StoredJudgement
from monitor.words import plural


def _open(ctx: Context) -> Store:
    return Store(ctx.settings.state, readonly=True)


def _resolve_items(store: Store, ctx: Context, ref: str) -> list[str]:
    """Item ids for an id or a prefix of one, a corpus file, an article's URL, or words of
    its headline; several headlines matching are listed and refused."""
    from monitor.urls import canonical, is_web_url

    ref = ref.strip()
    if is_web_url(ref):
        ids = store.items_at_url(sorted({ref, canonical(ref)}))
        if not ids:
            raise UsageError(f"{ref}: no item was seen at this address")
        return ids
    if re.fullmatch(r"[0-9a-f]{4,16}", ref.lower()) and store.find_items(ref.lower()):
        return _by_id(store, ref.lower())
    path = Path(ref)
    if not path.is_file():
        ids = store.items_titled(ref)
        if len(ids) == 1:
            return ids
        if len(ids) > 1:
            click.echo(f"{plural(len(ids), 'headline')} contain {ref!r}:")
            for judged in store.judgements_of(ids):
                click.echo(f"  {item_line(judged, ctx.settings.digest.timezone)}")
            raise UsageError(f"{ref}: ambiguous; explain one of the ids above")
    if path.is_file():
        from monitor.sources import corpus
        from monitor.timeutil import utcnow

        try:
            document = corpus.read_file(path.resolve(), ctx.settings.base_dir, utcnow())
        except (OSError, ValueError) as exc:
            raise UsageError(f"{ref}: {exc}") from None
        ids = store.items_of_document(document.key)
        if not ids:
            raise UsageError(f"{ref}: not seen yet (run `monitor run-once` or `monitor preview`)")
        return ids
    return _by_id(store, ref.lower())


def _by_id(store: Store, ref: str) -> list[str]:
    ids = store.find_items(ref)
    if not ids:
        raise UsageError(
            f"{ref}: no item id, file, address or headline matches (`monitor items` lists them)"
        )
    if len(ids) > 1 and ids[0] != ref:
        raise UsageError(f"{ref}: ambiguous, it starts {len(ids)} item ids; type more of it")
    return ids[:1]


def item_line(judged: StoredJudgement, timezone: str) -> str:
    """One line for an item in a listing: id, day first seen, status, source, headline."""
    from monitor.digest import clip, local_day

    item = judged.item
    status = judged.status
    return (
        f"{item.id}  {local_day(item.first_seen, timezone)}  {status:<10}  {item.source_name}: "
        + clip(" ".join(item.title.split()), 80)
    )


def _status_line(store: Store, judged: StoredJudgement) -> str:
    status = judged.status
    if status == "irrelevant":
        return "dropped: not about the topic"
    if status == "backlog":
        return "recorded as seen, not offered: older than backfill_days when its feed was added"
    if status == "duplicate":
        lead = store.judgement(judged.story_id) if judged.story_id else None
        into = f'story {lead.item.id} "{lead.item.title}"' if lead else "an older story"
        return f"folded into {into}"
    kind = "follow-up to an earlier story" if status == "follow-up" else "a new story"
    return f"kept: {kind}"


def _digest_line(store: Store, judged: StoredJudgement) -> str:
    if judged.story_id is None:
        return "never offered"
    placed = store.story_digest(judged.story_id)
    if placed is None:
        return "waiting for the next digest"
    digest_id, status = placed
    return f"in digest {digest_id} ({'sent' if status == 'sent' else 'waiting in the outbox'})"


@click.command()
@config_option
@click.argument("item")
@pass_context
@handle_errors
def explain(ctx: Context, item: str) -> None:
    """Say why ITEM was kept, dropped or folded.

    ITEM is an item id (or its start, as the digest prints it), a corpus file, the
    article's URL, or words from its headline (several matches are listed).
    """
    from monitor import codec
    from monitor.pipeline import DATED_BY
    from monitor.sources import corpus
    from monitor.timeutil import minute_text

    if not item.strip():
        raise UsageError("explain: give an id (from `preview --format json`) or a corpus file")
    with _open(ctx) as store:
        for position, item_id in enumerate(_resolve_items(store, ctx, item)):
            judged = store.judgement(item_id)
            assert judged is not None
            entry = judged.item
            if position:
                click.echo("")
            click.echo(f"item {entry.id}: {entry.title}")
            click.echo(
                f"  source:     {entry.source_name} (story {entry.part + 1} of its document)"
            )
            if entry.url:
                click.echo(f"  link:       {entry.url}")
            if shown := corpus.file_of(entry.doc_key):
                click.echo(f"  file:       {shown}")
            notes = (store.document_notes(entry.doc_key) or "").splitlines()
            dated = next((n[len(DATED_BY) :] for n in notes if n.startswith(DATED_BY)), None)
            published = minute_text(entry.published)
            click.echo(f"  published:  {published}" + (f", from {dated}" if dated else ""))
            click.echo(f"  verdict:    {_status_line(store, judged)}")
            relevance = codec.relevance_from_json(judged.relevance_json)
            click.echo(f"  relevance:  {relevance.score:.2f}: {relevance.reason}")
            if judged.novelty_json:
                novelty = codec.novelty_from_json(judged.novelty_json)
                click.echo(f"  novelty:    {novelty.score:.2f} {novelty.kind}: {novelty.reason}")
            click.echo(f"  digest:     {_digest_line(store, judged)}")
            for line in notes:
                if not line.startswith(DATED_BY):
                    click.echo(f"  extraction: {line}")


def _text_of(store: Store | None, ctx: Context, ref: str) -> tuple[str, str, str]:
    """(label, title, text) for a file or an item id."""
    path = Path(ref)
    if path.is_file():
        from monitor.extract import extract
        from monitor.sources import corpus
        from monitor.timeutil import utcnow

        try:
            document = corpus.read_file(path.resolve(), path.resolve().parent, utcnow())
        except (OSError, ValueError) as exc:
            raise UsageError(f"{ref}: {exc}") from None
        extraction = extract(document.body, document.content_type, document.title)
        title, text = _joined(extraction) or ("", "")
        return ref, title, text
    if store is None:
        raise UsageError(f"{ref}: no such file")
    ids = _resolve_items(store, ctx, ref)
    judged = store.judgement(ids[0])
    assert judged is not None
    return (f"item {judged.item.id}", judged.item.title, judged.item.text)


def _joined(extraction: Any) -> tuple[str, str] | None:
    stories = extraction.stories
    if not stories:
        return None
    return stories[0].title, "\n\n".join(s.text for s in stories)


def _compare_texts(pairs: list[tuple[tuple[str, str], tuple[str, str]]]) -> list[Any]:
    from monitor import novelty

    encoder = novelty.Encoder()
    flat = [text for pair in pairs for text in pair]
    prints = novelty.fingerprint_texts(flat, encoder)
    return [novelty.compare(prints[2 * i], prints[2 * i + 1]) for i in range(len(pairs))]


def _as_json(similarity: Any) -> dict[str, Any]:
    return {
        "similarity": round(float(similarity.score), 4),
        "same_story": round(float(similarity.same_story), 4),
        "verdict": similarity.verdict,
        "lexical": round(float(similarity.lexical), 4),
        "semantic": round(float(similarity.semantic), 4),
    }


@click.command()
@config_option
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--json", "as_json", is_flag=True, help='Print {"similarity": ..., "verdict": ...}.')
@click.option(
    "--pairs",
    type=click.Path(dir_okay=False, allow_dash=True),
    help='JSON Lines of {"a": text, "b": text}; prints one JSON result per line.',
)
@pass_context
@handle_errors
def compare(ctx: Context, a: str | None, b: str | None, as_json: bool, pairs: str | None) -> None:
    """Compare two articles (files or item ids): similarity figures and the verdict.

    The verdict is one of: copy, same story, related, different.
    """
    if pairs and (a or b):
        raise UsageError("compare takes two articles or --pairs FILE, not both")
    if pairs:
        _compare_pairs(pairs)
        return
    if not a or not b:
        raise UsageError("compare needs two articles (files or item ids), or --pairs FILE")
    store = None
    if not (Path(a).is_file() and Path(b).is_file()):
        store = _open(ctx)
    try:
        label_a, title_a, text_a = _text_of(store, ctx, a)
        label_b, title_b, text_b = _text_of(store, ctx, b)
    finally:
        if store is not None:
            store.close()
    for label, text in ((label_a, text_a), (label_b, text_b)):
        if not text.strip():
            raise UsageError(f"{label}: no article text found")
    (similarity,) = _compare_texts([((title_a, text_a), (title_b, text_b))])
    if as_json:
        echo_json(_as_json(similarity))
        return
    click.echo(f"A: {label_a}: {title_a}")
    click.echo(f"B: {label_b}: {title_b}")
    click.echo(
        f"  lexical    {similarity.lexical:.3f} (character 7-grams: max of Jaccard, containment)"
    )
    click.echo(f"  semantic   {similarity.semantic:.3f} (sentence-encoder cosine, headline + lead)")
    click.echo(
        f"  similarity {similarity.score:.3f} (fitted to human ratings, 0 unrelated .. 1 same)"
    )
    click.echo(f"  same story {similarity.same_story:.3f} (probability that both report one event)")
    click.echo(f"  verdict    {similarity.verdict}")


def _compare_pairs(source: str) -> None:
    from monitor.extract import extract

    try:
        handle = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
        with handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{source}: cannot read: {exc}") from None
    results: list[dict[str, Any] | None] = []
    todo: list[tuple[tuple[str, str], tuple[str, str]]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            texts = [record["a"], record["b"]]
            if not all(isinstance(t, str) for t in texts):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            click.echo(
                f'monitor: warning: {source}:{number}: expected {{"a": text, "b": text}}', err=True
            )
            results.append({"error": f'line {number}: expected {{"a": text, "b": text}}'})
            continue
        pair = tuple(_joined(extract(t, "text")) or ("", t) for t in texts)
        todo.append((pair[0], pair[1]))
        results.append(None)
    computed = iter(_compare_texts(todo)) if todo else iter(())
    for result in results:
        out = result if result is not None else _as_json(next(computed))
        click.echo(json.dumps(out, ensure_ascii=False))
    if not todo:
        # Nothing was compared: a script reading the output must not take it for success.
        raise UsageError(
            f"{source}: no valid line ({len(results)} invalid)"
            if results
            else f'{source}: no lines of {{"a": text, "b": text}}'
        )
