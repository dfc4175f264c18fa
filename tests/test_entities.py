"""The entity table: Japanese and English names of the beat's companies, found in any script."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load
from monitor.entities import Entity, entity_from_table, load_entities, normalize
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_the_same_company_is_found_in_english_and_japanese() -> None:
    table = load_entities()
    pairs = [
        ("Fujifilm expands chip material output", "富士フイルム、半導体材料を増産"),
        ("Kioxia shares jump", "キオクシア株が急伸"),
        ("Tokyo Electron raises its forecast", "東京エレクトロン、業績予想を上方修正"),
        ("SoftBank Group posts a profit", "ＳＢＧが黒字"),
        ("Nvidia results", "エヌビディア決算"),
        ("OpenAI opens a Tokyo office", "オープンＡＩが東京に拠点"),
    ]
    for english, japanese in pairs:
        en_ids, ja_ids = set(table.find(english)), set(table.find(japanese))
        assert en_ids & ja_ids, (english, en_ids, japanese, ja_ids)


def test_full_width_and_half_width_forms_are_one_name() -> None:
    table = load_entities()
    assert table.find("ｿﾌﾄﾊﾞﾝｸｸﾞﾙｰﾌﾟ") == {"softbank-group": 1}
    assert table.find("ＳＢＧ") == table.find("SBG") == {"softbank-group": 1}
    assert table.find("ＫＤＤＩとＮＴＴ") == {"kddi": 1, "ntt": 1}
    assert normalize("ＡＩ　３％") == "AI 3%"


def test_the_longest_name_wins_and_mentions_are_counted() -> None:
    table = load_entities()
    found = table.find(
        "SoftBank Corp, the telecom unit, rose. SoftBank Group fell. SoftBank said nothing."
    )
    assert found == {"softbank-corp": 1, "softbank-group": 2}


def test_short_names_that_are_words_match_only_as_written() -> None:
    table = load_entities()
    assert table.find("He armed himself and hurt his arm at the pharmacy.") == {}
    assert table.find("Arm Holdings and Arm rose; ARM too.") == {"arm": 3}
    assert table.find("a necessary step; the neck; nec plus ultra") == {}
    assert table.find("NEC and Fujitsu") == {"nec": 1, "fujitsu": 1}
    assert table.find("Meta raised its capex while the meta-analysis ...") == {"meta": 1}
    # "an open AI model" is no OpenAI (written "Open AI" it is).
    assert "openai" not in table.find("RIKEN releases an open AI model")
    assert table.find("SoftBank and Open AI form a venture")["openai"] == 1


def test_phrases_that_only_contain_a_name_count_for_nothing() -> None:
    table = load_entities()
    assert table.find("The SoftBank Hawks won the Japan Series.") == {"japan": 1}
    assert table.find("関東大震災から百年") == {}
    assert table.find("米財務省が発表した") == {}


def test_entities_carry_tags_and_kind() -> None:
    table = load_entities()
    kioxia = table.get("kioxia")
    assert {"japan", "company"} <= kioxia.tags and "ai" not in kioxia.tags
    assert "キオクシア" in kioxia.names
    assert {"japan", "softbank", "person"} <= table.get("masayoshi-son").tags
    assert "japan" not in table.get("openai").tags and "ai" in table.get("openai").tags
    assert {"japan", "ai"} <= table.get("sakana-ai").tags
    japanese_companies = [e for e in table if e.kind == "company" and "japan" in e.tags]
    assert len(japanese_companies) >= 150
    # Most have a Japanese name; a few (KDDI, TDK) are written in Latin letters in Japan too.
    with_japanese = [e for e in japanese_companies if any(not n.isascii() for n in e.names)]
    assert len(with_japanese) >= 120


def test_config_adds_and_replaces_entities(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        (REPO / "config.toml").read_text(encoding="utf-8")
        + """
[[relevance.entities]]
id = "acme-robotics"
kind = "company"
names = ["Acme Robotics", "アクメロボティクス"]
tags = ["japan", "ai"]

