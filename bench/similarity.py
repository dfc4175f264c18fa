"""Cross-validated similarity figures for `monitor compare`, and the refit of its model.

    python bench/similarity.py PAIRS.jsonl [--restrict] [--extra OWN.jsonl] [--refit OUT.json]

PAIRS.jsonl holds SemEval-2022 task 8 pairs (``pair_id``, ``lang1``, ``lang2``,
``a``, ``b``, ``overall``; 1 = same story ... 4 = very dissimilar), e.g.
``../shared/datasets/semeval2022-train/pairs.jsonl``. Pairs are split into 5
folds by connected article ids (a pair id, its copies and any pair sharing an
article stay on one side). For each fold the model of ``monitor.similarity`` is
fitted on the other folds (plus ``--extra`` pairs, our own labelled ones, which
are only ever trained on) and scored on this one. Printed, for the fitted
similarity and same-story probability and, measured in the same run, for the
raw encoder cosine of the first 700 characters and the character 3-gram
Jaccard of the whole texts:

* Pearson r against the rating (sign turned so that higher = more alike),
  overall, EN-EN, cross-language and per language pair;
* same-story AUC: rating 1 against the rest, on the same subsets.

``--seed`` deals the groups into folds differently (default 8, the README's run).

``--restrict`` evaluates (and reports) only EN-EN and X-EN pairs, the
acceptance set; training still uses every language pair unless
``--train-restricted``. ``--refit OUT.json`` then fits on every pair and writes
the coefficients (``monitor/similarity_model.json`` is what ships), choosing
the same-story threshold on the cross-validated predictions, or with ``--dev
WIRE-DEV`` on that set's labelled pairs; ``--dev`` alone prints the thresholds
the shipped model's coefficients would get there. Pairs ``novelty.events_differ``
keeps apart (other trading sessions, other countries) never fold in the product,
whatever their score, so they count as not folded there.

Encoder vectors are cached under ``--cache`` (default: a folder in the temp
dir), so a rerun costs seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from monitor import novelty  # noqa: E402
from monitor import similarity as sim  # noqa: E402
from monitor.encoder import Encoder  # noqa: E402

FOLDS = 5
RIDGE = 3.0  # L2 penalty on standardised basis columns (similarity)
LOGIT_L2 = 0.3  # the same for the logistic same-story model
RAW_CHARS = 700
COPY_LEXICAL = 0.5  # lex7 of syndicated copies (see README)
COPY_WEIGHT = 1.0
OWN_WEIGHT = 10.0  # our hand-labelled pairs test what SemEval does not (copies, templates)
RELATED = 0.45  # similarity of "somewhat similar" (rating 2.65)


class CachedEncoder:
    """``Encoder`` with an on-disk cache of vectors keyed by the text's SHA-1."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "vectors.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                keys, vecs = data["keys"], data["vecs"]
            self.vectors = {str(k): v for k, v in zip(keys, vecs, strict=True)}
        self.encoder = Encoder(cache_dir=folder / "model")
        self.dirty = False

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}
        todo = sorted(missing.items())
        for start in range(0, len(todo), 64):
            chunk = todo[start : start + 64]
            vecs = self.encoder.encode([t for _, t in chunk])
            self.vectors.update({k: v for (k, _), v in zip(chunk, vecs, strict=True)})
            self.dirty = True
        return np.stack([self.vectors[k] for k in keys]) if keys else np.zeros((0, 512), np.float32)

    def save(self) -> None:
        if self.dirty:
            keys = np.array(list(self.vectors))
            np.savez(self.path, keys=keys, vecs=np.stack(list(self.vectors.values())))


def split_article(text: str) -> tuple[str, str]:
    """(headline, body): the first line, or the text before the first double space."""
    text = text.strip()
    if "\n" in text[:300]:
        head, _, body = text.partition("\n")
        return head.strip(), body.strip()
    m = re.search(r"\s{2,}", text[:300])
    if m:
        return text[: m.start()].strip(), text[m.end() :].strip()
    m = re.search(r"(?<=[.!?。！？])\s", text[:300])
    if m:
        return text[: m.start()].strip(), text[m.end() :].strip()
    return text[:120], text[120:]


