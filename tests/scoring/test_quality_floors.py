"""Regression floors: figures a broken model, a bad re-training or a lexicon slip would
miss. Not the model card's figures (those are cross-source, in docs/scorer.md): these
use the shipped scorer as it is, so they catch a regression, not measure quality."""

import json
from pathlib import Path

import pytest

from scoring import default_scorer, load_model, score_text
from scoring.train.fit import roc_auc
from scoring.train.sources import load_all

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "alerts" / "scoring_cases"
VALIDATION = ROOT / "scoring" / "model" / "validation.json"


def cases(name: str) -> list[dict]:
    with (CASES / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def rows():
    return load_all(ROOT / "data" / "scorer")


def alert_rate(texts) -> float:
    texts = list(texts)
    return sum(score_text(t).alert for t in texts) / len(texts)


def test_the_validation_figures_belong_to_the_shipped_model_and_hold_their_floors():
    report = json.loads(VALIDATION.read_text(encoding="utf-8"))
    assert report["version"] == load_model().version
    held_out = report["meta"]["held_out_auc"]
    floors = {
        ("violence", "openai"): 0.75,
        ("violence", "threatgram"): 0.65,
        ("self_harm", "openai"): 0.85,
        ("self_harm", "rmhd"): 0.75,
        ("bullying", "openai"): 0.75,
        ("bullying", "davidson"): 0.6,
    }
    for (head, source), floor in floors.items():
        assert held_out[head][source] >= floor, (head, source, held_out[head][source])


def test_it_ranks_hatecheck_threats_above_the_rest(rows):
    hatecheck = [r for r in rows if r.source == "hatecheck"]
    scores = [(r.labels["violence"], score_text(r.text).score) for r in hatecheck]
    auc = roc_auc([s for y, s in scores if y == 1], [s for y, s in scores if y == 0])
    assert auc >= 0.9


@pytest.mark.parametrize("category", ["self_harm", "bullying"])
def test_it_separates_our_own_self_harm_and_bullying_cases(category):
    rows = [c for c in cases("self_harm_bullying.jsonl") if c["category"] == category]
    results = [(c["label"], score_text(c["text"]).categories[category]) for c in rows]
    auc = roc_auc([s for y, s in results if y == 1], [s for y, s in results if y == 0])
    assert auc >= 0.85


def test_it_meets_most_expectations_of_the_held_out_family_cases():
    # Never tuned on, never pinned row by row (see scoring_cases/README.md): a floor only.
    met = 0
    rows = cases("holdout.jsonl")
    for case in rows:
        result = score_text(case["text"])
        met += result.alert == bool(case["label"])
    assert met / len(rows) >= 0.75


def test_it_rarely_alerts_on_pools_of_ordinary_posts(rows):
    davidson = [r for r in rows if r.source == "davidson"][::6]
    for group, ceiling in (("neither", 0.01), ("offensive", 0.03)):
        assert alert_rate(r.text for r in davidson if r.group == group) <= ceiling, group
    reddit = [r for r in rows if r.source == "rmhd"]
    for group, ceiling in (("guns", 0.05), ("teaching", 0.03), ("personalfinance", 0.02)):
        assert alert_rate(r.text for r in reddit if r.group == group) <= ceiling, group
    assert alert_rate(c["text"] for c in cases("ordinary.jsonl")) <= 0.1


@pytest.mark.parametrize(
    "case", cases("spanish.jsonl"), ids=lambda c: c["text"][:30].replace(" ", "_")
)
def test_it_reads_spanish_through_its_rules(case):
    result = default_scorer().score(case["text"])
    if case["label"]:
        assert result.alert
        assert result.categories[case["category"]] >= 0.5
    else:
        assert not result.alert
