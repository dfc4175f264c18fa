"""What a name stands for where it stands: the subject, a backer, a team, a dateline or a venue.

Relevance (``monitor.relevance``) weighs a mention by its place in the story.
Besides headline, lead and body, some places say the story is not about it; a name in
a list or a row of names is ``monitor.mention_lists``'s. Here:

- **an attribute of another subject**: "SoftBank-backed Paytm", "once backed by
  SoftBank", "whose biggest shareholders include SoftBank Group", "SoftBank's
  portfolio company", "ソフトバンクが出資する", "ソフトバンクG傘下の", a sponsor ("sponsored
  by SoftBank Corp.", "ソフトバンクが協賛する", "ソフトバンク杯"), a past employer ("Ex-SoftBank
  executive").
  The story is
  about the company so described, not about its backer: such a mention weighs
  about as a name in a list and never makes the story about its group on its
  own (the story is still about it where the headline or other sentences say so).
- **a sports team**: a name that an excluded phrase shows to have another sense
  ("ソフトバンク" in "ソフトバンクホークス", "SoftBank" in "SoftBank Hawks") is that
  other sense in a sentence about a game, a title or a parade ("ソフトバンク、日本一
  祝う優勝パレード"), where the team is often written by its sponsor's name alone;
  unless the sentence is about the business of sport (配信権, 買収, streaming, stake, ...).

- **a dateline** ("TOKYO (Reuters) -", "［東京 5日 ロイター］"), **a language** ("日本語にも
  対応") and **a venue** ("told a conference in Tokyo", "東京都内で開かれた会議で"): where a
  report was filed, what a product speaks, where another subject spoke.

These look only at the words of the mention's own sentence, never at a particular
headline, outlet or data set.
"""

from __future__ import annotations

import re

from monitor.facts import is_country