def trigram_jaccard(a: str, b: str) -> float:
    return sim.head_jaccard(a, b)


def load(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def groups_of(rows: list[dict]) -> np.ndarray:
    """Connected components over article ids (``pair_id`` = "idA_idB")."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        ids = str(r["pair_id"]).split("_")
        for other in ids[1:]:
            parent[find(ids[0])] = find(other)
    roots = [find(str(r["pair_id"]).split("_")[0]) for r in rows]
    names = {root: i for i, root in enumerate(dict.fromkeys(roots))}
    return np.array([names[x] for x in roots])


def features(rows: list[dict], enc: CachedEncoder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(model features, raw 700-char cosine, whole-text 3-gram Jaccard) per pair."""
    texts = [split_article(r[k]) for r in rows for k in ("a", "b")]
    prints = novelty.fingerprint_texts(texts, enc)
    x = np.stack(
        [novelty.pair_features(prints[i], prints[i + 1]) for i in range(0, len(prints), 2)]
    )
    raw = enc.encode([r[k][:RAW_CHARS] for r in rows for k in ("a", "b")])
    cos = (raw[0::2] * raw[1::2]).sum(axis=1)
    jac = np.array([trigram_jaccard(r["a"], r["b"]) for r in rows])
    return x, cos, jac


# --- fitting ------------------------------------------------------------------


# Columns whose weight may be negative. Low lexical overlap between *different*
# articles is often shared boilerplate of one outlet, which the raters marked
# dissimilar; the top ramps (copies) stay non-negative. The agreement terms of
# the two encoder views are free too (+0.015 r on EN-EN in CV).
FREE = (
    "lex7[0,",
    "lex7[0.05,",
    "lex7[0.15,",
    "lex7[0.3,",
    "jac3[0,",
    "jac3[0.1,",
    "jac3[0.2,",
    "jac3[0.3,",
    "head3[0,",
    "head3[0.1,",
    "head3[0.2,",
    "head3[0.35,",
    "cos_prod",
    "cos_max",
    *(f"{v}[{lo}," for v in ("cos_lead", "cos_head") for lo in ("0", "0.3", "0.45", "0.6")),
)


LEXICAL = ("lex7", "jac3", "head3")


def augment_copies(rows: list[dict], count: int) -> list[dict]:
    """Syndicated copies made from real articles: outlet suffix, page chrome, "bln" for "billion".

    Labelled by the wire-dev rules (a syndicated copy is the same story,
    rating 1); each is grouped with its source article, so CV never trains on
    a copy of an article it tests.
    """
    rng = np.random.default_rng(11)
    out = []
    for i in rng.choice(len(rows), size=min(count, len(rows)), replace=False):
        r = rows[int(i)]
        art_id = str(r["pair_id"]).split("_")[0]
        head, body = split_article(r["a"])
        cut = body[: max(400, int(len(body) * rng.uniform(0.6, 1.0)))]
        for word, short in (("billion", "bln"), ("million", "mln"), ("Milliarden", "Mrd")):
            cut = cut.replace(f" {word}", short)
        suffix = [" - Reuters", " | Nachrichten", " - Bloomberg.com", " (AFP)"][int(i) % 4]
        out.append({
            "pair_id": f"{art_id}_{art_id}copy", "lang1": r["lang1"], "lang2": r["lang1"],
            "a": f"{head}\n{body}", "b": f"{head}{suffix}\n{CHROME}{cut}", "overall": 1.0,
        })  # fmt: skip
    return out


CHROME = "Skip to main content\nMenu\nSearch\nSign in\nShare this article\nFacebook\nX\nEmail\n"


def _ridge_nonneg(a: np.ndarray, y: np.ndarray, w: np.ndarray, free: np.ndarray, lam: float):
    """min sum w (a c - y)^2 + lam |c|^2 (intercept column unpenalised), c >= 0 where not free.

    Coordinate descent on the Gram matrix: a few hundred sweeps over ~60
    columns converge to 1e-10.
    """
    g = a.T @ (a * w[:, None])
    b = a.T @ (w * y)
    pen = np.full(len(b), lam)
    pen[-1] = 0.0
    g = g + np.diag(pen)
    c = np.zeros(len(b))
    for _ in range(2000):
        biggest = 0.0
        for j in range(len(b)):
            new = c[j] + (b[j] - g[j] @ c) / g[j, j]
            if not free[j]:
                new = max(0.0, new)
            biggest = max(biggest, abs(new - c[j]))
            c[j] = new
        if biggest < 1e-10:
            break
    return c


def _logistic_nonneg(b: np.ndarray, y: np.ndarray, w: np.ndarray, free: np.ndarray, lam: float):
    """L2 logistic regression by Newton steps, with an active set for the non-negative weights."""
    active = np.ones(b.shape[1], bool)
    beta = np.zeros(b.shape[1])
    pen = np.full(b.shape[1], lam)
    pen[-1] = 0.0
    for _ in range(b.shape[1] + 1):
        cols = np.flatnonzero(active)
        beta[~active] = 0.0
        for _ in range(100):
            p = 1 / (1 + np.exp(-np.clip(b @ beta, -30, 30)))
            grad = b[:, cols].T @ (w * (p - y)) + pen[cols] * beta[cols]
            hess = b[:, cols].T @ (b[:, cols] * (w * p * (1 - p))[:, None]) + np.diag(pen[cols])
            step = np.linalg.solve(hess, grad)
            beta[cols] -= step
            if np.abs(step).max() < 1e-9:
                break
        wrong = active & ~free & (beta < 0)
        if not wrong.any():
            break
        active &= ~wrong
    beta[~active] = 0.0
    return beta


def fit(
    x: np.ndarray, target: np.ndarray, story: np.ndarray, weight: np.ndarray, rated: np.ndarray
) -> sim.Model:
    """Monotone ridge on the basis for similarity, then a logistic for same story on top.

    The ridge is fitted on the ``rated`` rows only (human ratings and synthetic
    copies); our own hand-labelled pairs say "same event or not", which only
    the logistic is fitted to.
    """
    z = sim.basis(x)
    mean, scale = z.mean(axis=0), z.std(axis=0)
    scale = np.where(scale < 1e-9, 1.0, scale)
    zs = (z - mean) / scale
    w = weight / weight.mean()
    a = np.hstack([zs, np.ones((len(zs), 1))])
    free = np.zeros(a.shape[1], bool)
    free[-2:] = True  # the cross-language indicator and the intercept
    for i, name in enumerate(sim.basis_names()):
        # A lexical ramp's copy for pairs in two languages stays monotone: the 7-grams
        # they share are names and numbers, and more of them never means less alike.
        free[i] = name.startswith(FREE) and not ("*" in name and name.startswith(LEXICAL))
    coef = _ridge_nonneg(a[rated], target[rated], w[rated], free, RIDGE)
    s = np.clip(a @ coef, 0.0, 1.0)
    b = np.hstack([sim.story_inputs(s, x), np.ones((len(x), 1))])
    free_b = np.zeros(b.shape[1], bool)
    free_b[-2:] = True
    beta = _logistic_nonneg(b, story, w, free_b, LOGIT_L2)
    return sim.Model(
        tuple(mean.tolist()), tuple(scale.tolist()), tuple(coef[:-1].tolist()), float(coef[-1]),
        tuple(beta[:-1].tolist()), float(beta[-1]), COPY_LEXICAL, 0.5, RELATED,
    )  # fmt: skip


def _shipped() -> bool:
    try:
        sim.load_model()
    except (OSError, ValueError, KeyError):
        return False
    return True


# --- figures ------------------------------------------------------------------


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    pos, neg = score[positive], score[~positive]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    # average ranks of ties
    allv = np.concatenate([pos, neg])
    for v in np.unique(allv):
        m = allv == v
        if m.sum() > 1:
            ranks[m] = ranks[m].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def is_acceptance(r: dict) -> bool:
    return r["lang2"] == "en" or r["lang1"] == "en"


def report(name_scores: dict[str, np.ndarray], rows: list[dict], mask: np.ndarray) -> None:
    target = np.array([(4 - r["overall"]) / 3 for r in rows])
    story = np.array([r["overall"] <= 1.0 for r in rows])
    pairs = np.array([f"{r['lang1']}-{r['lang2']}" for r in rows])
    subsets: list[tuple[str, np.ndarray]] = [("overall", mask)]
    subsets.append(("en-en", mask & (pairs == "en-en")))
    cross = np.array([r["lang1"] != r["lang2"] for r in rows])
    subsets.append(("cross-language", mask & cross))
    for lp in sorted(set(pairs[mask])):
        if lp != "en-en":
            subsets.append((lp, mask & (pairs == lp)))
    names = list(name_scores)
    print(f"{'subset':<16}{'n':>5}  " + "  ".join(f"{n + ' r':>16}" for n in names))
    for label, m in subsets:
        cells = "  ".join(f"{pearson(name_scores[n][m], target[m]):>16.3f}" for n in names)
        print(f"{label:<16}{int(m.sum()):>5}  {cells}")
    positives = int(story[mask].sum())
    print(f"\nsame-story AUC (rating 1 vs rest), n={int(mask.sum())}, positives={positives}")
    print(f"  {'subset':<16}pos")
    for label, m in subsets:
        cells = "  ".join(f"{n}={auc(name_scores[n][m], story[m]):.3f}" for n in names)
        print(f"  {label:<16}{int(story[m].sum()):>3}  {cells}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pairs", type=Path)
    ap.add_argument("--restrict", action="store_true", help="evaluate EN-EN and X-EN pairs only")
    ap.add_argument("--train-restricted", action="store_true", help="train on them only, too")
    ap.add_argument("--extra", type=Path, action="append", default=[], help="own labelled pairs")
    ap.add_argument("--copies", type=int, default=100, help="synthetic syndicated copies")
    ap.add_argument("--dev", type=Path, help="wire-dev folder: choose the verdict threshold on it")
    ap.add_argument("--refit", type=Path, help="write the model fitted on every pair here")
    ap.add_argument("--seed", type=int, default=8, help="how the groups are dealt into folds")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "monitor-bench-sim")
    args = ap.parse_args()

    rows = load(args.pairs)
    extra = [r for p in args.extra for r in load(p)] + augment_copies(rows, args.copies)
    enc = CachedEncoder(args.cache)
    start = time.perf_counter()
    x, cos, jac = features(rows + extra, enc)
    enc.save()
    print(f"features of {len(rows)} + {len(extra)} pairs in {time.perf_counter() - start:.1f} s")
    n = len(rows)
    all_rows = rows + extra
    target = np.array([(4 - r["overall"]) / 3 for r in all_rows])
    story = np.array([r["overall"] <= 1.0 for r in all_rows], dtype=float)
    accept = np.array([is_acceptance(r) for r in rows])
    groups = groups_of(rows)
    rng = np.random.default_rng(args.seed)
    fold = (rng.permutation(groups.max() + 1) % FOLDS)[groups]
    # A synthetic copy goes with its source article; our own pairs are spread round-robin.
    fold_of_article = {
        a: f for r, f in zip(rows, fold, strict=True) for a in r["pair_id"].split("_")
    }
    fold_all = np.concatenate([
        fold,
        [fold_of_article.get(str(r["pair_id"]).split("_")[0], i % FOLDS) if not r.get("note")
         else i % FOLDS for i, r in enumerate(extra)],
    ]).astype(int)  # fmt: skip
    trainable = np.ones(len(all_rows), bool)
    if args.train_restricted:
        trainable[:n] = accept
    weight = np.ones(len(all_rows))
    rated = np.array([not r.get("note") for r in all_rows])  # own pairs carry a note
    weight[n:][[str(r["pair_id"]).endswith("copy") for r in extra]] = COPY_WEIGHT
    weight[~rated] = OWN_WEIGHT
    pred_sim, pred_story = np.zeros(n), np.zeros(n)
    for f in range(FOLDS):
        train = trainable & (fold_all != f)
        model = fit(*(v[train] for v in (x, target, story, weight, rated)))
        test = fold == f
        s, p = model.score(x[:n][test])
        pred_sim[test], pred_story[test] = s, p
    mask = accept if args.restrict else np.ones(n, bool)
    print(f"\ngrouped {FOLDS}-fold CV, {'EN-EN and X-EN' if args.restrict else 'all'} pairs\n")
    report(
        {"similarity": pred_sim, "same_story": pred_story, "raw_cosine": cos[:n],
         "char3_jac": jac[:n]},
        rows, mask,
    )  # fmt: skip
    own = [i for i, r in enumerate(extra) if r.get("note")]
    if own:
        print("\nown pairs, each scored by the CV model of the fold that did not train on it:")
        own_s, own_p = np.zeros(len(extra)), np.zeros(len(extra))
        for f in range(FOLDS):
            keep = trainable & (fold_all != f)
            model = fit(*(v[keep] for v in (x, target, story, weight, rated)))
            test = fold_all[n:] == f
            own_s[test], own_p[test] = model.score(x[n:][test])
        for i in own:
            r, si, pi, xi = extra[i], own_s[i], own_p[i], x[n + i]
            print(f"  {r['pair_id']:<28} rating {r['overall']:.0f}  sim {si:.2f}  story {pi:.2f}  "
                  f"cos {xi[0]:.2f} head {xi[1]:.2f} lex7 {xi[2]:.2f} amt {xi[6]:.0f}/{xi[7]:.0f} "
                  f"ent {xi[8]:.0f}/{xi[9]:.0f}")  # fmt: skip
    if args.refit:
        full = fit(*(v[trainable] for v in (x, target, story, weight, rated)))
        cross_threshold = 0.0
        if args.dev:
            threshold, cross_threshold = dev_threshold(full, args.dev, enc)
            where = f"{args.dev.name} pairs"
        else:
            threshold, where = best_threshold(pred_story[mask], story[:n][mask] > 0), "CV"
        full = sim.Model(*list(full.__getattribute__(f) for f in sim.Model.__slots__[:6]),
                         full.copy_lexical, threshold, full.related, cross_threshold)  # fmt: skip
        n_own = sum(1 for r in extra if r.get("note"))
        fitted_on = (
            f"{args.pairs.name}: {n} rated pairs, {len(extra) - n_own} synthetic copies; "
            f"{n_own} own labelled pairs"
        )
        cv = {
            "pearson_overall": round(pearson(pred_sim[mask], target[:n][mask]), 4),
            "same_story_auc": round(auc(pred_story[mask], story[:n][mask] > 0), 4),
        }
        args.refit.write_text(
            full.to_json({"fitted_on": fitted_on, "cv": cv}),
            encoding="utf-8",
        )
        both = f"{threshold:.2f}, across languages {cross_threshold or threshold:.2f}"
        print(f"\nwrote {args.refit} (same-story threshold {both}: precision >= 0.5 on {where})")
    elif args.dev:
        shipped = sim.load_model()
        threshold, cross_threshold = dev_threshold(shipped, args.dev, enc)
        print(f"\nthresholds for the shipped coefficients on {args.dev.name}: {threshold:.2f}, "
              f"across languages {cross_threshold:.2f} (shipped: {shipped.same_story:.2f}, "
              f"{shipped.same_story_cross or shipped.same_story:.2f})")  # fmt: skip
    return 0


