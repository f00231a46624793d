"""Quality of the harm-language scorer on the committed data and on our own cases.

Usage (from the repository root):

    .venv/bin/python bench/score_quality.py [--data data/scorer] [--threshold 0.5]
        [--cases tests/alerts/scoring_cases/self_harm_bullying.jsonl]
        [--family-cases tests/alerts/scoring_cases/families.jsonl ...] [--show 0]

First the figures that do not flatter: the cross-source validation written by training
(``scoring/model/validation.json``: every row scored by a model that never saw its
source; AUC per head and held-out source for the shipped combination, the learned tier
alone and the rules alone; the alert rate of every pool of posts). Then the shipped
scorer itself on pools of ordinary posts (Davidson classes, each Reddit subreddit,
ThreatGram's non-threats, our hand-written ``ordinary.jsonl`` and ``spanish.jsonl``);
the training sources among them were seen in training, so those rates are optimistic.
Then, as before, ROC-AUC (HateCheck threats vs every other case; vs their contrasts only), alert
rates at the threshold (HateCheck threats and non-threats, Davidson per class), the same
for our hand-written self-harm/bullying cases, per family for the hand-written family
cases (``families.jsonl``, which the rules were tuned on, and ``holdout.jsonl``, written
before tuning and never tuned on: report both, separately), and peers' published
HateCheck figures. Standard library only (the scorer's own data loaders): ROC-AUC is the
Mann-Whitney statistic with ties counted half.
``--show N`` also prints the N highest-scoring negatives and lowest-scoring positives, for
error analysis (their text comes from the data files, never from this script).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import DEFAULT_THRESHOLD, Scorer, ScoreResult  # noqa: E402
from scoring.train.sources import KEYWORD_FLAGGED, load_all, ordinary  # noqa: E402

VALIDATION = ROOT / "scoring" / "model" / "validation.json"

THREATS = {"threat_dir_h", "threat_norm_h"}
CONTRAST_PREFIXES = ("negate_", "counter_", "profanity_nh", "target_", "slur_", "ident_")
PEERS = (
    ("tox-block", 0.707),
    ("toxic-comment-classifier", 0.600),
    ("Empath violence+weapon+kill", 0.653),
    ("alt-profanity-check", 0.444),
    ("hatesonar", 0.358),
)
DAVIDSON_CLASSES = {"0": "hate", "1": "offensive", "2": "neither"}
CASES = ROOT / "tests" / "alerts" / "scoring_cases"
SEVERITIES = ("none", "low", "medium", "high", "critical")


def roc_auc(pos: Sequence[float], neg: Sequence[float]) -> float:
    """P(score of a random positive > score of a random negative), ties counted 1/2."""
    if not pos or not neg:
        return float("nan")
    labelled = sorted([(s, 1) for s in pos] + [(s, 0) for s in neg])
    rank_sum = 0.0
    i = 0
    while i < len(labelled):
        j = i
        while j < len(labelled) and labelled[j][0] == labelled[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2  # ranks are 1-based
        rank_sum += avg_rank * sum(1 for k in range(i, j) if labelled[k][1] == 1)
        i = j
    n_pos, n_neg = len(pos), len(neg)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def rate(flags: Sequence[bool]) -> str:
    if not flags:
        return "   n/a"
    return f"{100.0 * sum(flags) / len(flags):6.2f}% of {len(flags)}"


def load_hatecheck(data: Path) -> list[dict[str, str]]:
    with gzip.open(data / "hatecheck" / "test_suite_cases.csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_davidson(data: Path) -> list[dict[str, str]]:
    with gzip.open(data / "davidson" / "labeled_data.csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report_validation(path: Path) -> None:
    """The held-out figures training wrote (each source scored by a model without it)."""
    if not path.exists():
        print(f"(no cross-source validation at {path}: run `make train-scorer`)")
        return
    v = json.loads(path.read_text(encoding="utf-8"))
    settings = v["meta"]["settings"]
    print(
        f"Cross-source validation (leave one source out; alert point at a false-positive "
        f"rate of {settings['fpr']:.1%} per head on ordinary posts)"
    )
    print(f"  rule weights per head: {v['meta']['rule_weights']}")
    print(f"  {'head':10} {'held-out source':16} {'shipped':>8} {'learned':>8} {'rules':>8}")
    for head, by_source in v["meta"]["held_out_auc"].items():
        for source, auc in by_source.items():
            learned = v["learned_only_auc"][head].get(source, float("nan"))
            rules = v["rules_only_auc"][head].get(source, float("nan"))
            print(f"  {head:10} {source:16} {auc:8.3f} {learned:8.3f} {rules:8.3f}")
    print("  alert rate per pool (held-out predictions, learned heads + rules):")
    for pool, figures in v["pools"].items():
        print(f"    {pool:32} {100 * figures['alert_rate']:6.2f}% of {figures['n']}")


def report_pools(scorer: Scorer, data: Path) -> None:
    """The shipped scorer on pools of ordinary posts (training sources: in-sample)."""
    print("\nShipped scorer on pools of posts (training sources were seen in training)")
    pools: dict[str, list[str]] = {}
    for r in load_all(data):
        if r.source in ("davidson", "rmhd", "threatgram"):
            pools.setdefault(f"{r.source}/{r.group}", []).append(r.text)
    for name in ("ordinary", "spanish"):
        path = CASES / f"{name}.jsonl"
        if path.exists():
            for c in load_cases(path):
                key = f"{name}/{c.get('pool', c.get('category'))}"
                if name == "spanish":
                    key += "/positive" if c["label"] else "/negative"
                pools.setdefault(key, []).append(str(c["text"]))
    for pool, texts in sorted(pools.items()):
        print(f"  {pool:32} {rate([scorer.score(t).alert for t in texts])}")
    # The competitor-stream proxy: ordinary posts (every source) that a keyword list
    # flags; the target is at most 3% alerting.
    flagged = [r.text for r in load_all(data) if ordinary(r) and KEYWORD_FLAGGED.search(r.text)]
    results = [scorer.score(t) for t in flagged]
    alerts = [r.alert for r in results]
    print(f"  {'keyword-flagged ordinary posts':32} {rate(alerts)}  (competitor-stream proxy)")
    # The halves by a stable hash of the text (bench/score_alert_rate.py): lexicon and
    # rule changes are tuned on the first and only measured on the second.
    for name, held in (("tuning half", False), ("held-out half", True)):
        half = [a for t, a in zip(flagged, alerts, strict=True) if proxy_held_out(t) == held]
        print(f"    {name:30} {rate(half)}")
    try:  # the second tier, when its model is installed (docs/scorer.md)
        from scoring.second_tier import SecondTier, SecondTierUnavailable

        second = SecondTier()
    except (ImportError, SecondTierUnavailable) as exc:
        print(f"  (second tier not run: {exc})")
    else:
        reviewed = [r.alert for r in second.review(scorer, flagged, results)]
        print(f"  {'  ... with the second tier':32} {rate(reviewed)}")


def proxy_held_out(text: str) -> bool:
    """The proxy's held-out half: the first byte of the text's SHA-256 is odd."""
    return hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 1


def load_cases(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def show(title: str, rows: list[tuple[float, str]], n: int) -> None:
    if n <= 0:
        return
    print(f"  {title}:")
    for score, text in rows[:n]:
        print(f"    {score:.3f}  {text.strip()[:140]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "scorer")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument(
        "--cases",
        type=Path,
        default=ROOT / "tests" / "alerts" / "scoring_cases" / "self_harm_bullying.jsonl",
    )
    parser.add_argument(
        "--family-cases",
        type=Path,
        nargs="*",
        default=[CASES / "families.jsonl", CASES / "holdout.jsonl"],
        help="family case files (text, family, category, label, min/max_severity)",
    )
    parser.add_argument("--show", type=int, default=0, help="print N worst errors per set")
    args = parser.parse_args(argv)
    scorer = Scorer(threshold=args.threshold)
    print(f"model {scorer.model_version}; threshold {args.threshold}; data {args.data}\n")
    report_validation(VALIDATION)
    report_pools(scorer, args.data)

    # --- HateCheck ---
    hc = load_hatecheck(args.data)
    scored = [(r, scorer.score(r["test_case"])) for r in hc]
    by_id = {r["case_id"]: r for r in hc}
    thr = [(r, s) for r, s in scored if r["functionality"] in THREATS]
    rest = [(r, s) for r, s in scored if r["functionality"] not in THREATS]
    contrasts = [(r, s) for r, s in rest if r["functionality"].startswith(CONTRAST_PREFIXES)]
    # Hateful rewrites of threats (misspelled, phrased as a question or opinion, split
    # over two clauses) are still threats; HateCheck labels them by the rewrite, so the
    # strict measure counts them as negatives. The second figure sets them aside.
    threat_ids = {r["case_id"] for r, _ in thr}
    rewrites = {
        r["case_id"]
        for r, _ in rest
        if r["label_gold"] == "hateful" and r["ref_case_id"].split(".")[0] in threat_ids
    }
    rest_clean = [(r, s) for r, s in rest if r["case_id"] not in rewrites]
    pos = [s.score for _, s in thr]
    print("\nHateCheck (3,728 template cases; in-sample: the violence head trains on them)")
    print(
        f"  ROC-AUC threats ({len(thr)}) vs every other case ({len(rest)}): "
        f"{roc_auc(pos, [s.score for _, s in rest]):.3f}"
    )
    print(
        f"  ROC-AUC threats vs contrasts (negate/counter/profanity/target/slur/ident, "
        f"{len(contrasts)}): {roc_auc(pos, [s.score for _, s in contrasts]):.3f}"
    )
    print(
        f"  ROC-AUC threats vs every other case except {len(rewrites)} hateful rewrites "
        f"of threats: {roc_auc(pos, [s.score for _, s in rest_clean]):.3f}"
    )
    print("  peers (threats vs rest): " + ", ".join(f"{n} {v:.3f}" for n, v in PEERS))
    print(f"  alert rate, threats:              {rate([s.alert for _, s in thr])}")
    for f in sorted(THREATS):
        print(f"    {f:28}    {rate([s.alert for r, s in thr if r['functionality'] == f])}")
    print(f"  alert rate, non-threats:          {rate([s.alert for _, s in rest])}")
    print(f"  alert rate, contrasts:            {rate([s.alert for _, s in contrasts])}")
    funcs = sorted({r["functionality"] for r, _ in rest})
    for f in funcs:
        flags = [s.alert for r, s in rest if r["functionality"] == f]
        if any(flags):
            print(f"    {f:28}    {rate(flags)}")
    show(
        "highest non-threats",
        sorted(((s.score, r["test_case"]) for r, s in rest_clean), reverse=True),
        args.show,
    )
    show("lowest threats", sorted((s.score, r["test_case"]) for r, s in thr), args.show)
    del by_id

    # --- Davidson ---
    dv = load_davidson(args.data)
    print(
        f"\nDavidson et al. ({len(dv):,} tweets; no threat label: should almost never alert;"
        " in-sample)"
    )
    dv_scored = [(r, scorer.score(r["tweet"])) for r in dv]
    print(f"  alert rate, all:                  {rate([s.alert for _, s in dv_scored])}")
    for cls, name in DAVIDSON_CLASSES.items():
        flags = [s.alert for r, s in dv_scored if r["class"] == cls]
        print(f"    class {cls} {name:22}    {rate(flags)}")
    show(
        "highest Davidson",
        sorted(((s.score, r["tweet"]) for r, s in dv_scored), reverse=True),
        args.show,
    )

    # --- own cases ---
    if args.cases.exists():
        cases = load_cases(args.cases)
        print(f"\nOwn self-harm / bullying cases ({args.cases.name}, {len(cases)} rows)")
        for cat in ("self_harm", "bullying"):
            rows = [c for c in cases if c["category"] == cat]
            res = [(c, scorer.score(str(c["text"]))) for c in rows]
            p = [s.categories[cat] for c, s in res if c["label"] == 1]
            n = [s.categories[cat] for c, s in res if c["label"] == 0]
            print(
                f"  {cat}: ROC-AUC ({cat} score) {roc_auc(p, n):.3f}; "
                f"alert rate positives {rate([s.alert for c, s in res if c['label'] == 1])}; "
                f"hard negatives {rate([s.alert for c, s in res if c['label'] == 0])}"
            )
            show(
                f"{cat} misses",
                sorted(
                    (s.score, str(c["text"])) for c, s in res if c["label"] == 1 and not s.alert
                ),
                args.show,
            )
            show(
                f"{cat} false alerts",
                sorted(
                    ((s.score, str(c["text"])) for c, s in res if c["label"] == 0 and s.alert),
                    reverse=True,
                ),
                args.show,
            )
    else:
        print(f"\n(no own cases at {args.cases})")
    for path in args.family_cases:
        report_families(scorer, path, args.show)
    return 0


def meets(case: dict[str, object], result: ScoreResult) -> bool:
    """The case's whole expectation: alert decision and its severity bounds."""
    sev = SEVERITIES.index(result.severity)
    lo = SEVERITIES.index(str(case.get("min_severity", "none")))
    hi = SEVERITIES.index(str(case.get("max_severity", "critical")))
    return result.alert == bool(case["label"]) and lo <= sev <= hi


