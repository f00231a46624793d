"""The scorer is pure Python: importing it and scoring a text loads no Django and none of the
apps (import-linter's contract checks the source; this checks what actually gets loaded)."""

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT

PROBE = """
import json, sys
import scoring
result = scoring.score_text("I am going to hurt someone at school tomorrow")
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"loaded": loaded, "score": result.score}))
"""
APPS = {"django", "celery", "rest_framework", "accounts", "cases", "tipline", "alerts"}


def test_the_scorer_loads_no_django_and_no_app():
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert 0.0 <= report["score"] <= 1.0
    assert not APPS & set(report["loaded"]), APPS & set(report["loaded"])
    assert "scoring" in report["loaded"]
