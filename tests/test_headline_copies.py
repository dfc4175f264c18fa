"""An aggregator's headline-only entry is a copy of the report it carries, whichever comes first.

Fixture feeds written here: a publisher with full reports, an aggregator whose
entries hold only "Headline - Outlet". Served on 127.0.0.1 and judged by a real
``monitor preview``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest_feeds import FeedServer, channel, feed_server

from monitor.headlines import HeadlineIndex

__all__ = ["feed_server"]  # fixture, used by name

AS_OF = datetime(2026, 8, 20, 12, 0, tzinfo=UTC)
HEADLINES = [
    "Japan's exports jump 23% to monthly record in July as AI chip shipments surge",
    "SoftBank Group weighs bond sale to fund its OpenAI investment",
    "Fujitsu and RIKEN unveil a Japanese large language model for hospitals",
]
LEADS = [
    "TOKYO: Shipments abroad hit a monthly high, underscoring resilient global demand and"
    " offering support to an economy increasingly reliant on overseas sales to counter weak"
    " domestic consumption. The figures follow separate data this week showing the economy"
    " expanded for a third consecutive quarter in April-June, and could support the case for the"
    " central bank to keep normalising monetary policy as soon as September, analysts said.",
    "The conglomerate founded by Masayoshi Son has held early talks with banks about a"
    " multi-tranche offering aimed at retail investors, according to people familiar with the"
    " matter, who asked not to be identified because the discussions are private. The group has"
    " committed tens of billions of dollars to the ChatGPT maker and to data centres in the"
    " United States, stretching a balance sheet that credit analysts already watch closely.",
    "The model, trained on anonymised records from partner institutions on the Fugaku"
    " supercomputer, drafts discharge summaries and answers clinicians' questions in Japanese,"
    " the partners told reporters in Kobe. Trials will start at three university hospitals in"
    " October, and the system will be offered to other medical groups next year, a spokesperson"
    " said, adding that patient data never leaves the hospitals' own servers.",
]


def _date(hours_before: float) -> str:
    return (AS_OF - timedelta(hours=hours_before)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _publisher() -> bytes:
    return channel(
        "Example Wire",
        "".join(
            f"<item><title>{title}</title><link>https://wire.example/{n}</link>"
            f"<pubDate>{_date(3)}</pubDate><description>{lead}</description></item>"
            for n, (title, lead) in enumerate(zip(HEADLINES, LEADS, strict=True))
        ),
    )


def _aggregator() -> bytes:
    outlets = ["Example Wire", "Example Wire", "Other Paper", "Example Wire", "Other Paper"]
    titles = [*HEADLINES, "Yen slips against the dollar", "Nikkei ends higher"]
    return channel(
        "Aggregator News",
        "".join(
            f"<item><title>{title} - {outlet}</title><link>https://agg.example/{n}</link>"
            f"<pubDate>{_date(2)}</pubDate><description>{title}&amp;nbsp;{outlet}</description>"
            "</item>"
            for n, (title, outlet) in enumerate(zip(titles, outlets, strict=False))
        ),
    )


def _preview(cli: object, project: Path, urls: list[str]) -> list[dict[str, object]]:
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('corpus = ["seeds"]', "corpus = []")
        + "".join(f'\n[[feeds]]\nurl = "{url}"\n' for url in urls),
        encoding="utf-8",
    )
    result = cli("preview", "--format", "json", "--as-of", AS_OF.isoformat())  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["stories"]


def test_headline_only_copies_fold_under_the_full_report_in_either_order(
    feed_server: FeedServer, project: Path, cli: object
) -> None:
    for order in ("aggregator first", "publisher first"):
        for path in (f"/{order[0]}-agg.xml", f"/{order[0]}-pub.xml"):
            feed_server.static(path, _aggregator() if "agg" in path else _publisher())
        agg, pub = feed_server.url(f"/{order[0]}-agg.xml"), feed_server.url(f"/{order[0]}-pub.xml")
        urls = [agg, pub] if order == "aggregator first" else [pub, agg]
        stories = _preview(cli, project, urls)
        by_title = {s["title"]: s for s in stories}
        assert sorted(by_title) == sorted(HEADLINES), order
        for story in stories:
            assert [a["title"] for a in story["also"]] == [story["title"]], order  # type: ignore[union-attr]
            # The report with text leads; the aggregator's copy is folded under it.
            assert str(story["url"]).startswith("https://wire.example/"), order


def test_a_headline_matches_within_a_day_only_and_needs_a_headline_only_side() -> None:
    index = HeadlineIndex()
    title = "Japan's exports jump 23% to monthly record in July"
    full = "Japan's exports hit a monthly record in July, data showed on Thursday."
    index.add("full", title, full, AS_OF)
    # The aggregator's copy, an hour later, with the outlet-free headline as its text.
    assert index.match(title.upper() + "!", title, AS_OF + timedelta(hours=1)) == "full"
    # Another day's report under the same words is another story.
    assert index.match(title, title, AS_OF + timedelta(hours=30)) is None
    # Two full reports: the novelty model decides, not the headline.
    assert index.match(title, "A different lead about the same headline.", AS_OF) is None
    # A short headline ("Nikkei ends higher") is too common to mean one report.
    index.add("short", "Nikkei ends higher", "Nikkei ends higher", AS_OF)
    assert index.match("Nikkei ends higher", "Nikkei ends higher", AS_OF) is None


def test_one_report_in_two_feeds_of_one_poll_is_one_story(
    feed_server: FeedServer, project: Path, cli: object
) -> None:
    # Two feeds carrying the same entries (the same links): the second copy of each is a
    # document the pass has just stored, whose relevant story is judged in the same pass.
    feed_server.static("/wire.xml", _publisher())
    feed_server.static("/mirror.xml", _publisher())
    stories = _preview(cli, project, [feed_server.url("/wire.xml"), feed_server.url("/mirror.xml")])
    assert sorted(s["title"] for s in stories) == sorted(HEADLINES)
