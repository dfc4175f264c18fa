"""Where a mention stands in a story, as the weight ``monitor.relevance`` gives it there.

A name in the headline counts most, then the lead, the subject of a body sentence, the rest of
a body sentence; a name in a list, named as another subject's backer, in the dateline, as one of
a markets column's markets, as a language or as a venue counts about as little as a list's name.
"""

from __future__ import annotations

HEADLINE, LEAD, SUBJECT, BODY, LIST = 3.0, 2.0, 1.0, 0.6, 0.2
# Named only as the backer of another subject: about as little as a name in a list.
ATTRIBUTE = 0.25
# The dateline ("TOKYO (Reuters) -"): where the report was filed, less than a list's name.
DATELINE = 0.15
# Japan as one of a regional markets column's markets ("futures for Japan and Australia"), a
# company as one of its movers ("SoftBank Group rose 3%"): as little as a list's name.
COLUMN = 0.19
# A country's name as a language or a style ("日本語にも対応", "日本のアニメ風"): what a product
# speaks or draws, not where it is.
LANGUAGE = 0.18
# A city as the venue of another subject's event ("told a conference in Tokyo"): where it
# was said, as little as a dateline.
VENUE = 0.16
WHERE = {
    HEADLINE: "headline", LEAD: "lead", SUBJECT: "body", BODY: "body", LIST: "list",
    ATTRIBUTE: "attribute", DATELINE: "dateline", COLUMN: "markets column",
    LANGUAGE: "language", VENUE: "venue",
}  # fmt: skip
