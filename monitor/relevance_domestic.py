"""A report's unmarked subject is domestic: money raised or spent in yen, no foreign name.

No entity table knows every Japanese startup, and Japanese copy rarely writes 日本 of a
Japanese company: "AI開発のXX、300億円調達". Japanese news marks a foreign subject
instead, with a country prefix or name ("米オープンAI", "仏ミストラル", "中国の"), by the
company itself (a known foreign entity: エヌビディア, グーグル, which Japanese reports often
write without 米) or by its money (ドル, ユーロ, 元; a yen figure converted from dollars,
"3億ドル（約450億円）", is the same). So, in a report whose headline and lead are mostly
Japanese script and mark nothing foreign, a sentence of the headline or lead that raises or
invests an amount in 円 (調達, 出資, 投資, 増資, 融資, ...; an offering's 仮条件 or 公開価格)
names a domestic subject; so does a sentence whose subject is the unnamed government
("政府は個人情報保護法を改正し", "政府が法改正案"): Japanese copy writes 日本政府 only beside
another country's, and names any other government ("ブラジル政府は", "米政府").

The name itself can say so: a kanji name with a Japanese company's suffix ("八十二銀行、"), a
katakana name opening a Japanese report that marks nothing foreign ("ミツバ・インテリジェンス、"),
or, in English copy, a name with its romanised business word ("Kotobuki Denki", "Hoshino Kogyo").

So do results for a fiscal period ("5～7月期、純利益2.1倍") in a Japanese report that marks nothing
foreign, and, in English wire copy filed from a Japanese dateline ("TOKYO (Kyodo) --") whose
headline and lead name nothing foreign, the organisation the report goes on with.

``monitor.relevance`` counts that sentence as one mention of the "japan" group, weighted
like a place (0.8); it still needs the rest of the rule (AI named with it) to be relevant.
English copy says the same by a yen sum the subject spends, invests or raises ("Kajima to
spend ¥15 billion on AI"), where it names no foreign country, company or currency.
"""

from __future__ import annotations

import re

from monitor.company_suffixes import alternation
from monitor.entities import Lexicon
from monitor.facts import is_country
from monitor.loanwords import LOANWORDS

