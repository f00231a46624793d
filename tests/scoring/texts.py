"""The texts the scorer's tests read: the hand-written cases and the committed data."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "alerts" / "scoring_cases"


def case_texts() -> list[str]:
    """Every hand-written case's text, file by file in name order."""
    texts: list[str] = []
    for path in sorted(CASES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    return texts


def committed_texts() -> list[str]:
    """Every row of the committed data (data/scorer), then every hand-written case."""
    from scoring.train.sources import load_all

    return [r.text for r in load_all(ROOT / "data" / "scorer")] + case_texts()
