"""What the scorer's second tier costs: embeddings per second on one core, and
``score_posts`` end to end with and without ``--second-tier`` on the realistic mix.

Usage (from the repository root):

    nice -n 10 .venv/bin/python bench/score_second_tier.py [--n 5000] [--repeat 2]
        [--ordinary]

The mix is ``bench/score_throughput.py``'s (seeded; 70% tweets and Telegram replies, 30%
Reddit posts and moderation samples; ``--ordinary``: only the posts that should almost
never alert). Every figure comes from the same run, BLAS on one thread
(``OPENBLAS_NUM_THREADS=1``), so the ratios compare across machines:

* candidates: the share of the mix the first tier scores "low" or above (what the second
  tier reads);
* embeddings/s per core on those candidates (``scoring.embed``, batches of 32), and on
  tweets alone;
* ``manage.py score_posts`` end to end (process start, model load, JSON in and out),
  without the flag (the default path) and with ``--second-tier``, best of ``--repeat``;
  the ratio of the two.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_throughput import load_mix, time_command  # noqa: E402

from scoring import Scorer  # noqa: E402
from scoring.embed import Embedder  # noqa: E402
from scoring.second_tier import SecondTier  # noqa: E402


def _cpu_rate(fn, items: Sequence[str]) -> float:
    t0 = time.process_time()
    fn(items)
    return len(items) / max(time.process_time() - t0, 1e-9)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--ordinary", action="store_true")
    args = parser.parse_args(argv)
    texts = load_mix(args.n, 0.3, only_ordinary=args.ordinary)
    scorer = Scorer()
    results = [scorer.score(t) for t in texts]
    candidates = [t for t, r in zip(texts, results, strict=True) if SecondTier.is_candidate(r)]
    print(f"mix: {len(texts)} posts ({'ordinary only' if args.ordinary else 'harm-heavy'})")
    print(
        f"  candidates (first tier 'low' or above, or alert): {len(candidates)} "
        f"({100 * len(candidates) / len(texts):.1f}%)"
    )
    embedder = Embedder()
    tweets = [t for t in texts if len(t) <= 280][:500]
    sample = candidates[:500]
    print(f"  embeddings/s per core, candidates: {_cpu_rate(embedder.embed, sample):8.1f}")
    print(f"  embeddings/s per core, tweets:     {_cpu_rate(embedder.embed, tweets):8.1f}")
    second = SecondTier(embedder=embedder)
    t0 = time.process_time()
    reviewed = second.review(scorer, texts, results)
    review_cpu = time.process_time() - t0
    changed = sum(a.alert != b.alert for a, b in zip(results, reviewed, strict=True))
    print(
        f"  second tier over the mix in-process: {len(texts) / review_cpu:8.1f} posts/s "
        f"CPU ({changed} alert decisions changed)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        payload = Path(tmp) / "posts.jsonl"
        payload.write_text(
            "".join(
                json.dumps({"id": str(i), "text": t}, ensure_ascii=False) + "\n"
                for i, t in enumerate(texts)
            ),
            encoding="utf-8",
        )
        figures = {}
        for name, extra in (("default", []), ("--second-tier", ["--second-tier"])):
            best = float("inf")
            for _ in range(args.repeat):
                elapsed, lines = time_command(
                    [python, "manage.py", "score_posts", *extra], payload, env
                )
                assert lines == len(texts), (name, lines)
                best = min(best, elapsed)
            figures[name] = len(texts) / best
            print(f"  manage.py score_posts {name:14} {figures[name]:8.1f} posts/s ({best:.2f} s)")
    ratio = figures["--second-tier"] / figures["default"]
    print(f"  ratio with / without the second tier: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
