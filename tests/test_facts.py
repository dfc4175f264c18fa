"""Reading amounts fast: the digit-led scan finds exactly what the regular expression finds."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import facts

# The pieces amounts are made of, and what surrounds them in text.
PIECES = [
    "1", "40", "3,740", "1.5", "0", "２", "①", "$", "US$", "us$ ", "HK$", "USD", "usd ", "Rs.",
    "rs ", "¥", "€", "£", "₩", "₹", "nt$", "億", "兆", "万", "千", "円", "ドル", "元", "billion",
    "bln", "bn", "m", "k", "yen", "dollars", "euro", "%", "％", " percent", "pct", "パーセント",
    "ポイント", " ", "  ", "\n", ",", ".", "a", "Z", "x", "比", "増", "-", "Aug.", "8月", "20日",
    "2026-08-20", "ſ", "K", "百", "천", "억",
]  # fmt: skip


def _scan(src: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in facts._amount_matches(src)]


def _reference(src: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in facts._AMOUNT.finditer(src)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24))
def test_the_digit_led_scan_matches_what_the_pattern_matches_everywhere(pieces):
    src = unicodedata.normalize("NFKC", "".join(pieces))
    assert _scan(src) == _reference(src)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_the_digit_led_scan_matches_on_any_text(text):
    src = unicodedata.normalize("NFKC", text)
    assert _scan(src) == _reference(src)


def test_amounts_of_a_wire_report_are_read_in_order():
    text = (
        "SoftBank to invest US$ 40bn; Rs. 12 crore, 3,740億円 and ¥374 billion, up 3.5% "
        "(前年同月比23.2%増) on Aug. 20, 1兆5000億円 of it"
    )
    assert facts.amounts(text) == [
        facts.Fact("USD", 4e10), facts.Fact("INR", 1.2e8), facts.Fact("JPY", 3.74e11),
        facts.Fact("%", 3.5), facts.Fact("%", 23.2), facts.Fact("JPY", 1.5e12),
        facts.Fact("date", 820),
    ]  # fmt: skip


def test_a_symbol_written_in_letters_starts_a_word():
    # "soars 42%" is a percentage, not 42 rupees ending "soa-rs"; "years 5 million" no sum.
    assert facts.amounts("Chip designer soars 42% in Tokyo debut") == [facts.Fact("%", 42.0)]
    assert facts.amounts("over five years 5 million subscribers") == []
    assert facts.amounts("Rs 500 crore and usd 40 million") == [
        facts.Fact("INR", 5e9), facts.Fact("USD", 4e7),
    ]  # fmt: skip


def test_halving_in_words_is_the_50_percent_cut_of_the_japanese_report():
    assert facts.amounts("Chain to halve food waste by 2030") == [facts.Fact("%", 50.0)]
    assert facts.amounts("cutting costs in half with 12 billion yen") == [
        facts.Fact("JPY", 1.2e10), facts.Fact("%", 50.0),
    ]  # fmt: skip
    half = [facts.Fact("%", 50.0)]
    assert facts.amounts("推論コストを半減") == facts.amounts("食品ロス5割減") == half
    assert facts.amounts("a half-hour session on behalf of investors") == []


def test_thousands_and_hundreds_inside_a_japanese_figure_multiply_its_scale():
    # "1兆3千億円" is 1.3 trillion yen, as "1兆3000億円" and "1.3 tril. yen" are.
    assert facts.amounts("１兆３千億円の借り入れ") == [facts.Fact("JPY", 1.3e12)]
    trillion = [facts.Fact("JPY", 1.3e12)]
    assert facts.amounts("1兆3000億円") == facts.amounts("1.3 tril. yen") == trillion
    assert facts.amounts("約5千億円を投じる") == [facts.Fact("JPY", 5e11)]
    assert facts.amounts("3千万円、5百万円、2万5千円") == [
        facts.Fact("JPY", 3e7), facts.Fact("JPY", 5e6), facts.Fact("JPY", 25000.0),
    ]  # fmt: skip
    assert facts.amounts("3천억원") == [facts.Fact("KRW", 3e11)]
    assert facts.amounts("3百貨店で販売") == []  # no currency, no amount
