"""The alert rate on the competitor-stream proxy, split in two halves, beside what must alert.

Usage (from the repository root):

    .venv/bin/python bench/score_alert_rate.py [--show N] [--threshold 0.5] [--tuning-only]

The proxy is every ordinary post of the committed data that a keyword list flags
(``KEYWORD_FLAGGED``: kill, shoot, die, gun...; issue 15's target: at most 3% alerting).
It is split by a stable hash of each text (the first byte of its SHA-256, even: the
*tuning* half; odd: the *held-out* half). Changes to the lexicons and rules are tuned
against the tuning half only; ``--show`` prints the tuning half's alerts and never the
held-out half's, whose figure is only reported, so it estimates the rate on a stream
nobody tuned for. Each half's alerts are broken down by how they were raised: a category
raised by the rules' floor (their verdict standing on its own) or by the combination.

Beside it, what a change must not lose: the alert rate of HateCheck threats, ThreatGram
threats, moderation-set violence and self-harm, r/suicidewatch, and our hand-written
violence, self-harm and regression alerts (the harmful pools), and the ordinary pools.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "scoring"))
sys.path.insert(0, str(ROOT / "bench"))

from score_quality import proxy_held_out  # noqa: E402
from test_regressions import ALERT  # noqa: E402

from scoring import DEFAULT_THRESHOLD, Scorer  # noqa: E402
from scoring.train.sources import KEYWORD_FLAGGED, load_all, ordinary  # noqa: E402

CASES = ROOT / "tests" / "alerts" / "scoring_cases"


def route(result) -> str:
    """How an alert was raised: the top category, and whether the rules' floor did it."""
    top = max(result.categories, key=result.categories.get)
    floor = any(r.startswith(f"{top}: the rules alone") for r in result.reasons)
    return f"{top} by the {'floor' if floor else 'combination'}"


def rules_alone(scorer: Scorer, text: str) -> bool:
    """The rules' own verdict at the alert point in any category (the scorer before the
    learned tier read every post with the rules alone)."""
    return any(logit >= 0.0 for logit in scorer.rules.run(text).logits.values())


def hand_written(categories: tuple[str, ...]) -> list[str]:
    texts = []
    for path in sorted(CASES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    case = json.loads(line)
                    if case.get("category") in categories and case.get("label") == 1:
                        texts.append(case["text"])
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print N tuning-half alerts")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument(
        "--tuning-only", action="store_true", help="while tuning: leave the held-out half out"
    )
    args = parser.parse_args()
    scorer = Scorer(threshold=args.threshold)
    rows = load_all(ROOT / "data" / "scorer")
    print(f"model {scorer.model_version}; threshold {args.threshold}")
    proxy = [r for r in rows if ordinary(r) and KEYWORD_FLAGGED.search(r.text)]
    shown = 0
    total = 0
    for half in ("tuning",) if args.tuning_only else ("tuning", "held-out"):
        texts = [r for r in proxy if proxy_held_out(r.text) == (half == "held-out")]
        routes: Counter[str] = Counter()
        sources: Counter[str] = Counter()
        for r in texts:
            result = scorer.score(r.text)
            if not result.alert:
                continue
            routes[route(result)] += 1
            sources[r.source] += 1
            if half == "tuning" and shown < args.show:
                shown += 1
                print(f"  [{route(result)}; {r.source}/{r.group}] {r.text.strip()[:200]!r}")
                for reason in result.reasons[:4]:
                    print(f"      {reason}")
        n = sum(routes.values())
        total += n
        # Baselines in the same run: the keyword list flags every post of the proxy; the
        # rules alone (their own verdict on every post, the scorer before the learned
        # tier) alert on this many.
        rules = sum(rules_alone(scorer, r.text) for r in texts)
        print(
            f"proxy, {half} half: {n} of {len(texts)} alert ({100 * n / len(texts):.2f}%); "
            f"rules alone {rules} ({100 * rules / len(texts):.2f}%, ratio "
            f"{n / max(rules, 1):.2f}); keyword list {len(texts)} (100%)"
        )
        print(
            "    "
            + ", ".join(f"{k} {v}" for k, v in routes.most_common())
            + "; by source: "
            + ", ".join(f"{k} {v}" for k, v in sorted(sources.items()))
        )
    if not args.tuning_only:
        print(f"proxy, both halves: {total} of {len(proxy)} ({100 * total / len(proxy):.2f}%)")

    harmful = {
        "HateCheck threats": [
            r.text for r in rows if r.source == "hatecheck" and r.labels.get("violence") == 1
        ],
        "ThreatGram threats": [
            r.text for r in rows if r.source == "threatgram" and r.group == "label2"
        ],
        "moderation set violence": [
            r.text for r in rows if r.source == "openai" and r.labels.get("violence") == 1
        ],
        "moderation set self-harm": [
            r.text for r in rows if r.source == "openai" and r.labels.get("self_harm") == 1
        ],
        "r/suicidewatch": [r.text for r in rows if r.group == "suicidewatch"],
        "hand-written violence/weapons": hand_written(("violence", "weapons")),
        "hand-written self-harm": hand_written(("self_harm",)),
        "hand-written bullying": hand_written(("bullying",)),
        "regression alerts": list(ALERT),
        "every ordinary post": [r.text for r in rows if ordinary(r)],
    }
    for name, texts in harmful.items():
        n = sum(scorer.score(t).alert for t in texts)
        print(f"{name:32} {n:6} of {len(texts):6} alert ({100 * n / len(texts):6.2f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
