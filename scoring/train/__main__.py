"""``python -m scoring.train``: re-train the learned tier from the committed data.

    python -m scoring.train [--data data/scorer] [--extra triage.jsonl ...]
        [--out scoring/model/harm.json.gz] [--report report.json] [--fpr 0.01]
        [--limit N]

Steps (all deterministic: the same inputs give a byte-identical artifact):

1. load every source (sources.py) and any ``--extra`` triage exports;
2. read every row with the rule tier once (its strength per category);
3. leave-one-source-out: for each source, train on the others and score it, so every
   row has an honest prediction from a model that never saw its source;
4. per head, pick the rules' weight (from ``RULE_WEIGHTS``): the smallest whose mean
   held-out AUC over real-post sources is within ``RULE_WEIGHT_TOLERANCE`` of the best
   (HateCheck excluded: its templates flatter the rules);
5. per head, fit a Platt slope on those held-out predictions and pick the alert point
   where ``--fpr`` of the ordinary posts pass it (``ordinary``: Davidson's offensive and
   neither tweets, ThreatGram's non-threats, unflagged moderation samples, Reddit outside
   the mental-health subreddits; each source weighing the same); for violence, also no
   lower than where ``--keyword-fpr`` of the ordinary posts a keyword list would flag
   pass (``KEYWORD_FLAGGED``: kill, shoot, die, gun...: the posts whose false alarms made
   keyword lists useless);
6. train the shipped heads on every row; raise each alert point to where ``--fpr`` of
   the ordinary posts pass under the shipped heads themselves, if that is higher (they
   have seen those sources); write the artifact, versioned by a digest of its content,
   plus (``--report``) every validation figure as JSON.

Training needs scikit-learn and numpy (requirements-dev.txt); the scorer does not.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from scoring.features import grams
from scoring.learned import DEFAULT_MODEL, FORMAT
from scoring.lexicon import load_lexicons
from scoring.normalize import Normalizer
from scoring.ruletier import RuleTier

from .fit import Settings, fit_heads, out_of_source, roc_auc
from .sources import HEADS, KEYWORD_FLAGGED, Example, load_all, load_extra, ordinary

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = ROOT / "data" / "scorer"
RULE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
RULE_WEIGHT_TOLERANCE = 0.0
FLATTERING = ("hatecheck",)
# Heads whose alert point is also held to the keyword-flagged ordinary posts: violence is
# where a keyword list floods ("this test is killing me", "shoot me a text"). Holding
# self-harm to that pool too was tried: r/suicidewatch alerts fell from 92% to 60% for a
# small gain on the keyword-flagged posts (docs/scorer.md), so it is not.
KEYWORD_HEADS = ("violence",)


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def _float32(values: np.ndarray) -> str:
    """Little-endian float32, base64: what ``scoring.learned`` reads back."""
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def rule_strengths(rows: Sequence[Example]) -> np.ndarray:
    """(rows, heads) strength of the rule tier's evidence per head."""
    lex = load_lexicons()
    tier = RuleTier(lex, Normalizer(lex.emoji, lex.short_words()))
    out = np.zeros((len(rows), len(HEADS)))
    for i, r in enumerate(rows):
        outcome = tier.run(r.text)
        out[i] = [outcome.strength(h) for h in HEADS]
    return out


def labels_of(rows: Sequence[Example], head: str) -> np.ndarray:
    return np.array([-1 if r.labels.get(head) is None else r.labels[head] for r in rows])


def held_out_aucs(rows: Sequence[Example], scores: np.ndarray) -> dict[str, dict[str, float]]:
    """AUC per head and per held-out source (where the source has both classes)."""
    sources = np.array([r.source for r in rows])
    out: dict[str, dict[str, float]] = {}
    for h, head in enumerate(HEADS):
        y = labels_of(rows, head)
        out[head] = {}
        for src in sorted(set(sources.tolist())):
            m = sources == src
            pos, neg = scores[m & (y == 1), h], scores[m & (y == 0), h]
            if len(pos) and len(neg):
                out[head][src] = round(roc_auc(pos, neg), 4)
    return out


