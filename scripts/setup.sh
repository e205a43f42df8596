#!/usr/bin/env bash
# Creates .venv and installs the project with its pinned dependencies (and the Node.js
# packages the feed tests use). Re-runs the install only when pyproject.toml or
# package.json change. Sourced by run.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
stamp=.venv/.installed
want="$(cat pyproject.toml package.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  if [ -f package.json ] && command -v npm >/dev/null 2>&1; then
    npm ci --silent --no-audit --no-fund || npm install --silent --no-audit --no-fund
  fi
  echo "$want" > "$stamp"
fi
