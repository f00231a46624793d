"""What requiring two signals for the rules' violence floor would trade.

Usage (from the repository root):

    .venv/bin/python bench/score_floor_tradeoff.py

The shipped scorer lets the rules' own verdict stand in a post where they are confident
(the "floor", ``scoring/scorer.py``). Most of the competitor-stream proxy's violence
alerts come through it. This prints, for each level X of the learned tier's calibrated
violence logit (0.0 is its alert point), how many floor-raised violence alerts each pool
would lose if the floor also required the learned tier to reach X: harmful pools
(HateCheck threats, ThreatGram threats, moderation-set violence, our hand-written
violence cases and regression alerts) against ordinary ones (the proxy: ordinary posts
a keyword list flags; every ordinary post). Nothing here changes the scorer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "scoring"))

from test_regressions import ALERT  # noqa: E402

from scoring import Scorer  # noqa: E402
from scoring.train.sources import KEYWORD_FLAGGED, load_all, ordinary  # noqa: E402

LEVELS = (-4.0, -3.5, -3.0, -2.75, -2.5, -2.25, -2.0, -1.5, -1.0)
CASES = ROOT / "tests" / "alerts" / "scoring_cases"
_FLOOR = "violence: the rules alone"


def hand_written() -> list[str]:
    texts = []
    for path in sorted(CASES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                case = json.loads(line)
                if case.get("category") in ("violence", "weapons") and case.get("label") == 1:
                    texts.append(case["text"])
    return texts + list(ALERT)


def main() -> int:
    scorer = Scorer()
    model = scorer.model
    violence = model.heads.index("violence")
    rows = load_all(ROOT / "data" / "scorer")
    pools = {
        "HateCheck threats": [
            r.text for r in rows if r.source == "hatecheck" and r.labels.get("violence") == 1
        ],
        "ThreatGram threats": [
            r.text for r in rows if r.source == "threatgram" and r.group == "label2"
        ],
        "moderation set violence": [
            r.text for r in rows if r.source == "openai" and r.labels.get("violence") == 1
        ],
        "hand-written violence": hand_written(),
        "proxy (keyword-flagged ordinary)": [
            r.text for r in rows if ordinary(r) and KEYWORD_FLAGGED.search(r.text)
        ],
        "every ordinary post": [r.text for r in rows if ordinary(r)],
    }
    print("alerts lost if the violence floor also needed learned violence >= X")
    head = f"{'pool':34} {'posts':>6} {'alerts':>6} {'floor':>6}  "
    print(head + " ".join(f"{x:>6}" for x in LEVELS))
    for name, texts in pools.items():
        alerts = 0
        floored: list[float] = []
        for text in texts:
            result = scorer.score(text)
            alerts += result.alert
            if result.categories["violence"] >= scorer.threshold and any(
                r.startswith(_FLOOR) for r in result.reasons
            ):
                floored.append(model.calibrated(model.logits(scorer.features(text)))[violence])
        lost = [sum(z < x for z in floored) for x in LEVELS]
        print(
            f"{name:34} {len(texts):6} {alerts:6} {len(floored):6}  "
            + " ".join(f"{n:6}" for n in lost)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