# An amount in yen: "300億円", "1.5兆円", "約50億円".
_YEN = re.compile(r"\d[\d,.]*\s*(?:兆|億|万|千)*\s*円")
# Money raised or invested in the same sentence.
# A share offering raises money too: its price range and its price are in yen ("仮条件を
# 1株1800～2000円に決定", "公開価格2000円").
# A headline's "AI開発に150億円" spends the sum on what precedes it, as "AIレジを2800店に導入
# 150億円" does; results in yen
# ("純利益は124億円") are a Japanese company's too.
_MONEY = re.compile(
    r"調達|出資|投資|増資|融資|投じ|投入|導入|拠出|資金|上場|IPO|仮条件|公開価格|売り出し価格"
    r"|に(?:約|総額|最大)?\d[\d,.]*\s*(?:兆|億|万|千)*\s*円"
    r"|純利益|営業利益|経常利益|最終利益|売上高|最終損益"
)
# English copy: a sum in yen that the subject spends, invests or raises ("Kajima to spend
# ¥15 billion on AI", "to invest 18bn yen"), where no foreign country or company is named.
# Kyodo's English writes "17 bil. yen", "1.2 tril. yen".
_EN_YEN = re.compile(
    r"(?:¥|\byen\s)\s?\d[\d,.]*\s*(?:trillion|billion|million|trln|tn|bn|bln|mln|tril\.|bil\.|mil\.)?"
    r"|\b\d[\d,.]*\s*(?:trillion|billion|million|trln|tn|bn|bln|mln|tril\.|bil\.|mil\.)?\s*yen\b",
    re.IGNORECASE,
)
# Results in yen are a Japanese company's too ("posts FY net profit of 1.84 bln yen"), as are a
# plant built for a yen sum ("to build 52 billion yen AI data center") and a budget requested.
_EN_MONEY = re.compile(
    r"\b(?:invest(?:s|ed|ing|ment)?|spend(?:s|ing)?|spent|rais(?:e|es|ed|ing)|allocat(?:e|es|ed)"
    r"|earmark(?:s|ed)?|pour(?:s|ed)?|fund(?:s|ed|ing)?|budget(?:s|ed)?"
    r"|build(?:s|ing)?|construct(?:s|ed|ing)?|request(?:s|ed)?"
    r"|(?:net|operating|recurring|pretax)\s+(?:profit|income|loss)|revenue|sales)\b",
    re.IGNORECASE,
)
# The acronyms in capitals only, whatever the pattern's flags: "us" and "use" are no country.
_EN_COUNTRIES = (
    r"(?-i:U\.S\.?|US|UK|UAE)|United\s+States|America|American|China|Chinese|Korea|Korean"
    r"|Taiwan|Taiwanese|India|Indian|Europe|European|Germany|German|France|French|Britain"
    r"|British|Singapore|Vietnam|Thailand|Indonesia|Malaysia|Australia|Canada|Canadian|Israel"
    r"|Saudi|Dubai"
)
_EN_FOREIGN = re.compile(rf"\b(?:{_EN_COUNTRIES}|yuan|dollars?|euros?)(?!\w)|\$", re.IGNORECASE)
# A clause that opens on another country: "Taiwan stocks rose 0.9% on AI chip optimism".
_EN_FOREIGN_OPENER = re.compile(
    r"\s*(?:and\s+|but\s+|while\s+)?(?:the\s+)?(?:South\s+|North\s+|mainland\s+)?"
    rf"(?:{_EN_COUNTRIES}|Hong\s+Kong|Seoul|Shanghai|Shenzhen|Taipei|Sydney|Mumbai|Wall\s+Street"
    r"|KOSPI|Hang\s+Seng|Nasdaq|S&P)\b",
    re.IGNORECASE,
)
# A full stop before a digit or a lower-case word ends no sentence: "1.5", "Ltd. said",
# "17 bil. yen".
_EN_SENTENCE = re.compile(r"[^.!?\n]+(?:\.(?=\d|\s+[a-z])[^.!?\n]*)*")
# An amount in a foreign currency: the subject's money is not the yen.
_FOREIGN_MONEY = re.compile(
    r"\d[\d,.]*\s*(?:兆|億|万|千)*\s*(?:ドル|ユーロ|ポンド|元|ウォン|ルピー)"
)
# A country as a one-character prefix ("米オープンAI", "仏ミストラル", "韓国サムスン") before a
# name in katakana or Latin letters, or a word for a company; never inside a word (欧米, 参加).
_PREFIX = re.compile(
    r"(?<![\u4e00-\u9fff])(?:米|中|英|仏|独|韓|台|印|露|伊|豪|加|蘭|欧)"
    r"(?=[\u30a1-\u30faA-Za-z]|新興|企業|大手|系|IT|テック|半導体|政府)"
)
_COUNTRY = re.compile(
    r"米国|アメリカ|中国|韓国|台湾|インド|英国|イギリス|フランス|ドイツ|イスラエル|シンガポール|"
    r"カナダ|スイス|サウジ|中東|欧州|シリコンバレー|香港|ベトナム|タイの|インドネシア|"
    # Another country's government named in katakana ("ブラジル政府は").
    r"[\u30a1-\u30fa]{2,}政府"
)
# The unnamed government as a sentence's subject; a name before it (ブラジル政府, 米政府,
# 日本政府, 州政府) makes it some other, or the entity table's, government.
_GOVERNMENT = re.compile(
    r"(?<![\u30a1-\u30fa\u4e00-\u9fffA-Za-z])政府(?:・与党)?(?:は|が|として|も)"
    # A local paper's unnamed prefecture ("県がAI観光ガイド"): Japanese copy calls another
    # country's state 州.
    r"|(?<![\u30a1-\u30fa\u4e00-\u9fffA-Za-z])(?P<prefecture>県)(?:は|が)"
)
_SENTENCE = re.compile(r"[^。！？\n]+")
# Results for a fiscal period, the Japanese press's way: "5～7月期、純利益2.1倍", "今期経常は7%増",
# "上期の営業利益3割減". A foreign company's results in Japanese copy carry its country or its
# table name (米エヌビディアの5～7月期), which ``domestic_subject`` rules out first.
_RESULTS = re.compile(
    r"(?:\d{1,2}\s?[～~〜-]\s?\d{1,2}月期|\d{1,2}月期|上期|下期|上半期|下半期|中間期|通期|今期|前期)"
    r"[^。！？\n]{0,6}?(?:純利益|純益|営業利益|営業益|経常利益|経常|最終利益|最終損益|売上高|増益|減益|黒字|赤字)"
)
# Most of the headline and lead is Japanese script (kana and kanji).
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_JAPANESE_SHARE = 0.5