# Before the name (the end of the text before it), in the same clause: the name is a backer.
# Up to six further names and list glue may stand between ("backed by Nvidia, Microsoft and X").
_NAMES_BETWEEN = r"(?:[\w'’.&-]+(?:\s*,\s*|\s+and\s+|\s+&\s+|\s+)){0,6}?"
_BACKER_BEFORE = re.compile(
    r"(?:\b(?:backed|funded|owned|controlled|bankrolled|sponsored|co-sponsored|joined)\s+(?:\w+\s+)?by"
    r"|\bparticipation\s+(?:from|of|by)"
    r"|\b(?:backers|investors|shareholders|owners|stakeholders)\b[^.;:!?]{0,40}?"
    r"\b(?:include|includes|included|including|such\s+as|like)"
    r"|\b(?:backing|funding|investments?)\s+from"
    r"|\b(?:rais(?:es|ed|ing)|secur(?:es|ed|ing))\b[^.;:!?]{0,40}?\bfrom"
    r"|\b(?:whose|its|their)\s+(?:[\w-]+\s+){0,2}(?:shareholders?|investors?|backers?|owners?)"
    r"\s+(?:is|are|was|were))\s+" + _NAMES_BETWEEN + r"$",
    re.IGNORECASE,
)
# Before the name, an earlier one of a series: "its second office in Asia after Tokyo", "the
# third after London and Tokyo". The news is the new one, wherever the earlier was.
_EARLIER_BEFORE = re.compile(
    r"(?:\b(?:second|third|fourth|fifth|sixth|next|latest|another|newest)\b[^.;:!?]{0,40}?"
    r"\b(?:after|following|besides)"
    # "following earlier pledges for Japan, Malaysia and Indonesia"
    r"|\b(?:after|following)\s+(?:its\s+|their\s+)?(?:earlier|previous|prior)\b[^.;:!?]{0,30}?"
    r"\b(?:for|in|to))\s+" + _NAMES_BETWEEN + r"$",
    re.IGNORECASE,
)
# Around the name, earlier ones of a series by what they were: "after Japan, Australia pledges",
# "following its commitments in Japan and India". Not "after Japan approves ...": a cause.
_EARLIER_AROUND = re.compile(
    r"\b(?:after|following)\s+(?:its\s+|their\s+)?" + _NAMES_BETWEEN + r"$", re.IGNORECASE
)
_SERIES_AFTER = re.compile(
    r"(?:(?:\s*,\s*|\s+and\s+|\s+&\s+)[A-Z][\w'’.-]*)*\s+"
    r"(?:pledges|commitments|investments|launches|openings|deals)\b"
)
# Before the name, what another subject copies: "modelled on services such as Japan's PayPay".
_MODEL_BEFORE = re.compile(
    r"\b(?:(?:modell?ed|patterned|styled)\s+(?:on|after)|inspired\s+by|similar\s+to|akin\s+to"
    r"|in\s+the\s+mou?ld\s+of)\s+" + _NAMES_BETWEEN + r"$",
    re.IGNORECASE,
)
# After the name, the same: "PayPay-style payments", "a SoftBank-like fund", "ペイペイ型の決済".
_MODEL_AFTER = re.compile(
    r"\s*-\s*(?:style|like|inspired|esque|type)\b|(?:型|流|風)の|のような|をモデルに|を手本に",
    re.IGNORECASE,
)
# Right before the name, a past employer: "Ex-SoftBank executive Misra's fund", "former
# SoftBank banker", "元ソフトバンク幹部". Tried on the last characters only: "ex" is in every
# second sentence.
_PAST_EMPLOYER = re.compile(
    r"\b(?:ex|former|one-time)[-\s]+$|元$"
    # A career told in the lead: "who spent 14 years at SoftBank Corp.", "formerly of".
    r"|\b(?:spent\s+\d+\s+years\s+at|previously\s+(?:worked|served)\s+at|formerly\s+(?:of|at|with)"
    r"|(?:worked|served)\s+(?:for\s+)?\d+\s+years\s+at)\s+$",
    re.IGNORECASE,
)
_PAST_CHARS = 32
# After the name: "X-backed", "X's portfolio company", "Xが出資する", "X傘下の", "X系の".
_BACKER_AFTER = re.compile(
    r"(?:\s+Group|\s+Corp\.?)?\s*-\s*(?:backed|funded|owned|supported)\b"
    r"|['’]s\s+(?:[\w-]+\s+){0,2}(?:portfolio\s+compan(?:y|ies)|investees?)\b"
    # "が出資する" only before the company it backs, not "が出資すると発表" / "が出資する方針".
    r"|(?:グループ|G)?(?:など)?(?:(?:が出資する|が出資している|が支援する|が(?:特別)?協賛(?:する)?)"
    r"(?!と|方針|計画|予定|見通し|意向|考え|こと|ため|可能性|[。、,.])|の出資先の?|傘下(?:の|$|(?=[\s、]))|系の"
    r"|が(?:筆頭|大)?株主(?:の|だった|である)"
    # An earlier one of a series: "東京に次ぐアジア2カ所目", "ソフトバンクに続き楽天も".
    r"|に(?:次ぐ|次いで|続く|続き|続いて)"
    # A tournament named after its sponsor: "ソフトバンク杯ジュニアサッカー", "the SoftBank Cup".
    r"|杯|カップ(?!麺)|\s+Cup\b"
    r"|\.?\s+as\s+(?:its\s+|the\s+|a\s+)?(?:title\s+|official\s+|main\s+|lead\s+|shirt\s+)?sponsor"
    # "SoftBank Corp. will become its title sponsor"
    r"|\.?\s+(?:will\s+)?(?:become|becomes|became|is|was|remains?)\s+(?:its|the|their|a)\s+"
    r"(?:new\s+)?(?:title\s+|official\s+|main\s+|lead\s+|shirt\s+)?sponsor)",
    re.IGNORECASE,
)
# The words after "X-backed" or "X傘下の": the subject it backs ("SoftBank-backed Paytm").
_BACKED = re.compile(r"\s[\w'’&-]+|[^\s、。,.]{1,8}")
_BEFORE_CHARS = 120
_BEFORE_WORDS = (
    "by", "includ", "such", "like", "from", "holder", "investor", "backer", "owner", "after",
    "following", "besides", "particip", "model", "pattern", "styled", "inspired", "similar",
    "akin", "mould", "mold",
)  # fmt: skip
_AFTER_CHARS = 40

