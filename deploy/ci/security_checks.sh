#!/usr/bin/env bash
# Security checks for CI: bandit (no high-severity findings) and, where advisory data can be
# had, a known-vulnerability audit of the pinned requirements.
#
# pip-audit needs an advisory service (PyPI's JSON API or OSV). This workplace reaches package
# registries only through their ordinary install clients, and neither advisory service answers
# here, so by default the audit is skipped with that reason rather than reporting a false
# "clean". Where the internet is available, set PIP_AUDIT=1 to run it strictly.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The tools come from the active environment (CI's fresh venv is first on PATH), else .venv.
tool() { command -v "$1" 2>/dev/null || echo ".venv/bin/$1"; }

echo "== bandit (high severity fails)"
"$(tool bandit)" -q -r accounts alerts config tipline -x '*/migrations/*' --severity-level high

echo "== pip-audit"
if [ "${PIP_AUDIT:-0}" = "1" ]; then
  "$(tool pip-audit)" --strict -r requirements.txt -r requirements-dev.txt --progress-spinner off
else
  echo "SKIPPED: no vulnerability-advisory service is reachable from this workplace (only the"
  echo "package registries' install clients are). Run 'PIP_AUDIT=1 $0' where it is."
fi
