"""Build ``scoring/_speedups`` (the learned tier's compiled lookups) in place.

    python scoring/build_speedups.py        # from the repository root; `make install` runs it

Needs a C compiler and the Python headers (``python3.11-dev``). The scorer works without
the extension (the pure-Python path, with one warning at load), so a failed build is
reported and leaves nothing half-built. Run as a script, not imported from ``scoring``: it
uses setuptools' ``build_ext`` directly, without reading the project's pyproject.toml (the
project is not a package to install).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    from setuptools import Distribution, Extension

    os.chdir(ROOT)
    extension = Extension(
        "scoring._speedups",
        sources=["scoring/_speedups.c"],
        extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    )
    dist = Distribution({"name": "scoring-speedups", "ext_modules": [extension]})
    build = dist.get_command_obj("build_ext")
    build.inplace = True
    build.build_temp = str(ROOT / "build" / "speedups")
    dist.run_command("build_ext")
    return 0


if __name__ == "__main__":
    sys.exit(main())