# Words that make a sentence about a game, a season or a title.
_SPORTS = re.compile(
    r"プロ野球|野球|日本シリーズ|パ・リーグ|セ・リーグ|優勝|パレード|球団|選手|投手|打者|本塁打|"
    r"ホームラン|試合|ホークス|イーグルス|年俸|契約更改|監督|ドラフト|ポスティング|バスケットボール|"
    # A player's pay for next season: "1億8000万円で更改", "現状維持で更改".
    r"(?:万円|億円|現状維持|増|減|ダウン|アップ)で(?:契約)?更改|"
    r"捕手|内野手|外野手|遊撃手|新外国人|助っ人|FA(?:宣言|権|移籍|補強|で)|FA[捕投内外]|"
    r"(?<!ブート)キャンプ|自主トレ|サッカー|肉離れ|登録抹消|サヨナラ|逆転勝ち|完封|適時打|決勝打|"
    # A game's result and its innings: "3連勝", "楽天を下す" (not "判断を下す"), "八回に逆転".
    r"連勝|連敗|白星|黒星|勝利投手|敗戦投手|先発投手|回[表裏]|(?<![\d\u4e00-\u9fff])[五六七八九]回に|"
    # A pitcher's line: "今季5勝目", "2失点完投", "無失点".
    r"\d{1,2}[勝敗]目|完投|無失点|奪三振|被安打|"
    r"(?:楽天|ロッテ|西武|日本ハム|日ハム|オリックス|巨人|阪神|中日|広島|ヤクルト|DeNA)"
    r"(?:を下[すし]|に(?:敗れ|競り勝|快勝|完勝|大勝))|"
    # A score between two teams: "ソフトバンク3－2巨人" (not a span of months, "1-3月").
    r"[\u30a1-\u30fa\u4e00-\u9fff]\d{1,2}[－−-]\d{1,2}(?![月期年日時分四])[\u30a1-\u30fa\u4e00-\u9fff]|"
    # Sports pages write a player as team・surname, with no honorific: "ソフトバンク・石田、",
    # "ソフトバンク・立花がサヨナラ打".
    r"・[\u4e00-\u9fff]{1,3}(?<![氏長相官事])(?:、|が|は)|"
    r"(?:人|新)(?:右腕|左腕)|右腕投手|左腕投手|"
    r"\b(?:baseball|pitchers?|catchers?|infielders?|outfielders?|shortstops?|Hawks|Eagles|"
    r"Japan\s+Series|playoffs?|pennant|parade|championship|home\s+runs?|slugger|NPB)\b",
    re.IGNORECASE,
)
# Words of a SoftBank company's service to its customers: a carrier's fees, plans, discounts and
# outages, a payment app's points and promotions ("PayPay、飲食店で最大20%還元"). The labelling
# rules cover SoftBank's deals, investments, earnings, financing, bonds, AI projects and
# leadership; a price plan, a points campaign or an outage is none of them.
_CARRIER = re.compile(
    r"料金|値上げ|値下げ|通信障害|つながりにくい|つながりにくく|料金プラン|割引|値引き|ワイモバイル|LINEMO|"
    r"還元|キャンペーン|ポイント付与|"
    r"\b(?:cashback|points?\s+(?:campaign|rewards?|back)|promotions?)\b|"
    # Subscriber counts: "2月契約数、ソフトバンクが純増首位", "net subscriber additions".
    # A handset's trade-in price or a switch of carrier: "iPhoneの下取り価格を…で比較".
    r"ラインモ|つながらない|契約数|純増数?|下取り|機種変更|乗り換え|"
    # A service wound up: "「Yahoo!メール」有料版を2029年に終了", "to end its paid email plan".
    r"(?:サービス|提供|有料版|受け付け|受付)(?:を|の)?(?:[\d０-９]+年(?:[\d０-９]+月)?末?[にで]?)?終了|"
    r"\b(?:discontinu(?:e|es|ed|ing)|to\s+end|shut(?:s|ting)?\s+down)\s+(?:its\s+)?"
    r"(?:paid\s+|premium\s+)?(?:\w+\s+)?(?:service|plan|app|version)s?\b|"
    r"\b(?:fees?|outages?|discounts?|trade-ins?|(?:data|mobile|price|pricing)\s+plans?|"
    r"(?:net\s+)?subscriber\s+(?:additions|growth|numbers)|"
    r"Y!\s?mobile|Ymobile|LINEMO|handset\s+subsid(?:y|ies)|disrupt(?:ed|ions?)|"
    r"equipment\s+failures?|network\s+(?:failures?|problems?|troubles?))\b",
    re.IGNORECASE,
)
# Words of the company's own business in such a sentence: rights, deals, shares, results.
_BUSINESS = re.compile(
    r"配信|放映権|放送権|命名権|買収|出資|株価|株式|決算|売上|営業利益|純利益|提携|"
    r"\b(?:stream(?:s|ing)?|broadcast(?:ing)?\s+rights|media\s+rights|naming\s+rights|"
    r"acquir(?:e|es|ed|ing)|acquisition|buys?|bought|stake|shares|earnings|revenue|profit)\b",
    re.IGNORECASE,
)


