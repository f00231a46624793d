"""Throughput of the harm scorer on a realistic mix of post lengths, on one core.

Usage (from the repository root):

    .venv/bin/python bench/score_throughput.py [--n 20000] [--long-share 0.3]
        [--repeat 3] [--cli] [--profile]

The mix is sampled (seeded) from the committed training data: ``1 - long-share`` short
posts (Davidson tweets and ThreatGram replies, ~15-30 words) and ``long-share`` long ones
(Reddit posts and moderation samples, hundreds of words), like a feed that carries both.
By default every post of those sources (harm-heavy: a third of the replies are threats,
the rule tier reads many); ``--ordinary`` keeps only the posts that should almost never
alert, like a benign feed.
Three figures come from the same run, so their ratios compare across machines:

* the scorer (learned tier on every post, rules on candidates), posts/s in-process;
* the rule tier on every post, as the scorer before the learned tier did;
* a keyword baseline: ``str.lower()`` and one precompiled keyword regex.

``--cli`` also times ``manage.py score_posts`` end to end on the same posts (process
start, model load, JSON in and out), and ``django-admin score_posts`` with Django's full
start-up for comparison. Best of ``--repeat`` runs; the machine's other load shows.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import Scorer  # noqa: E402
from scoring.train.sources import load_all, ordinary  # noqa: E402

DATA = ROOT / "data" / "scorer"
_BASELINE = re.compile(r"\b(?:kill|shoot|stab|gun|bomb|die|suicide|murder|knife|hurt)\w*")


def load_mix(n: int, long_share: float, seed: int = 7, *, only_ordinary: bool = False):
    """``n`` texts: tweets and Telegram replies (short), Reddit posts and moderation
    samples (long); with ``only_ordinary``, only the posts that should almost never
    alert (a benign feed) instead of every post of those sources (harm-heavy)."""
    rows = [r for r in load_all(DATA) if not only_ordinary or ordinary(r)]
    short = [r.text for r in rows if r.source in ("davidson", "threatgram")]
    long = [r.text for r in rows if r.source in ("rmhd", "openai")]
    rng = random.Random(seed)
    n_long = round(n * long_share)
    texts = rng.choices(short, k=n - n_long) + rng.choices(long, k=n_long)
    rng.shuffle(texts)
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


def time_command(command: list[str], payload: Path, env: dict[str, str]) -> tuple[float, int]:
    with payload.open("rb") as stdin:
        t0 = time.perf_counter()
        done = subprocess.run(
            command, stdin=stdin, capture_output=True, cwd=ROOT, env=env, check=True
        )
        elapsed = time.perf_counter() - t0
    return elapsed, done.stdout.count(b"\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="posts in the mix")
    parser.add_argument("--long-share", type=float, default=0.3)
    parser.add_argument(
        "--ordinary", action="store_true", help="a benign feed: only the ordinary posts"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time score_posts")
    parser.add_argument("--profile", action="store_true", help="print the top functions")
    args = parser.parse_args(argv)

    texts = load_mix(args.n, args.long_share, only_ordinary=args.ordinary)
    words = sum(len(t.split()) for t in texts) / len(texts)
    t_load = time.perf_counter()
    scorer = Scorer()
    t_load = time.perf_counter() - t_load
    for t in texts[:500]:  # first-call costs
        scorer.score(t)
    t_scorer = timed(scorer.score, texts, args.repeat)
    t_rules = timed(scorer.rules.run, texts, 1)
    t_base = timed(baseline, texts, args.repeat)
    results = [scorer.score(t) for t in texts]
    candidates = sum(
        1
        for t in texts
        if scorer.is_candidate(
            t, f := scorer.features(t), scorer.model.calibrated(scorer.model.logits(f))
        )
    )
    pps, rules_pps, base_pps = (len(texts) / x for x in (t_scorer, t_rules, t_base))
    print(
        f"mix: {len(texts):,} posts, {1 - args.long_share:.0%} short / {args.long_share:.0%} "
        f"long, {words:.0f} words a post on average"
        + (" (ordinary posts only)" if args.ordinary else " (every post of the sources)")
    )
    print(f"model {scorer.model_version}: load {t_load * 1000:.0f} ms")
    print(f"candidates read by the rule tier: {candidates / len(texts):.1%}")
    print(f"alerts at the default threshold: {sum(r.alert for r in results) / len(texts):.2%}")
    print(f"scorer:          {pps:10,.0f} posts/s  ({1e6 / pps:6.1f} us/post)")
    print(f"rules on every post (the scorer before): {rules_pps:10,.0f} posts/s")
    print(f"keyword baseline: {base_pps:10,.0f} posts/s  (str.lower + one keyword regex)")
    print(f"ratio scorer/baseline: {pps / base_pps:.3f}; scorer/rules-only: {pps / rules_pps:.1f}")
    print("target >= 10,000 posts/s in-process:", "met" if pps >= 10_000 else "NOT met")
    if args.cli:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        with tempfile.TemporaryDirectory() as tmp:
            payload = Path(tmp) / "in.jsonl"
            with payload.open("w", encoding="utf-8") as f:
                for i, t in enumerate(texts):
                    f.write(json.dumps({"id": i, "text": t}) + "\n")
            python = sys.executable
            for name, command in (
                ("manage.py score_posts", [python, "manage.py", "score_posts"]),
                (
                    "django-admin score_posts (full Django start)",
                    [python, "-m", "django", "score_posts"],
                ),
            ):
                best, lines = min(time_command(command, payload, env) for _ in range(args.repeat))
                assert lines == len(texts), (name, lines)
                print(f"{name}: {len(texts) / best:10,.0f} posts/s ({best:.2f} s end to end)")
            print("target >= 5,000 posts/s through score_posts: see the first line above")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        for t in texts:
            scorer.score(t)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
