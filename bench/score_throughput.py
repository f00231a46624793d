"""Throughput of the harm-language scorer on one core, with a baseline in the same run.

Usage (from the repository root):

    .venv/bin/python bench/score_throughput.py [--data DIR] [--n 200000]
        [--repeat 3] [--profile]

The mix cycles the Davidson tweets and the HateCheck cases (real tweets: mostly no
trigger word; synthetic cases: mostly one). The baseline is what a keyword list costs:
``str.lower()`` and one precompiled keyword regex over the same texts; the ratio
scorer/baseline is the figure to compare across machines. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import itertools
import pstats
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import Scorer  # noqa: E402

_BASELINE = re.compile(r"\b(?:kill|shoot|stab|gun|bomb|die|suicide|murder|knife|hurt)\w*")


def load_texts(data: Path) -> list[str]:
    texts: list[str] = []
    with (data / "davidson" / "data_labeled_data.csv").open(encoding="utf-8") as f:
        texts.extend(row["tweet"] for row in csv.DictReader(f))
    with (data / "hatecheck" / "test_suite_cases.csv").open(encoding="utf-8") as f:
        texts.extend(row["test_case"] for row in csv.DictReader(f))
    return texts


def timed(fn: Callable[[str], object], texts: Sequence[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            fn(t)
        best = min(best, time.perf_counter() - t0)
    return best


def baseline(text: str) -> bool:
    return _BASELINE.search(text.lower()) is not None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=200_000, help="posts per run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args(argv)

    pool = load_texts(args.data)
    texts = list(itertools.islice(itertools.cycle(pool), args.n))
    t_load = time.perf_counter()
    scorer = Scorer()
    t_load = time.perf_counter() - t_load
    score = scorer.score
    # warm caches (regex compilation of school terms, first-call costs)
    for t in texts[:1000]:
        score(t)

    t_scorer = timed(score, texts, args.repeat)
    t_base = timed(baseline, texts, args.repeat)
    hits = sum(1 for t in pool if scorer.score(t).matches)
    pps = len(texts) / t_scorer
    base_pps = len(texts) / t_base
    print(f"texts: {len(texts):,} (cycled from {len(pool):,}; {hits / len(pool):.1%} with a match)")
    print(f"lexicon load + compile: {t_load * 1000:.1f} ms")
    print(f"scorer:   {pps:12,.0f} posts/s  ({1e6 / pps:6.1f} us/post)")
    print(f"baseline: {base_pps:12,.0f} posts/s  (str.lower + one keyword regex)")
    print(f"ratio scorer/baseline: {pps / base_pps:.3f} (baseline is {base_pps / pps:.1f}x faster)")
    print("target: >= 10,000 posts/s on one core:", "met" if pps >= 10_000 else "NOT met")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for t in texts[:50_000]:
            score(t)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