# What an attribute names the name as (``as_attribute``'s first value), for the reason.
BACKER = "a backer of another subject"
EARLIER = "an earlier one than the story's"
MODEL = "a model for another subject"


def as_attribute(text: str, start: int, end: int, begins: int, stop: int) -> tuple[str, str] | None:
    """(``BACKER``, ``EARLIER`` or ``MODEL``, the phrase) naming ``text[start:end]`` only as a
    backer of another subject, as an earlier one of a series the story adds to, or as what
    another subject copies ("PayPay-style payments"), or None.

    ``begins`` and ``stop`` bound the mention's sentence: no cue is taken from another one.
    """
    before = text[max(begins, start - _BEFORE_CHARS) : start]
    low = before.lower()
    # Most mentions have no cue before them: skip the regex then (it is the costly part).
    if any(word in low for word in _BEFORE_WORDS):
        cue = _BACKER_BEFORE.search(before)
        if cue is not None:
            return BACKER, " ".join((before[cue.start() :] + text[start:end]).split())
        cue = _EARLIER_BEFORE.search(before)
        if cue is not None:
            return EARLIER, " ".join((before[cue.start() :] + text[start:end]).split())
        cue = _EARLIER_AROUND.search(before)
        series = _SERIES_AFTER.match(text, end, stop) if cue is not None else None
        if cue is not None and series is not None:
            return EARLIER, " ".join((before[cue.start() :] + text[start : series.end()]).split())
        cue = _MODEL_BEFORE.search(before)
        if cue is not None:
            return MODEL, " ".join((before[cue.start() :] + text[start:end]).split())
    tail = before[-_PAST_CHARS:]
    past = _PAST_EMPLOYER.search(tail)
    if past is not None:
        return BACKER, " ".join((tail[past.start() :] + text[start:end]).split())
    model = _MODEL_AFTER.match(text, end, min(stop, end + _AFTER_CHARS))
    if model is not None:
        backed = _BACKED.match(text, model.end(), stop)
        return MODEL, " ".join(text[start : backed.end() if backed else model.end()].split())
    after = _BACKER_AFTER.match(text, end, min(stop, end + _AFTER_CHARS))
    if after is not None:
        last = after.end()
        if after.group(0)[:1] not in "'’":  # "X-backed Paytm": say what it backs
            backed = _BACKED.match(text, last, stop)
            last = backed.end() if backed else last
        role = EARLIER if after.group(0).startswith("に") else BACKER
        return role, " ".join(text[start:last].split())
    return None


# A dateline of English copy: where the report was filed, not what it is about. "TOKYO (Kyodo)
# --", "TOKYO, Oct 13 (Reuters) -". English wires cover the region from Tokyo; a Japanese-language
# report's "[東京 13日 ロイター]" is a dateline only where the headline's subject is foreign
# (``in_japanese_dateline``): otherwise such copy is about Japan (bench/data/holdout3 and
# holdout9 label such reports of unknown Japanese companies `yes`).
_DATELINE_AFTER = re.compile(
    # Jiji Press writes no space after its dashes: "TOKYO, May 12 (Jiji Press)--Two ...".
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([A-Za-z .]{2,24}\))?\s*(?:--?|–|—)"
    r"(?:\s|(?=[A-Z\"“]))"
)
# How far into the text a dateline's name may start.
_DATELINE_START = 2


def in_dateline(text: str, start: int, end: int, body_start: int) -> bool:
    """Whether the name at ``text[start:end]`` is the dateline opening English copy at
    ``body_start``: a city in capitals before the agency and a dash."""
    if start - body_start > _DATELINE_START or text[body_start:start].strip():
        return False
    name = text[start:end]
    return (
        name.isascii() and name.isupper() and _DATELINE_AFTER.match(text, end, end + 40) is not None
    )


_DATELINE_PLACE = re.compile(r"[A-Z][A-Z.\-]+(?: [A-Z][A-Z.\-]+)*")


def dateline_end(text: str, body_start: int) -> int | None:
    """Where the text after the dateline opening English copy at ``body_start`` begins
    ("TOKYO (Kyodo) -- Mitsuba Intelligence ...": at "Mitsuba"), or None without one."""
    head = text[body_start : body_start + _DATELINE_START]
    start = body_start + len(head) - len(head.lstrip())
    place = _DATELINE_PLACE.match(text, start, start + 32)
    if place is None:
        return None
    after = _DATELINE_AFTER.match(text, place.end(), place.end() + 40)
    return after.end() if after is not None else None


