"""Training: reproducible to the byte, triage exports as extra rows, and the artifact it
writes is the one the scorer loads."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import Scorer
from scoring.train.sources import HEADS, load_all, load_extra

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "scorer"


def train(out: Path, *extra: str) -> bytes:
    command = [sys.executable, "-m", "scoring.train", "--limit", "80", "--out", str(out)]
    done = subprocess.run([*command, *extra], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> tuple[Path, bytes]:
    path = tmp_path_factory.mktemp("model") / "first.json.gz"
    return path, train(path)


def test_it_trains_the_same_artifact_twice_to_the_byte(small_model, tmp_path):
    _path, first = small_model
    second = train(tmp_path / "second.json.gz")
    assert first == second
    body = json.loads(gzip.decompress(first))
    assert body["version"].startswith("harm-")
    assert body["heads"] == list(HEADS)
    assert body["meta"]["rows"] == 5 * 80


def test_the_scorer_loads_what_training_wrote(small_model):
    path, _ = small_model
    scorer = Scorer(model_path=path)
    assert scorer.model_version == json.loads(gzip.decompress(path.read_bytes()))["version"]
    assert 0.0 <= scorer.score("I will hurt you").score <= 1.0


def test_it_takes_triage_exports_as_extra_rows_and_changes_the_version(small_model, tmp_path):
    export = tmp_path / "triage.jsonl"
    rows = [
        {
            "text": "see you at the game tonight, we are going to kill it",
            "category": "violence",
            "label": 0,
            "alert_id": 1,
        },
        {
            "text": "he said he will stab me after school tomorrow",
            "category": "violence",
            "label": 1,
            "alert_id": 2,
        },
        {"text": "bringing my rifle to the range", "category": "weapons", "label": 0},
    ]
    export.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    extra = load_extra(export)
    assert [(e.source, e.labels["violence"], e.labels["self_harm"]) for e in extra] == [
        ("triage", 0, None),
        ("triage", 1, None),
    ]
    _path, first = small_model
    retrained = train(tmp_path / "retrained.json.gz", "--extra", str(export))
    before = json.loads(gzip.decompress(first))
    after = json.loads(gzip.decompress(retrained))
    assert after["version"] != before["version"]
    assert after["meta"]["extra"] == ["triage.jsonl"]


def test_it_rejects_a_malformed_export(tmp_path):
    export = tmp_path / "bad.jsonl"
    export.write_text(json.dumps({"text": "x", "category": "sports", "label": 1}) + "\n")
    with pytest.raises(ValueError, match=r"bad\.jsonl:1"):
        load_extra(export)


def test_every_source_labels_what_the_model_card_says():
    rows = load_all(DATA)
    by_source = {}
    for r in rows:
        by_source.setdefault(r.source, []).append(r)
    assert set(by_source) == {"davidson", "hatecheck", "openai", "rmhd", "threatgram"}
    rmhd = by_source["rmhd"]
    assert sum(r.labels["self_harm"] for r in rmhd) == 260
    assert {r.group for r in rmhd if r.labels["self_harm"] == 1} == {"suicidewatch"}
    threats = [r for r in by_source["hatecheck"] if r.labels["violence"] == 1]
    assert {r.group for r in threats} == {"threat_dir_h", "threat_norm_h"}
    assert all(r.labels["bullying"] is None for r in by_source["threatgram"])
    # Davidson's hate tweets are left out of the violence head (issue 15's fifth round);
    # its offensive and neither tweets stay violence negatives.
    davidson = by_source["davidson"]
    assert {r.labels["violence"] for r in davidson if r.group == "hate"} == {None}
    assert {r.labels["violence"] for r in davidson if r.group != "hate"} == {0}
    for head in HEADS:
        labels = [r.labels.get(head) for r in rows if r.labels.get(head) is not None]
        assert 0 < sum(labels) < len(labels), head


def test_per_head_source_weights_and_regularization_apply_to_their_head_only():
    import numpy as np

    from scoring.train.fit import Settings, _sample_weights, fit_heads
    from scoring.train.sources import Example

    rows = [
        Example("a", "you are awful", {"violence": 0, "self_harm": 0, "bullying": 1}),
        Example("a", "nice day", {"violence": 0, "self_harm": 0, "bullying": 0}),
        Example("a", "nice day again", {"violence": 0, "self_harm": 0, "bullying": 0}),
        Example("b", "i will hurt him", {"violence": 1, "self_harm": 0, "bullying": 1}),
        Example("b", "lunch at noon", {"violence": 0, "self_harm": 1, "bullying": 0}),
    ]
    settings = Settings(
        source_weight=(),
        head_source_weight=(("bullying", (("b", 4.0),)),),
        head_c=(("self_harm", 0.5),),
    )
    assert settings.c_of("self_harm") == 0.5 and settings.c_of("violence") == settings.c
    assert settings.source_weights_of("violence") == {}

    y = np.array([r.labels["bullying"] for r in rows])
    mask = np.ones(len(rows), dtype=bool)
    w = _sample_weights(rows, y, mask, settings, "bullying")
    # each (source, class) weighs the same, times its source's weight for this head
    assert w[0] == pytest.approx(2 * w[1]) and w[1] == pytest.approx(w[2])
    assert w[3] == pytest.approx(4 * w[0]) and w[4] == pytest.approx(4 * w[0])
    plain = _sample_weights(rows, y, mask, settings, "violence")
    assert plain[3] == pytest.approx(plain[0])
    # a source weighing 0 for a head is left out of that head's training only: without
    # "b", violence holds one class, and the fit says so
    feats = [{g.encode() for g in r.text.split()} for r in rows]
    fit_heads(rows, feats, Settings(min_df=1, source_weight=()))
    left_out = Settings(
        min_df=1, source_weight=(), head_source_weight=(("violence", (("b", 0.0),)),)
    )
    with pytest.raises(ValueError, match="head violence"):
        fit_heads(rows, feats, left_out)
