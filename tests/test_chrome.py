"""Page chrome and outlet suffixes leave the headline and the lead before anything is judged.

Fixture feeds are written here in the shapes real ones take: an aggregator whose
titles end in the outlet (Google News style, with headline-only descriptions), a
Japanese portal stacking two credits, a publisher page that wraps every entry in
the same header block, share buttons and sign-up prompts. Nothing names a site
the rules know: the outlet names come from the feeds themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest_feeds import FeedServer, channel, feed_server

from monitor import chrome, headlines
from monitor.extract import extract
from monitor.sources.feedparse import ParsedFeed, parse_feed

__all__ = ["feed_server"]  # fixture, used by name


def _item(title: str, link: str, description: str, extra: str = "") -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        "<pubDate>Sun, 01 Mar 2026 12:00:00 GMT</pubDate>"
        f"<description>{description}</description>{extra}</item>"
    )


def _parse(body: bytes) -> ParsedFeed:
    return parse_feed(body, url="https://feeds.example/x.xml", content_type=None, source_id="s")


def _stories(parsed: ParsedFeed) -> list[tuple[str, str]]:
    out = []
    for entry in parsed.entries:
        (story,) = extract(entry.body, "html", entry.title, entry.hints).stories
        out.append((story.title, story.text))
    return out


AGGREGATOR_TITLES = [
    ("Japan's exports jump 23% to monthly record in July", "Reuters"),
    ("Japan’s Exports Grow at Fastest Pace Since 2022 on Chips", "Bloomberg.com"),
    ("Toyota to build battery plant in Fukuoka", "The Japan Times"),
    ("Yen slips as traders weigh BOJ signals", "Reuters"),
    ("Kioxia shares surge on AI memory demand", "Nikkei Asia"),
    ("SoftBank bonds rally after earnings", "Reuters"),
]


def _aggregator() -> bytes:
    items = "".join(
        _item(
            f"{headline} - {outlet}",
            f"https://news.aggregator.example/articles/{n}",
            # The aggregator's description: the headline again, then the outlet.
            f"{headline}&amp;nbsp;&amp;nbsp;{outlet}",
        )
        for n, (headline, outlet) in enumerate(AGGREGATOR_TITLES)
    )
    return channel('"Japan" - Aggregator News', items)


def test_an_aggregators_outlet_suffixes_leave_title_and_text() -> None:
    stories = _stories(_parse(_aggregator()))
    assert [title for title, _ in stories] == [headline for headline, _ in AGGREGATOR_TITLES]
    # A headline-only entry's text is its headline, without the outlet after it.
    assert [text for _, text in stories] == [headline for headline, _ in AGGREGATOR_TITLES]


def test_a_japanese_portal_title_loses_both_credits() -> None:
    items = "".join(
        _item(f"{headline}（ロイター） - Yahoo!ニュース", f"https://portal.example/a/{n}", headline)
        for n, headline in enumerate(
            [
                "貿易収支、7月は6345億円の赤字",
                "日経平均は反発、半導体株が高い",
                "キオクシア、AI向け新工場",
            ]
        )
    )
    titles = [title for title, _ in _stories(_parse(channel("Yahoo!ニュース", items)))]
    assert titles == [
        "貿易収支、7月は6345億円の赤字",
        "日経平均は反発、半導体株が高い",
        "キオクシア、AI向け新工場",
    ]


def test_a_syndicated_reports_text_loses_both_credits_and_is_headline_only() -> None:
    # An aggregator pool listing a portal's copy of a wire report: the title reads
    # "Headline（Wire） - Portal", the description "Headline（Wire）  Portal". The text is
    # the headline, so the same-headline copy rule can fold it under the wire's report.
    syndicated = [
        ("鉱工業生産、10月は2.1%上昇 半導体装置がけん引", "時事通信"),
        ("東証、半導体株に買い AI需要の拡大期待で", "共同"),
    ]
    items = (
        "".join(
            _item(
                f"{headline}（{wire}） - ポータル!ニュース",
                f"https://news.aggregator.example/ja/{n}",
                f"{headline}（{wire}）&amp;nbsp;&amp;nbsp;ポータル!ニュース",
                "<source url='https://portal.example/'>ポータル!ニュース</source>",
            )
            for n, (headline, wire) in enumerate(syndicated)
        )
        + "".join(
            _item(
                f"{headline} - {outlet}",
                f"https://news.aggregator.example/ja/o{n}",
                f"{headline}&amp;nbsp;&amp;nbsp;{outlet}",
            )
            for n, (headline, outlet) in enumerate(
                [
                    ("日銀、利上げを見送り", "経済日報"),
                    ("円相場、一時150円台", "経済日報"),
                    ("キオクシア、新工場の稼働前倒し", "テック新聞"),
                ]
            )
        )
        + _item(
            # A bracket followed by more of the report is text, not credits.
            "日銀総裁会見、追加利上げに含み - 経済日報",
            "https://news.aggregator.example/ja/x",
            "日銀総裁会見、追加利上げに含み（要旨） 年内の判断は経済指標次第と述べた",
        )
    )
    stories = _stories(_parse(channel("ニュース・プール", items)))
    for (title, text), (headline, _) in zip(stories, syndicated, strict=False):
        assert (title, text) == (headline, headline)
        assert headlines.headline_only(title, text)
    assert stories[-1] == (
        "日銀総裁会見、追加利上げに含み",
        "日銀総裁会見、追加利上げに含み（要旨） 年内の判断は経済指標次第と述べた",
    )
    assert not headlines.headline_only(*stories[-1])


def test_a_publishers_own_name_and_source_element_are_outlets() -> None:
    items = _item(
        "Rapidus wins more state funding | Wire Service",
        "https://wire.example/rapidus",
        "&lt;p&gt;Japan earmarked another 150 billion yen for Rapidus on Friday, officials"
        " said.&lt;/p&gt;",
    ) + _item(
        "Fujifilm expands chip materials - Daily Ledger",
        "https://hub.example/fujifilm",
        "&lt;p&gt;Fujifilm said it would expand output of chip materials for AI demand.&lt;/p&gt;",
        "<source url='https://ledger.example/rss'>Daily Ledger</source>",
    )
    titles = [title for title, _ in _stories(_parse(channel("Wire Service: Technology", items)))]
    assert titles == ["Rapidus wins more state funding", "Fujifilm expands chip materials"]


def test_a_headline_that_ends_in_a_clause_keeps_it() -> None:
    outlets = chrome.outlet_keys(["Example Times"])
    for title in (
        "Nikkei hits record - what it means for the yen",
        "Sony and Honda - a partnership tested",
        "トヨタ、新型EVを発表（動画）",
        "Exports rise - Handelsbilanz mit Rekordüberschuss.",
    ):
        assert chrome.strip_title(title, outlets) == (title, [])


PUBLISHER_HEAD = (
    "&lt;p&gt;Business&lt;/p&gt;"
    "&lt;p&gt;{caption} REUTERS/Kim Hong-Ji/File Photo&lt;/p&gt;"
    "&lt;p&gt;21 Aug 2026 10:07AM (Updated: 21 Aug 2026 10:20AM)&lt;/p&gt;"
    "&lt;p&gt;Bookmark&lt;/p&gt;&lt;p&gt;WhatsApp&lt;/p&gt;&lt;p&gt;Telegram&lt;/p&gt;"
    "&lt;p&gt;Facebook&lt;/p&gt;&lt;p&gt;LinkedIn&lt;/p&gt;"
    "&lt;p&gt;Set Example News as your preferred source on search engines&lt;/p&gt;"
    "&lt;p&gt;Add Example News as a trusted source to help search engines better understand"
    " and surface our content in their results.&lt;/p&gt;"
    "&lt;p&gt;Read a summary of this article on QUICK.&lt;/p&gt;"
    "&lt;p&gt;Get bite-sized news via a new cards interface. Give it a try.&lt;/p&gt;"
    "&lt;p&gt;Click here to return to QUICK Tap here to return to QUICK&lt;/p&gt;"
    "&lt;p&gt;QUICK&lt;/p&gt;"
)
LEADS = [
    (
        "SoftBank to invest $40 billion in OpenAI",
        "A SoftBank logo is seen at a shop in Tokyo.",
        "TOKYO, Aug 21 : SoftBank Group will invest $40 billion in OpenAI, the company said on"
        " Friday, its largest bet yet on artificial intelligence.",
    ),
    (
        "Kakao to spin off its chat platform",
        "The Kakao logo is pictured.",
        "SEOUL, Aug 21 : South Korea's Kakao Corp said on Friday it plans to spin off its chat"
        " app-based platform business into a new company.",
    ),
    (
        "Bank of Korea deputy pledges careful policy",
        "The Bank of Korea building in Seoul.",
        "SEOUL, Aug 21 : The new deputy chief of the Bank of Korea said on Friday that monetary"
        " policy decisions would be made very carefully.",
    ),
]


def _publisher() -> bytes:
    items = "".join(
        _item(
            title,
            f"https://news.example/{n}",
            PUBLISHER_HEAD.format(caption=caption)
            + f"&lt;p&gt;{lead}&lt;/p&gt;&lt;p&gt;The move was announced in a statement.&lt;/p&gt;"
            "&lt;p&gt;Sign up for our newsletter&lt;/p&gt;",
        )
        for n, (title, caption, lead) in enumerate(LEADS)
    )
    return channel("Example News - Business", items)


def test_the_lead_is_the_articles_first_paragraph_not_the_page_header() -> None:
    parsed = _parse(_publisher())
    for (title, text), (headline, _caption, lead) in zip(_stories(parsed), LEADS, strict=True):
        assert title == headline
        assert text.startswith(lead)
        for chrome_text in ("Bookmark", "WhatsApp", "trusted source", "REUTERS/", "Aug 2026 10"):
            assert chrome_text not in text
    notes = extract(
        parsed.entries[0].body, "html", parsed.entries[0].title, parsed.entries[0].hints
    )
    assert any("template lines repeated across the feed" in note for note in notes.notes)
    assert any("header lines before the lead" in note for note in notes.notes)


def test_a_promo_line_made_of_a_sentence_and_a_link_is_template() -> None:
    """The feed repeats "<p>Tokyo Tech Daily every morning. <a>Free sign-in</a></p>": the
    line joins two recurring blocks, and is chrome like either ("Tokyo" is no subject)."""
    leads = [
        "Kazahaya Seiki said its net profit rose 38% on demand for chip inspection tools.",
        "Minase Techno said its net profit rose 13% on demand for probe cards.",
        "Hokuto Data Centers will issue convertible bonds to fund a new site.",
    ]
    items = "".join(
        _item(
            f"Story {n}",
            f"https://news.example/promo-{n}",
            f"&lt;p&gt;{lead}&lt;/p&gt;&lt;p&gt;Tokyo Tech Daily every morning."
            f' &lt;a href="https://news.example/mail"&gt;Free sign-in&lt;/a&gt;&lt;/p&gt;',
        )
        for n, lead in enumerate(leads)
    )
    for (_, text), lead in zip(_stories(_parse(channel("Tech Daily", items))), leads, strict=True):
        assert text.startswith(lead)
        assert "Tokyo" not in text


def test_one_article_listed_twice_keeps_its_own_sentences() -> None:
    """Copies under edited headlines are one article: its paragraphs are not template."""
    body = (
        "&lt;p&gt;Japan's exports rose 23% in July, the finance ministry said on"
        " Thursday.&lt;/p&gt;"
        "&lt;p&gt;Chip shipments to China led the gain, economists said.&lt;/p&gt;"
    )
    items = "".join(
        _item(title, f"https://news.example/exports-{n}", body)
        for n, title in enumerate(
            ["Japan exports jump", "Japan exports jump 23%", "Japan exports hit record"]
        )
    )
    for _, text in _stories(_parse(channel("Example News", items))):
        assert text.startswith("Japan's exports rose 23% in July")
        assert "Chip shipments" in text


def test_the_same_wire_story_from_a_chrome_page_and_an_aggregator_is_one_digest_story(
    feed_server: FeedServer, project: Path, cli: object
) -> None:
    """ "$40 billion" behind a page header, and "$40bln - Reuters" elsewhere: one story."""
    wire = _item(
        "SoftBank to invest $40bln in OpenAI - Wire Daily",
        "https://wire.example/softbank-openai",
        "&lt;p&gt;TOKYO, Aug 21 : SoftBank Group will invest $40bln in OpenAI, the company said"
        " on Friday, its largest bet yet on artificial intelligence.&lt;/p&gt;"
        "&lt;p&gt;The move was announced in a statement.&lt;/p&gt;",
    )
    urls = [
        feed_server.static("/publisher.xml", _publisher()),
        feed_server.static("/wire.xml", channel("Wire Daily", wire)),
    ]
    config = project / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('corpus = ["seeds"]', "corpus = []")
        + "".join(f'\n[[feeds]]\nurl = "{url}"\n' for url in urls),
        encoding="utf-8",
    )
    result = cli("preview", "--format", "json", "--as-of", "2026-03-01T18:00:00Z")  # type: ignore[operator]
    assert result.exit_code == 0, result.output
    stories = json.loads(result.stdout)["stories"]
    softbank = [s for s in stories if "SoftBank" in s["title"]]
    assert len(softbank) == 1, [s["title"] for s in stories]
    (story,) = softbank
    assert story["title"] in {
        "SoftBank to invest $40 billion in OpenAI",
        "SoftBank to invest $40bln in OpenAI",
    }
    assert [a["title"] for a in story["also"]] == [
        t
        for t in ("SoftBank to invest $40 billion in OpenAI", "SoftBank to invest $40bln in OpenAI")
        if t != story["title"]
    ]