# What marks the unmarked subject domestic (``domestic_subject``'s third value).
IN_YEN = "in yen"
THE_GOVERNMENT = "the government"
THE_PREFECTURE = "the prefecture"
IN_NAME = "a Japanese institution's name"
IN_KANA = "a name in kana, nothing foreign"
IN_KOREAN = "Korean copy's 日 for Japan"
IN_DESCRIPTION = "a company described with no country"
FILED_IN_JAPAN = "filed from Japan"
IN_RESULTS = "results for a fiscal period"
IN_OPENING = "the name the headline and its lead open on, nothing foreign"

# Korean copy writes 日 (Japan) before a Japanese name or place, as Japanese copy writes 米:
# "日 리코, 英 AI기업 인수", "日 홋카이도에".
_KOREAN_JAPAN = re.compile(r"(?<![\u4e00-\u9fff\d])日(?=\s?[\uac00-\ud7a3])")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")

# A Japanese headline opening on a name in kana or kanji with a Japanese institution's or
# company's suffix ("八十二銀行、融資審査にAI", "伊予銀、…", "東都新聞が米AI企業を提訴", "寿電機、",
# "かすみFG、", "星影ゲームス、", "北陸新報グループ、"): Japanese copy names a foreign bank or paper
# with its country (中国銀行, 米ニューヨーク・タイムズ), and a known foreign company keeps its own
# (サムスン電子; ``foreign_subject``). Not the suffixes a foreign city or university shares (市,
# 大学), nor the world's own banks.
_INSTITUTION = re.compile(
    r"(?P<name>(?:(?!世界|国際|欧州|米州|新開発)[\u3041-\u30ff\u4e00-\u9fff]{2,10}?"
    rf"(?:{alternation('銀', '信用金庫', '新聞社', '不動産', '機構', '半導体')}"
    # 堂, a trade name's (任天堂, 資生堂), but not a hall's.
    r"|(?<!公会)(?<!議事)(?<!礼拝)(?<!大聖)(?<!記念)(?<!食)堂)"
    # A one-kanji name only before a maker's suffix, and not a country's one kanji (米, 中, ...).
    r"|[^\W\d_a-zA-Z米中英独仏韓露印豪台欧朝伊日](?:電機|工業|化学|精機|産業|興業|食品|薬品))"
    r"(?:グループ)?)(?=[、,\s　はがも])"
)

# A Japanese corporate form opening a Japanese headline: "株式会社ヨツバAI、..." (a press
# release's way of naming the company), "ヨツバAI株式会社は", "(株)ヨツバ". A Japanese company, or
# a foreign one's Japanese arm ("日本マイクロソフト株式会社"): its move in Japan.
_CORPORATE = re.compile(
    r"(?:株式会社|合同会社|有限会社|\(株\))\s?[^\s、,。]{1,20}"
    r"|[^\s、,。]{1,20}?(?:株式会社|合同会社|有限会社)(?=[、,\s　はがも])"
)


# English copy keeps a Japanese company's name in romaji, its business word included: "Kotobuki
# Denki", "Hoshino Kogyo", "Hokuriku Shimpo", "Kazahaya Seiki" (Denki: electric, Kogyo: industry,
# Shimpo: newspaper, ...). No foreign company is named so.
_ROMAJI_COMPANY = re.compile(
    r"\b[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)?\s(?:Denki|Denko|Kogyo|Jukogyo|Seiki|Sangyo|Shoji|Bussan"
    r"|Seisakusho|Shimbun|Shinbun|Shimpo|Ginko|Shinkin|Kagaku|Jidosha|Tekko|Kensetsu|Denryoku"
    r"|Seiyaku|Yakuhin|Shokuhin|Kosan|Unyu|Tsushin|Kikai|Kogaku|Gakki)\b"
)