# After NFKC: "[東京 5日 ロイター] -".
_JA_DATELINE_AFTER = re.compile(r"\s+\d{1,2}日\s+[^\]\s]{2,12}\]")


def in_japanese_dateline(text: str, start: int, end: int, body_start: int) -> bool:
    """Whether the name at ``text[start:end]`` is the place of a Japanese wire's dateline
    opening the body at ``body_start`` ("[東京 5日 ロイター]")."""
    if text[body_start:start].strip() != "[":
        return False
    return _JA_DATELINE_AFTER.match(text, end, end + 24) is not None


# A markets column on a region's or the world's markets ("Asian Stocks Set for Cautious Start",
# "GLOBAL MARKETS-Stocks slip ...", "European shares climb", "...: Markets Wrap"): Japan is one of
# its markets, as in a list.
_REGIONAL_COLUMN = re.compile(
    r"GLOBAL MARKETS-|(?:Asian|Asia|Asia-Pacific|European|Europe|Global|World|Emerging[- ]Markets?)"
    r"\s+(?:Stocks|Shares|Equities|Markets|Bonds|Currencies)\b|.*:\s*Markets\s+Wrap\s*$",
    re.IGNORECASE,
)


def regional_column(headline: str) -> bool:
    """Whether ``headline`` is a markets column on a region's or the world's markets."""
    return _REGIONAL_COLUMN.match(headline) is not None


def about_sports(sentence: str) -> str | None:
    """The word that makes ``sentence`` about sport ("優勝", "baseball"), or None.

    A sentence about the business of sport ("ソフトバンク、プロ野球の配信権を獲得",
    "SoftBank buys streaming rights to baseball games") is the company's, not the team's.
    """
    found = _SPORTS.search(sentence)
    if found is None or _BUSINESS.search(sentence):
        return None
    return found.group(0)


def about_carrier_service(sentence: str) -> str | None:
    """The word that makes ``sentence`` about a service's fees, plans, promotions or outages.

    None if it speaks of none, or also of the company's business (``about_business``).
    """
    found = _CARRIER.search(sentence)
    if found is None or _BUSINESS.search(sentence):
        return None
    return found.group(0)


def about_business(sentence: str) -> bool:
    """Whether ``sentence`` speaks of a company's business (rights, deals, shares, results)."""
    return _BUSINESS.search(sentence) is not None


# A country's name as its language: "日本語にも対応" (supports Japanese), "a Japanese-language
# model". A product's language is no news about the country, whose company may make it so.
_LANGUAGE_AFTER = re.compile(
    r"語|[\s-]languages?\b"
    # ... or a style: "日本のアニメ風", "Japanese anime-style", "Japanese-style".
    r"|(?:の)?(?:アニメ|漫画|マンガ)?風|[\s-](?:anime|manga|animation)?[\s-]?style\b",
    re.IGNORECASE,
)


def as_language(text: str, start: int, end: int) -> bool:
    """Whether the name ``text[start:end]`` (a country's, or its people's) names a language
    or a style."""
    return _LANGUAGE_AFTER.match(text, end) is not None and (
        is_country(text[start:end]) or text[start:end].lower().endswith("ese")
    )


# A place named as where another subject spoke or showed something: "told a conference in
# Tokyo", "on the sidelines of a technology conference in Tokyo", "東京都内で開いた会見で". What
# was said there is about its speaker; the city is the venue.
_VENUE_BEFORE = re.compile(
    r"\b(?:conference|forum|summit|event|expo|exhibition|symposium|meeting|briefing|ceremony"
    r"|speech)\s+(?:held\s+|hosted\s+)?(?:in|at)\s+(?:the\s+)?$"
    r"|\b(?:speaking|spoke)\s+(?:in|at)\s+$",
    re.IGNORECASE,
)
_VENUE_AFTER = re.compile(r"(?:市内|都内|内)?で(?:開かれた|開いた|開催された|開催中の|行われた)")
_VENUE_CHARS = 60


def as_venue(text: str, start: int, end: int, begins: int) -> bool:
    """Whether the name ``text[start:end]`` is the venue of an event in its sentence."""
    before = text[max(begins, start - _VENUE_CHARS) : start]
    return _VENUE_BEFORE.search(before) is not None or _VENUE_AFTER.match(text, end) is not None
