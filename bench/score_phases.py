"""Where the harm scorer's time goes, phase by phase, on the realistic mix (one core).

Usage (from the repository root):

    .venv/bin/python bench/score_phases.py [--n 20000] [--long-share 0.3] [--ordinary]
        [--repeat 2] [--python]

Each post goes through the phases ``Scorer.score`` runs, called one by one and timed in
the same loop (thread CPU time, so other processes' load counts less), then the whole
``Scorer.score`` is timed on the same posts in the same run: each phase is printed in
microseconds per post of the mix and as a share of that total (the baseline), so the
split stays comparable when the machine's load moves the absolute figures.

* obfuscation/emoji test: ``_disguised`` (leetspeak, spelled or stretched letters, emoji);
* n-grams: tokenizing and the unigram and bigram set (``features.grams``); compiled
  (``scoring._speedups``, unless ``--python``): only the test of whether the C code can
  translate the text itself (plain ASCII, no platform noise), and for disguised texts the
  set as before;
* learned heads: the lookups and the weighted sums (``LearnedModel.logits``), calibration;
  compiled: the calls that translate (in Python for texts not plain ASCII), read the
  n-grams, look them up and sum them;
* gate: whether the rule tier reads the post, and which core lexicons can match;
* rule tier: ``RuleTier.run`` on the posts the gate passes (lexicons read in context);
* explanations: the n-grams shown for the raised categories (``Scorer._matches``); compiled,
  with each raised head's contributions above the floor ranked in C (``Table.above``), as
  ``score`` does.

What is left of the total (combining the tiers, floors, the result) is printed as "the
rest"; a best-of-``--repeat`` is taken per phase.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_throughput import load_mix  # noqa: E402

from scoring import Scorer  # noqa: E402
from scoring.features import translated  # noqa: E402
from scoring.scorer import _LOW, _MIN_CONTRIBUTION  # noqa: E402

PHASES = (
    "obfuscation/emoji test",
    "n-grams",
    "learned heads",
    "gate",
    "rule tier",
    "explanations",
)


def one_round(scorer: Scorer, texts: Sequence[str]) -> Counter:
    clock = time.thread_time_ns
    spent: Counter = Counter()
    model = scorer.model
    table = scorer._table
    for text in texts:
        t0 = clock()
        disguised = scorer._disguised(text)
        t1 = clock()
        marks = None
        if table is None or disguised:
            features = scorer._features(text, disguised)
            t2 = clock()
            calibrated = model.calibrated(model.logits(features))
        else:
            found = table.scan_text(text)  # plain ASCII: translated in C, "learned heads"
            t2 = clock()
            if found is None:
                found = table.scan(translated(text))
            raw, marks, _, features = found[:4]
            calibrated = model.calibrated(raw)
        t3 = clock()
        scanned = ()
        normalized = None
        if scorer._read_by_rules(text, features, calibrated, disguised, marks):
            scanned, normalized = scorer._scan_plan(text, features, disguised)
        t4 = clock()
        if scanned:
            scorer.rules.run(text, categories=scanned, normalized=normalized)
        t5 = clock()
        spent.update(dict(zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=False)))
    # (text, its n-gram set, or None where score() finds the model's n-grams again)
    raised = [
        (
            text,
            scorer.features(text) if table is None or scorer._disguised(text) else None,
            dict(result.categories),
        )
        for text in texts
        if (result := scorer.score(text)).score >= _LOW
    ]
    t0 = clock()
    heads = scorer._heads
    for text, features, categories in raised:
        if features is None:  # as score() does: the contributions ranked in C
            up = [i for i, h in enumerate(heads) if categories[h] >= _LOW]
            ranked = table.above(translated(text), up, _MIN_CONTRIBUTION)
            above = dict(zip([heads[i] for i in up], ranked, strict=True))
            scorer._matches(text, None, categories, None, [], above=above)
        else:
            scorer._matches(text, features, categories, None, [])
    spent["explanations"] = clock() - t0
    t0 = clock()
    for text in texts:
        scorer.score(text)
    spent["total"] = clock() - t0
    return spent


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--long-share", type=float, default=0.3)
    parser.add_argument("--ordinary", action="store_true", help="only the ordinary posts")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--python", action="store_true", help="the pure-Python learned tier (not compiled)"
    )
    args = parser.parse_args(argv)

    texts = load_mix(args.n, args.long_share, only_ordinary=args.ordinary)
    scorer = Scorer(compiled=not args.python)
    for text in texts[:500]:  # first-call costs (lazily compiled patterns)
        scorer.score(text)
    rounds = [one_round(scorer, texts) for _ in range(args.repeat)]
    best = {k: min(r[k] for r in rounds) / len(texts) / 1000 for k in (*PHASES, "total")}
    total = best["total"]
    print(
        f"{len(texts):,} posts ({'ordinary only' if args.ordinary else 'harm-heavy mix'}), "
        f"learned tier {'compiled' if scorer.compiled else 'pure Python'}, thread CPU time, "
        f"best of {args.repeat}; Scorer.score in the same run: "
        f"{total:.1f} us/post ({1e6 / total:,.0f} posts/s)"
    )
    for phase in PHASES:
        print(f"  {phase:24} {best[phase]:6.1f} us/post  {best[phase] / total:6.1%}")
    rest = total - sum(best[p] for p in PHASES)
    print(f"  {'the rest':24} {rest:6.1f} us/post  {rest / total:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
