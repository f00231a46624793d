"""Lines of Python per app (migrations left out), and each app's share of the whole.

    .venv/bin/python bench/app_sizes.py            # the working tree
    .venv/bin/python bench/app_sizes.py --rev REV  # any commit, read through git

The layout's rule of thumb: no app under 5% or over 35% of the code.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "accounts", "cases", "tipline", "alerts", "scoring", "workspace", "summaries")


def _files(rev: str | None) -> dict[str, str]:
    """path -> text of every tracked .py file outside migrations, at `rev` or on disk."""
    listing = ["git", "ls-tree", "-r", "--name-only", rev] if rev else ["git", "ls-files"]
    names = subprocess.run(listing, cwd=ROOT, capture_output=True, text=True, check=True)
    paths = [
        name
        for name in names.stdout.splitlines()
        if name.endswith(".py") and "/migrations/" not in name and name.split("/")[0] in APPS
    ]
    if rev is None:
        return {path: (ROOT / path).read_text() for path in paths if (ROOT / path).exists()}
    return {
        path: subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        for path in paths
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=None, help="a git revision (default: working tree)")
    options = parser.parse_args()
    lines: dict[str, int] = dict.fromkeys(APPS, 0)
    for path, text in _files(options.rev).items():
        lines[path.split("/")[0]] += len(text.splitlines())
    total = sum(lines.values())
    for app in APPS:
        if lines[app]:
            share = 100 * lines[app] / total
            flag = "" if 5 <= share <= 35 else "  <- outside 5-35%"
            print(f"{app:10s} {lines[app]:6d} {share:5.1f}%{flag}")
    print(f"{'total':10s} {total:6d}")


if __name__ == "__main__":
    main()
