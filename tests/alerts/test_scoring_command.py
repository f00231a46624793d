"""``manage.py score_posts``: streams, contract, bad lines, through call_command (the
project's Django settings, never the database) and as ``manage.py`` runs it (no Django).
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from scoring import default_scorer

ROOT = Path(__file__).resolve().parents[2]


def run(lines, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "score_posts", *args, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, stderr=err
    )
    return [json.loads(x) for x in out.getvalue().splitlines()], err.getvalue()


def test_it_scores_json_lines_in_input_order():
    threat = "I'm going to shoot up the school tomorrow 🔫"
    rows, err = run(
        [
            json.dumps({"id": "a", "text": threat}),
            json.dumps({"id": "b", "text": "this test is killing me 😂"}),
            json.dumps({"id": 3, "text": "I want to die"}),
        ]
    )
    assert [r["id"] for r in rows] == ["a", "b", 3]
    assert rows[0]["alert"] is True and rows[0]["severity"] == "critical"
    assert rows[1]["alert"] is False and rows[1]["severity"] == "none"
    assert rows[2]["alert"] is True and rows[2]["categories"]["self_harm"] > 0.5
    assert set(rows[0]) == {"id", "score", "severity", "categories", "alert", "matches"}
    gun = next(m for m in rows[0]["matches"] if m["category"] == "weapons")
    assert gun["phrase"] == "🔫" and gun["start"] == threat.index("🔫") == 42
    assert err == ""


def test_it_answers_bad_lines_with_an_error_and_goes_on():
    rows, err = run(
        [
            "this is not json",
            json.dumps({"id": "no-text"}),
            "",
            json.dumps({"id": "num", "text": 42}),
            json.dumps(["a", "list"]),
            json.dumps({"id": "ok", "text": "kill yourself"}),
        ]
    )
    assert [r.get("id") for r in rows] == [None, "no-text", "num", None, "ok"]
    assert all("error" in r for r in rows[:4])
    assert rows[4]["alert"] is True and "error" not in rows[4]
    assert "line 1:" in err and "not valid JSON" in err
    assert 'line 2: missing "text"' in err
    assert "line 4:" in err and "must be a string" in err
    assert "line 5:" in err


def test_it_uses_the_threshold_option():
    line = [json.dumps({"id": "x", "text": "I'm going to kill you"})]
    default, _ = run(line)
    strict, _ = run(line, "--threshold", "0.99")
    assert default[0]["alert"] is True
    assert strict[0]["alert"] is False
    assert strict[0]["score"] == default[0]["score"]
    with pytest.raises(CommandError):
        run(line, "--threshold", "2")


def test_it_takes_school_terms():
    line = [json.dumps({"id": "x", "text": "I'm going to shoot people at Lincoln"})]
    plain, _ = run(line)
    named, _ = run(line, "--school-term", "Lincoln")
    assert named[0]["categories"]["violence"] > plain[0]["categories"]["violence"]


def test_it_prints_the_model_version():
    out = io.StringIO()
    call_command("score_posts", "--model-version", stdout=out)
    assert out.getvalue().strip() == default_scorer().model_version


def test_manage_py_streams_without_starting_django():
    # Settings that do not exist: Django would fail to start; the scorer needs none.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "no.such.settings"}
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate(["hi", "kill yourself"])]
    done = subprocess.run(
        [sys.executable, "manage.py", "score_posts"],
        input="\n".join(lines) + "\nnot json\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(x) for x in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == [0, 1, None]
    assert rows[1]["alert"] is True and "error" in rows[2]
    assert "line 3: not valid JSON" in done.stderr
    version = subprocess.run(
        [sys.executable, "manage.py", "score_posts", "--model-version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    assert version.stdout.strip() == default_scorer().model_version
