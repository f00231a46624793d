"""Lone surrogates (JSON escapes, an emoji's pair cut by a feed) never break scoring."""

import io
import json

from scoring import Scorer
from scoring.cli import score_stream
from scoring.encodable import encodable


def test_encodable_replaces_each_lone_surrogate_in_place():
    assert encodable("plain") == "plain"
    assert encodable("caf\u00e9 \U0001f600") == "caf\u00e9 \U0001f600"
    assert encodable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert len(encodable("x\ud83d")) == 2


def test_the_scorer_reads_a_lone_surrogate_as_a_replacement_character():
    scorer = Scorer()
    broken = scorer.score("i will kill you tomorrow \ud83d")
    whole = scorer.score("i will kill you tomorrow \ufffd")
    assert broken.to_dict() == whole.to_dict()
    assert broken.alert


def test_score_posts_scores_a_line_with_a_lone_surrogate():
    lines = '{"id": 1, "text": "i will kill you \\ud800"}\n{"id": 2, "text": "ok"}\n'
    out, err = io.StringIO(), io.StringIO()
    score_stream(Scorer(), io.StringIO(lines), out, err)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["id"] for row in rows] == [1, 2]
    assert rows[0]["alert"] is True