def choose_rule_weights(rows, oof, strengths) -> tuple[list[float], dict]:
    """Per head, the rules' weight with the best mean held-out AUC on real-post sources."""
    table = {}
    for w in RULE_WEIGHTS:
        aucs = held_out_aucs(rows, oof + w * strengths)
        table[str(w)] = {
            head: {
                "mean_auc_real_sources": round(
                    float(np.mean([v for s, v in aucs[head].items() if s not in FLATTERING])),
                    4,
                ),
                "aucs": aucs[head],
            }
            for head in HEADS
        }
    best = []
    for head in HEADS:
        top = max(table[str(w)][head]["mean_auc_real_sources"] for w in RULE_WEIGHTS)
        # the smallest weight within RULE_WEIGHT_TOLERANCE of the best: no more say for
        # the rules than the held-out figures ask for
        best.append(
            min(
                w
                for w in RULE_WEIGHTS
                if table[str(w)][head]["mean_auc_real_sources"] >= top - RULE_WEIGHT_TOLERANCE
            )
        )
    return best, table


def calibrate(
    rows, combined: np.ndarray, fpr: float, keyword_fpr: float, seed: int
) -> tuple[list, list]:
    """Per head: Platt slope on held-out logits, and the alert point: the logit where
    ``fpr`` of the ordinary posts pass; for violence, also no lower than where
    ``keyword_fpr`` of the ordinary posts a keyword list would flag pass (each source
    weighing the same in both pools)."""
    sources = np.array([r.source for r in rows])
    pool = np.array([ordinary(r) for r in rows])
    flagged = pool & np.array([KEYWORD_FLAGGED.search(r.text) is not None for r in rows])
    slopes, thresholds = [], []
    for h, head in enumerate(HEADS):
        y = labels_of(rows, head)
        m = y >= 0
        keys = list(zip(sources[m].tolist(), y[m].tolist(), strict=True))
        counts = {k: keys.count(k) for k in set(keys)}
        w = np.array([1.0 / counts[k] for k in keys])
        clf = LogisticRegression(C=1e4, solver="liblinear", random_state=seed)
        clf.fit(combined[m, h : h + 1], y[m], sample_weight=w * len(w) / w.sum())
        slopes.append(_round(float(clf.coef_[0, 0])))
        point = _alert_point(combined[:, h], sources, pool, fpr)
        if head in KEYWORD_HEADS:
            point = max(point, _alert_point(combined[:, h], sources, flagged, keyword_fpr))
        thresholds.append(_round(point))
    return slopes, thresholds


def _alert_point(scores: np.ndarray, sources: np.ndarray, pool: np.ndarray, fpr: float):
    """The lowest logit whose source-averaged pass rate over ``pool`` is <= ``fpr``."""
    negatives = {s: scores[(sources == s) & pool] for s in sorted(set(sources[pool].tolist()))}

    def rate(t: float) -> float:
        return float(np.mean([np.mean(v >= t) for v in negatives.values()]))

    candidates = np.unique(np.concatenate(list(negatives.values())))
    lo, hi = 0, len(candidates) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if rate(candidates[mid]) <= fpr:
            hi = mid
        else:
            lo = mid + 1
    return float(candidates[lo]) + 1e-6


def pools(rows, calibrated: np.ndarray) -> dict[str, dict]:
    """Alert rate (any head at its alert point, held-out predictions) per pool of posts."""
    alert = (calibrated >= 0.0).any(axis=1)
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(f"{r.source}/{r.group}", []).append(i)
    return {
        k: {"n": len(v), "alert_rate": round(float(alert[v].mean()), 4)}
        for k, v in sorted(groups.items())
    }


