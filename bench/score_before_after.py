"""The scorer of another commit against the working tree's, in the same process.

Usage (from the repository root):

    .venv/bin/python bench/score_before_after.py [--rev HEAD | --python-path] [--n 20000]
        [--long-share 0.3] [--ordinary] [--repeat 3] [--no-check]

The ``scoring/`` package of ``--rev`` (its code, lexicons and model) is exported with
``git archive`` into a temporary directory and imported beside the current one, so both
score the same posts in the same process, turn about. The machine is shared, so the
figures are CPU time (``time.process_time``), best of ``--repeat`` rounds, each round
timing the old scorer and the new one turn about every 100 posts (so a change of the
machine's load in the middle of a round weighs on both alike):

* the whole scorer (``Scorer.score``) on the realistic mix of ``score_throughput.py``;
* the learned tier alone (features and the heads' logits), the path every post takes;
* a fresh process importing the package and building a ``Scorer`` (model and lexicons:
  what ``score_posts`` pays before its first post).

With ``--python-path`` no other commit is read: "before" is the working tree's scorer on
its pure-Python learned tier (``Scorer(compiled=False)``, the reference) and "after" the
same scorer on the compiled one (``scoring._speedups``); the start figures are then both
the working tree's.

Unless ``--no-check``, it then scores every row of the committed data and every
hand-written case with both and prints how many results differ (categories beyond 1e-9,
the alert, or the explained spans): a refactoring must print 0.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score_throughput import load_mix  # noqa: E402

import scoring  # noqa: E402
from scoring.train.sources import load_all  # noqa: E402

CASES = ROOT / "tests" / "alerts" / "scoring_cases"


def export(rev: str, into: Path) -> object:
    """Import ``scoring/`` as it was at ``rev``, as the package ``scoring_before``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "scoring"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "scoring").rename(into / "scoring_before")
    if (into / "scoring_before" / "_speedups.c").exists():
        build_extension(into)
    sys.path.insert(0, str(into))
    return importlib.import_module("scoring_before")


_BUILD = (
    "from setuptools import Distribution, Extension; "
    "ext = Extension('scoring_before._speedups', ['scoring_before/_speedups.c'], "
    "extra_compile_args=['-O2']); "
    "dist = Distribution({'name': 'before', 'ext_modules': [ext]}); "
    "build = dist.get_command_obj('build_ext'); build.inplace = True; "
    "build.build_temp = 'build'; dist.run_command('build_ext')"
)


def build_extension(into: Path) -> None:
    """Compile the exported commit's own ``_speedups.c`` beside it (the built module is
    not committed): a commit that has the compiled lookups is timed with them."""
    subprocess.run([sys.executable, "-c", _BUILD], cwd=into, capture_output=True, check=True)


_START = (
    "import time; t = time.process_time(); from {package} import Scorer; Scorer(); "
    "print(time.process_time() - t)"
)


def process_start(package: str, where: Path) -> float:
    """CPU seconds a fresh process spends importing the package and building a Scorer."""
    done = subprocess.run(
        [sys.executable, "-c", _START.format(package=package)],
        cwd=where,
        capture_output=True,
        check=True,
        text=True,
    )
    return float(done.stdout)


def cpu(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    t0 = time.process_time()
    for t in texts:
        fn(t)
    return time.process_time() - t0


def paired(
    before: Callable[[str], object],
    after: Callable[[str], object],
    texts: Sequence[str],
    chunk: int = 100,
) -> tuple[float, float]:
    """CPU seconds of ``before`` and of ``after`` over ``texts``, timed turn about every
    ``chunk`` posts (which goes first alternates), so that a change in the machine's load
    weighs on both alike."""
    spent = [0.0, 0.0]
    for k, i in enumerate(range(0, len(texts), chunk)):
        part = texts[i : i + chunk]
        order = ((0, before), (1, after)) if k % 2 == 0 else ((1, after), (0, before))
        for which, fn in order:
            spent[which] += cpu(fn, part)
    return spent[0], spent[1]


def learned(scorer) -> Callable[[str], object]:
    """The learned tier as the scorer runs it (compiled where it is), the obfuscation and
    emoji test included."""
    if hasattr(scorer, "_learned"):
        run, disguised = scorer._learned, scorer._disguised
        return lambda text: run(text, disguised(text))
    model, features = scorer.model, scorer.features
    return lambda text: model.logits(features(text))


def texts_to_check() -> list[str]:
    texts = [r.text for r in load_all(ROOT / "data" / "scorer")]
    for path in sorted(CASES.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    return texts


def differs(a, b) -> bool:
    if a.alert != b.alert or a.severity != b.severity:
        return True
    if any(abs(a.categories[c] - b.categories[c]) > 1e-9 for c in a.categories):
        return True
    return [(m.category, m.start, m.end) for m in a.matches] != [
        (m.category, m.start, m.end) for m in b.matches
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="the commit to compare against")
    parser.add_argument(
        "--python-path",
        action="store_true",
        help="compare the working tree's pure-Python learned tier with its compiled one",
    )
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--long-share", type=float, default=0.3)
    parser.add_argument("--ordinary", action="store_true", help="only the ordinary posts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-check", action="store_true", help="skip the identity check")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        texts = load_mix(args.n, args.long_share, only_ordinary=args.ordinary)
        start = {"before": [], "after": []}
        if args.python_path:
            old, new = scoring.Scorer(compiled=False), scoring.Scorer()
            if not new.compiled:
                parser.error("scoring._speedups is not built: run `make install`")
            label = "the pure-Python learned tier (before) vs the compiled one (after)"
            for _ in range(args.repeat):
                start["after"].append(process_start("scoring", ROOT))
            start["before"] = start["after"]
        else:
            before = export(args.rev, Path(tmp))
            label = f"{args.rev} (before) vs the working tree (after)"
            for _ in range(args.repeat):
                start["before"].append(process_start("scoring_before", Path(tmp)))
                start["after"].append(process_start("scoring", ROOT))
            old, new = before.Scorer(), scoring.Scorer()
            compiled = [getattr(s, "compiled", False) for s in (old, new)]
            label += " (compiled: before {}, after {})".format(*compiled)
        for t in texts[:500]:  # first-call costs (lazily compiled patterns)
            old.score(t)
            new.score(t)
        whole = {"before": [], "after": []}
        tier = {"before": [], "after": []}
        for _ in range(args.repeat):
            b, a = paired(old.score, new.score, texts)
            whole["before"].append(b)
            whole["after"].append(a)
            b, a = paired(learned(old), learned(new), texts)
            tier["before"].append(b)
            tier["after"].append(a)
        n = len(texts)
        print(
            f"{n:,} posts ({'ordinary only' if args.ordinary else 'harm-heavy mix'}), "
            f"{label}, CPU time, best of {args.repeat}"
        )
        for label, runs in (("Scorer.score", whole), ("learned tier", tier)):
            b, a = min(runs["before"]) / n * 1e6, min(runs["after"]) / n * 1e6
            print(
                f"  {label:14} before {b:6.1f} us/post ({1e6 / b:7,.0f}/s)   "
                f"after {a:6.1f} us/post ({1e6 / a:7,.0f}/s)   x{b / a:.2f}"
            )
        b, a = min(start["before"]) * 1000, min(start["after"]) * 1000
        print(f"  {'start':14} before {b:6.0f} ms CPU   after {a:6.0f} ms CPU (import, Scorer())")
        if not args.no_check:
            checked = texts_to_check()
            diff = sum(differs(old.score(t), new.score(t)) for t in checked)
            print(f"results that differ on {len(checked):,} committed texts: {diff}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