# A lead's description of its subject's business before its name, the way Japanese copy
# introduces a company ("ゲーム会社の黎明堂は11日、", "半導体メーカーのX社が", "AI新興のYは"):
# a foreign company's carries its country ("米ゲーム大手のZは", "中国の新興企業…"), which
# ``domestic_subject`` rules out first.
_DESCRIBED = re.compile(
    r"(?:^|(?<=[、。\s]))[^\s、。はがをにでのと]{1,12}?(?:会社|企業|メーカー|大手|新興|スタートアップ)"
    r"の(?P<name>[^\s、。はがをにでのと]{2,16})(?:は|が)"
)


# A start-up's name may end in "AI" ("ノワキAI、上場初日は…", "カナデAI、"): still a katakana name.
# It may open in hiragana ("ひなたライフケア、"), as no foreign company's name does; then it holds
# katakana too, so that a hiragana word ("きょうは") is no name.
_KANA_NAME = re.compile(
    r"((?:[\u30a1-\u30fa\u30fc]|[\u3041-\u3096]+(?=[\u30a1-\u30fa]))[\u30a1-\u30fa\u30fc・]{2,24})"
    r"(?:AI)?(?=[、,\s　]|は|が)"
)


def opens_on_foreign(clause: str) -> bool:
    """Whether ``clause`` opens on another country ("Taiwan stocks rose ...", "韓国株は..."):
    what it tells is that country's news, not Japan's."""
    if _EN_FOREIGN_OPENER.match(clause):
        return True
    opening = clause.lstrip(" 、,")
    return bool(_COUNTRY.match(opening) or _PREFIX.match(opening))


def foreign_subject(headline: str, foreign: Lexicon | None) -> bool:
    """Whether ``headline`` opens on a foreign subject: a country ("中国ディープシーク",
    "米グーグル", "Taiwan stocks") or a known foreign company ("オープンAIのアルトマンCEO")."""
    if opens_on_foreign(headline):
        return True
    found = foreign.scan(headline) if foreign is not None else []
    return any(m.start <= 1 for m in found)


def domestic_subject(
    text: str, end: int, foreign: Lexicon, filed_at: int | None = None
) -> tuple[int, int, str] | None:
    """The span of a yen amount raised or invested by an unmarked subject in ``text[:end]``
    (the headline and lead), or of the unnamed government as a subject, with what it is
    (``IN_YEN`` or ``THE_GOVERNMENT``); None when the report is not Japanese or marks
    anything foreign. ``filed_at``: where English copy filed from a Japanese dateline
    ("TOKYO (Kyodo) --") goes on after it.
    """
    frame = text[:end]
    letters = sum(1 for c in frame if c.isalnum())
    if not letters:
        return None
    if _HANGUL.search(frame) and (japan := _KOREAN_JAPAN.search(frame)) is not None:
        return japan.start(), japan.end(), IN_KOREAN
    if len(_JAPANESE.findall(frame)) < _JAPANESE_SHARE * letters:
        company = _ROMAJI_COMPANY.search(frame)
        if company is not None:
            return company.start(), company.end(), IN_NAME
        yen = _english_yen(frame, foreign)
        if yen is None and filed_at is not None:
            return _filed_in_japan(frame, filed_at, foreign)
        return yen
    institution = _INSTITUTION.match(frame) or _CORPORATE.match(frame)
    if institution is not None and not foreign_subject(frame, foreign):
        return institution.start(), institution.end(), IN_NAME
    if _FOREIGN_MONEY.search(frame) or _PREFIX.search(frame) or _COUNTRY.search(frame):
        return None
    if foreign.scan(frame):
        return None
    for sentence in _SENTENCE.finditer(frame):
        yen = _YEN.search(frame, sentence.start(), sentence.end())
        if yen is not None and _MONEY.search(sentence.group(0)):
            return yen.start(), yen.end(), IN_YEN
    results = _RESULTS.search(frame)
    if results is not None:
        return results.start(), results.end(), IN_RESULTS
    government = _GOVERNMENT.search(frame)
    if government is not None:
        if government.group("prefecture"):
            return government.start(), government.start() + 1, THE_PREFECTURE
        return government.start(), government.start() + 2, THE_GOVERNMENT
    described = _DESCRIBED.search(frame)
    if described is not None:
        return described.start("name"), described.end("name"), IN_DESCRIPTION
    name = _KANA_NAME.match(frame)
    if name is not None and not _loanwords_or_countries(name.group(1)):
        # "ミツバ・インテリジェンス、AIチャットの…": a name in katakana opening a Japanese report
        # that marks nothing foreign (Japanese copy writes 米, 中国 or the company's table name
        # before a foreign one).
        return name.start(1), name.end(1), IN_KANA
    opening = _SHARED_OPENING.match(frame)
    if (
        opening is not None
        and not opening["name"].endswith(_PERSON_TITLES)
        and not _loanwords_or_countries(opening["name"])
    ):
        # "清流会、…" over "清流会は9日、…を発表した": whatever the
        # script of the name, the report is about it, and it marks nothing foreign.
        return opening.start("name"), opening.end("name"), IN_OPENING
    return None