def artifact(heads, slopes, thresholds, rule_weights, meta) -> tuple[bytes, str]:
    body = {
        "format": FORMAT,
        "heads": list(HEADS),
        "bias": [_round(b) for b in heads.bias],
        "slope": slopes,
        "threshold": thresholds,
        "rule_weight": rule_weights,
        "norm_smoothing": heads.smoothing,
        "features": "\n".join(g.decode("utf-8") for g in heads.vocabulary),
        "idf2": _float32(heads.idf * heads.idf),
        "weights": [_float32(row * heads.idf) for row in heads.weights],
        "meta": meta,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    body["version"] = "harm-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0), body["version"]


def _limit(rows: list[Example], n: int) -> list[Example]:
    """An even sample of at most ``n`` rows per source (every k-th row, in file order)."""
    by_source: dict[str, list[Example]] = {}
    for r in rows:
        by_source.setdefault(r.source, []).append(r)
    kept = []
    for group in by_source.values():
        step = max(1, len(group) // n)
        kept.extend(group[::step][:n])
    return kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--report", type=Path)
    parser.add_argument("--fpr", type=float, default=0.005)
    # 0.9%, not 1%: issue 15's fifth round's violence head (HateCheck at full weight,
    # Davidson's hate tweets left out) ranks better held out, but at 1% its alert point
    # fell (5.02 -> 4.80): the alert-rate proxy's tuning half rose past 3% (35 of 1,145)
    # and a regression case alerted; at 0.9% the point is 5.11 and the proxy's tuning
    # half 32 (docs/scorer.md, "Fifth round: quality").
    parser.add_argument("--keyword-fpr", type=float, default=0.009)
    parser.add_argument("--limit", type=int, default=0, help="rows per source (tests)")
    parser.add_argument("--min-df", type=int, default=Settings.min_df)
    parser.add_argument("--c", type=float, default=Settings.c)
    args = parser.parse_args(argv)
    settings = Settings(min_df=args.min_df, c=args.c)

    rows = load_all(args.data)
    for path in args.extra:
        rows.extend(load_extra(path))
    if args.limit:
        rows = _limit(rows, args.limit)
    log = sys.stderr.write
    log(f"train: {len(rows)} rows\n")
    features = [grams(r.text) for r in rows]
    strengths = rule_strengths(rows)
    log("train: rules read; leave-one-source-out...\n")
    oof = out_of_source(rows, features, settings)
    rule_weights, by_weight = choose_rule_weights(rows, oof, strengths)
    combined = oof + np.array(rule_weights) * strengths
    slopes, thresholds = calibrate(rows, combined, args.fpr, args.keyword_fpr, settings.seed)
    calibrated = (combined - np.array(thresholds)) * np.array(slopes)
    log(f"train: rule weights {rule_weights}; fitting the shipped heads...\n")
    heads = fit_heads(rows, features, settings)
    # The shipped heads have seen these sources: on their own training posts they score
    # higher than on a new source. The alert point is the stricter of the two readings,
    # so that neither a new source nor posts like the training ones alert too often.
    # Davidson's offensive tweets addressed to "you" teach the bullying head to rank
    # insults high, and stay in the pool that should almost never alert: ranking and
    # alerting are two questions.
    shipped = heads.raw(features) + np.array(rule_weights) * strengths
    _, in_sample = calibrate(rows, shipped, args.fpr, args.keyword_fpr, settings.seed)
    thresholds = [max(a, b) for a, b in zip(thresholds, in_sample, strict=True)]
    calibrated = (combined - np.array(thresholds)) * np.array(slopes)
    counts: dict[str, dict[str, list[int]]] = {}
    for r in rows:
        for head in HEADS:
            lab = r.labels.get(head)
            if lab is not None:
                c = counts.setdefault(head, {}).setdefault(r.source, [0, 0])
                c[lab] += 1
    meta = {
        "settings": {
            "min_df": settings.min_df,
            "c": settings.c,
            "seed": settings.seed,
            "balance": settings.balance,
            "source_weight": dict(settings.source_weight),
            "head_source_weight": {h: dict(w) for h, w in settings.head_source_weight},
            "head_c": dict(settings.head_c),
            "norm_smoothing": settings.norm_smoothing,
            "max_features": settings.max_features,
            "fpr": args.fpr,
            "keyword_fpr": args.keyword_fpr,
        },
        "rows": len(rows),
        "rule_weights": dict(zip(HEADS, rule_weights, strict=True)),
        "extra": [p.name for p in args.extra],
        "label_counts": {
            h: {s: {"neg": c[0], "pos": c[1]} for s, c in v.items()} for h, v in counts.items()
        },
        "held_out_auc": held_out_aucs(rows, combined),
    }
    blob, version = artifact(heads, slopes, thresholds, rule_weights, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(blob)
    if args.report:
        report = {
            "version": version,
            "meta": meta,
            "learned_only_auc": held_out_aucs(rows, oof),
            "rules_only_auc": held_out_aucs(rows, strengths),
            "by_rule_weight": by_weight,
            "pools": pools(rows, calibrated),
            "slopes": slopes,
            "thresholds": thresholds,
        }
        args.report.write_text(json.dumps(report, indent=1, sort_keys=True), encoding="utf-8")
    log(f"train: wrote {args.out} ({len(blob):,} bytes), version {version}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