def best_threshold(
    p: np.ndarray, positive: np.ndarray, show: bool = False, apart: np.ndarray | None = None
) -> float:
    """The lowest same-story threshold (0.20 .. 0.90, step 0.02) at which folds are at least as
    often right as wrong (pair precision >= 0.5): a wrong fold loses the reader a story, so
    recall is bought only while a fold is more likely right than not.

    ``apart``: pairs the product keeps apart whatever their score (``kept_apart``); they
    never fold, so they are neither right nor wrong folds at any threshold (a same-story
    one among them is missed at every threshold).
    """
    never = np.zeros(len(p), bool) if apart is None else apart
    chosen = None
    for t in np.arange(0.2, 0.901, 0.02):
        pred = (p >= t) & ~never
        tp = int((pred & positive).sum())
        fp, fn = int((pred & ~positive).sum()), int((~pred & positive).sum())
        if show and round(t * 100) % 10 == 0:
            print(f"  threshold {t:.2f}: same story {tp}, wrong {fp}, missed {fn}")
        if chosen is None and tp and tp >= fp:
            chosen = round(float(t), 2)
    return 0.9 if chosen is None else chosen


def dev_threshold(model: sim.Model, root: Path, enc: CachedEncoder) -> tuple[float, float]:
    """Score the wire-dev pairs (``bench/wiredev.py``); best-F1 thresholds within and across
    languages (the encoder puts unrelated English-Japanese pairs of one beat closer)."""
    from wiredev import dev_pairs

    pairs = dev_pairs(root)
    items = {e["guid"]: e for a, b, _ in pairs for e in (a, b)}
    keys = list(items)
    texts = [(items[k]["title"], items[k]["text"]) for k in keys]
    prints = dict(zip(keys, novelty.fingerprint_texts(texts, enc), strict=True))
    enc.save()
    x = np.stack([novelty.pair_features(prints[a["guid"]], prints[b["guid"]]) for a, b, _ in pairs])
    y = np.array([same for _, _, same in pairs])
    s, p = model.score(x)
    print(f"\n{root.name}: {len(pairs)} pairs, {int(y.sum())} same story")
    print(f"  AUC same_story {auc(p, y):.3f}, similarity {auc(s, y):.3f}, "
          f"headline+lead cosine {auc(x[:, 0], y):.3f}")  # fmt: skip
    apart, removed = kept_apart([(prints[a["guid"]], prints[b["guid"]]) for a, b, _ in pairs])
    for rule, m in removed.items():
        print(f"  kept apart by {rule}: {int(m.sum())} pairs ({int(y[m].sum())} same story, "
              f"{int((m & (x[:, 5] > 0)).sum())} across languages), never folded")  # fmt: skip
    cross = x[:, 5] > 0
    print(f"  same language: {int((~cross).sum())} pairs, {int(y[~cross].sum())} same story")
    same = best_threshold(p[~cross], y[~cross], show=True, apart=apart[~cross])
    print(f"  across languages: {int(cross.sum())} pairs, {int(y[cross].sum())} same story")
    return same, best_threshold(p[cross], y[cross], show=True, apart=apart[cross])


def kept_apart(
    pairs: list[tuple[novelty.Fingerprint, novelty.Fingerprint]],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Which pairs ``novelty.events_differ`` keeps apart, and which of them each rule takes.

    The product turns such a pair's fold into "related" before any threshold
    applies, so a threshold chosen on their scores guards against folds it never
    makes. Rules are counted in the order ``events_differ`` applies them.
    """
    apart = np.array([novelty.events_differ(a, b) for a, b in pairs], bool)
    session = np.array([bool(a.session and b.session and a.session != b.session)
                        for a, b in pairs], bool)  # fmt: skip
    rules = {"another trading session": apart & session, "another country": apart & ~session}
    return apart, rules


if __name__ == "__main__":
    raise SystemExit(main())