[[relevance.entities]]
id = "kioxia"
names = ["Kioxia"]
tags = ["japan", "chips", "ai"]
""",
        encoding="utf-8",
    )
    extra = load(path).relevance.entities
    table = load_entities(extra)
    assert table.find("アクメロボティクスが新型ロボットを発表") == {"acme-robotics": 1}
    assert "ai" in table.get("kioxia").tags
    assert table.find("キオクシア") == {}  # the replacement has only its own names
    assert "ai" not in load_entities().get("kioxia").tags  # the shipped table is untouched


def test_a_malformed_entity_in_config_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[[relevance.entities]]\nid = "x"\nkind = "planet"\nnames = ["X"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"relevance\.entities\[1\]: kind 'planet' is not one"):
        load(path)


def test_an_entity_defined_in_code_is_usable() -> None:
    extra = (Entity("zeta", "company", frozenset({"japan"}), ("Zeta Systems",)),)
    assert load_entities(extra).find("Zeta Systems and Sony") == {"zeta": 1, "sony": 1}


def test_short_katakana_names_do_not_match_inside_longer_katakana_words() -> None:
    table = load_entities()
    assert table.find("テスラが大規模リコール") == {}
    assert table.find("リコーが新型複合機") == {"ricoh": 1}
    assert table.find("スバルソン氏は語った") == {}
    assert table.find("ロシア外務省はコメントを控えた") == {}
    assert table.find("ソフトバンクモバイルの契約数") == {"softbank-group": 1}


def test_a_latin_name_set_in_japanese_may_run_on_into_a_figure() -> None:
    # Japanese writes "生成AI12種" (12 generative AI models) and "KDDI2社連合" without a space.
    table = load_entities()
    assert table.find("国内のKDDI2社連合が応札") == {"kddi": 1}
    assert table.find("生成ＡＩ１２種を評価、ＮＥＣ３社が参加") == {"nec": 1}
    # In English a name running on into a digit is another word: "NEC5" is no NEC.
    assert table.find("the NEC5 standard") == {}


def test_the_press_short_form_of_a_japanese_company_name_is_the_company() -> None:
    table = load_entities()
    assert table.find("ゆうちょ銀、窓口にAI") == {"japan-post-bank": 1}
    assert table.find("トヨタ自と日産自が提携") == {"toyota": 1, "nissan": 1}
    assert table.find("楽天G、AI子会社を設立") == {"rakuten": 1}
    # The long form is still one mention, not two.
    assert table.find("ゆうちょ銀行は12日") == {"japan-post-bank": 1}
    # A commission: 個人情報保護委員会 is 個人情報保護委 in a headline.
    assert table.find("個人情報保護委、生成AIで指針案") == {"ppc-japan": 1}
    # An entity added in config gets its short form too; a one-character stem does not.
    hokuriku = entity_from_table("hokuriku-bank", {"names": ["北陸銀行", "北銀行"]}, "config")
    assert hokuriku.names == ("北陸銀行", "北銀行", "北陸銀")


def test_korean_reports_name_japanese_places_and_foreign_ai_companies() -> None:
    assert load_entities().find("오픈AI, 도쿄에 연구소") == {"openai": 1, "tokyo": 1}
    # Meta's Korean name, but not inside the words it begins (metaverse, metadata).
    table = load_entities()
    assert table.find("메타, 日 홋카이도에 AI 데이터센터") == {"meta": 1, "hokkaido": 1}
    assert table.find("메타버스 플랫폼과 메타데이터") == {}
    assert table.find("오라클, 일본에 투자") == {"oracle": 1, "japan": 1}
    # ... and the Japanese companies of the beat by their Korean names.
    assert table.find("日 라피더스, 美 스타트업서 첫 수주") == {"rapidus": 1}
    assert table.find("도요타·소니, 자율주행 AI 합작") == {"toyota": 1, "sony": 1}
    assert table.find("키오시아, 신형 메모리 양산") == {"kioxia": 1}
    assert table.find("日 리코, 英 AI기업 인수") == {"ricoh": 1}


def test_the_wires_describe_japans_regulators_by_what_they_do() -> None:
    table = load_entities()
    assert table.find("Japan's antitrust watchdog warns on cloud") == {"jftc": 1}
    assert table.find("Japan's privacy watchdog drafts rules") == {"ppc-japan": 1}
    # Headlines drop the possessive: "Japan antitrust watchdog warns ...".
    assert table.find("Japan antitrust watchdog warns of cloud lock-in") == {"jftc": 1}
    assert table.find("Digital Agency to open AI platform to local governments") == {
        "digital-agency": 1
    }
    # The English press's short names of 厚生労働省, and its job centres in both languages.
    assert table.find("Japan's labor ministry to buy AI for Hello Work offices") == {
        "mhlw": 1, "hello-work": 1,
    }  # fmt: skip
    assert table.find("厚労省、全国のハローワークに生成AI") == {"mhlw": 1, "hello-work": 1}
    assert table.find("Ministry of Health, Labor and Welfare") == {"mhlw": 1}
    assert table.find("the labor ministry of South Korea") == {}


def test_japans_national_research_agencies_are_japanese_institutions() -> None:
    # Their AI models and approvals are named by their short names in Japanese headlines.
    table = load_entities()
    for text, key in [
        ("防災科研、線状降水帯をAIで予測", "nied"),
        ("NIED develops AI model for heavy rain bands", "nied"),
        ("海洋研究開発機構、AIで海水温を予測", "jamstec"),
        ("物材機構、AIで新材料を探索", "nims"),
        ("農研機構、AIで病害虫を診断", "naro"),
        ("国立がん研究センター、AIで内視鏡診断", "ncc-japan"),
        ("PMDA approves AI software for MRI reading", "pmda"),
        ("日本新聞協会、生成AIに声明", "newspaper-association"),
    ]:
        assert table.find(text) == {key: 1}, text
        assert "japan" in table.get(key).tags


def test_cities_below_the_prefectures_are_places_within_them() -> None:
    from monitor.namesakes import shared_site

    table = load_entities()
    for text, key, prefecture in [
        ("金沢市でAI実証", "kanazawa", "ishikawa"),
        ("AI data centre planned for Tomakomai", "tomakomai", "hokkaido"),
        ("半導体材料メーカー、鳥栖に新工場", "tosu", "saga"),
        ("Chipmaker's second plant in Kikuyo", "kikuyo", "kumamoto"),
    ]:
        assert table.find(text) == {key: 1}, text
        assert prefecture in table.get(key).within
    # A company named after its city stays the company.
    assert table.find("川崎重工業、AI搭載ロボ") == {"kawasaki-heavy": 1}
    # A city in one headline and its prefecture in the other are one site.
    assert shared_site("金沢市でAI実証", "Ishikawa Pref. to test AI base stations") == "ishikawa"


def test_the_large_japanese_insurers_are_japanese_companies() -> None:
    table = load_entities()
    for text, key in [
        ("三井住友海上、保険金査定に生成AI", "mitsui-sumitomo-insurance"),
        ("Mitsui Sumitomo Insurance to use AI for car claims", "mitsui-sumitomo-insurance"),
        ("損保ジャパン、AIで事故受付", "sompo"),
        ("東京海上日動火災保険", "tokio-marine"),
        ("日本生命、AI営業支援", "nippon-life"),
        ("Meiji Yasuda Life invests in AI start-up", "meiji-yasuda"),
    ]:
        assert table.find(text) == {key: 1}, text
        assert "japan" in table.get(key).tags


def test_the_nikkei_225_companies_are_japanese_companies() -> None:
    table = load_entities()
    assert table.find("日本郵船、AI運航最適化に250億円") == {"nyk": 1}
    assert table.find("Mitsui O.S.K. to spend 17bn yen on AI") == {"mol": 1}
    # A short name inside a longer word of another sense counts for nothing.
    assert table.find("中東レバノンで停電通知") == {}
    # Regional banks, and the Bank of Japan's name inside another bank's.
    assert table.find("八十二銀、融資審査にAI") == {"hachijuni-bank": 1}
    assert table.find("Iyo Bank to use AI") == {"iyo-bank": 1}
    assert table.find("北日本銀行は12日") == {"kita-nippon-bank": 1}