def _loanwords_or_countries(name: str) -> bool:
    """Whether every part of a name ("ブラジル", "ゲーム・センター") is a loanword or a country:
    no company's name."""
    return all(part in LOANWORDS or is_country(part) for part in name.split("・"))


# The headline opens on a name and a comma, and its lead on the same name as the subject.
_SHARED_OPENING = re.compile(
    r"(?P<name>[^\s、。，,「」『』【】（）()]{2,20})、[^\n]*\n(?P=name)(?:は|が)"
)
# A person is no organisation the report is about ("孫正義氏、…" / "孫正義氏は…").
_PERSON_TITLES = ("氏", "さん", "首相", "大臣", "知事", "社長", "会長")


def _english_yen(frame: str, foreign: Lexicon) -> tuple[int, int, str] | None:
    """``domestic_subject`` for English copy: a yen sum spent or raised, nothing foreign."""
    if "yen" not in frame.lower() and "¥" not in frame:
        return None  # most stories: no regex at all
    if _EN_FOREIGN.search(frame) or foreign.scan(frame):
        return None
    for sentence in _EN_SENTENCE.finditer(frame):
        yen = _EN_YEN.search(frame, sentence.start(), sentence.end())
        if yen is not None and _EN_MONEY.search(sentence.group(0)):
            return yen.start(), yen.end(), IN_YEN
    return None


# A region or a foreign hub named in English copy: a Tokyo bureau's report on the region.
_EN_REGION = re.compile(r"\b(?:Asia|Asian|Asia-Pacific|Wall\s+Street|Silicon\s+Valley)\b")
# The organisation the report goes on with, in its first words before a comma: a company by
# its corporate form, or a body of the state ("The Cabinet on June 18 approved", "The education
# ministry"). A person named there ("Tetsuro Hanagasa, a former ... executive") is no subject
# the dateline places.
_ORGANISATION = re.compile(
    r"[^,;:]{0,60}?\b(?:Inc|Co|Corp|Ltd|K\.K|Holdings|Group|Cabinet|[Gg]overnment|[Mm]inistry"
    r"|[Aa]gency|[Cc]ommission|[Pp]refecture|[Pp]olice|[Cc]ourt|Diet|Bank|University)\b\.?"
    # A company introduced by its business ("Hospital operator Seiryukai will ...").
    r"|[^,;:]{0,30}?\b(?:operator|maker|developer|start-?up|firm|company|insurer|retailer|studio"
    r"|lender|carrier|manufacturer|provider|publisher|chain|utility|brokerage)"
    r"\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}"
)


def _filed_in_japan(frame: str, filed_at: int, foreign: Lexicon) -> tuple[int, int, str] | None:
    """``domestic_subject`` for English copy filed from Japan: a wire's dateline in Japan
    ("TOKYO (Kyodo) -- Mitsuba Intelligence Inc. said ...") where the headline and lead name
    nothing foreign. English wires name the country of a foreign subject their Tokyo bureau
    covers ("South Korea's Naver", "U.S. AI company"), as Japanese copy writes 米 or 韓国: the
    unmarked organisation the report goes on with is domestic."""
    if _EN_FOREIGN.search(frame) or _EN_REGION.search(frame) or foreign.scan(frame):
        return None
    subject = _ORGANISATION.match(frame, filed_at)
    if subject is None:
        return None
    return subject.start(), subject.end(), FILED_IN_JAPAN