def report_families(scorer: Scorer, path: Path, n_show: int) -> None:
    """Per family: alert rate on positives and negatives, expectations met, ROC-AUC."""
    if not path.exists():
        print(f"\n(no family cases at {path})")
        return
    cases = load_cases(path)
    print(f"\nFamily cases ({path.name}, {len(cases)} rows; expectation = alert + severity band)")
    families = sorted({str(c["family"]) for c in cases})
    total_ok = 0
    for fam in families:
        res = [(c, scorer.score(str(c["text"]))) for c in cases if c["family"] == fam]
        ok = [meets(c, s) for c, s in res]
        total_ok += sum(ok)
        p = [s.categories[str(c["category"])] for c, s in res if c["label"] == 1]
        n = [s.categories[str(c["category"])] for c, s in res if c["label"] == 0]
        auc = f"{roc_auc(p, n):.3f}" if p and n else "  n/a"
        print(
            f"  {fam:20} met {sum(ok):3}/{len(ok):<3} ROC-AUC {auc}; alert positives "
            f"{rate([s.alert for c, s in res if c['label'] == 1])}; negatives "
            f"{rate([s.alert for c, s in res if c['label'] == 0])}"
        )
        misses = [
            (s.score, f"[{s.severity}] {c['text']}")
            for (c, s), m in zip(res, ok, strict=True)
            if not m
        ]
        show(f"{fam} expectations missed", sorted(misses), n_show)
    print(f"  all families: expectations met {total_ok}/{len(cases)}")


if __name__ == "__main__":
    raise SystemExit(main())
