#!/usr/bin/env bash
# Creates .venv and installs the project with its pinned dependencies, and the npm packages
# of package.json (the web app's htmx, /docs' swagger-ui and redoc, the tests' axe-core and
# ical.js). Re-runs an install only when pyproject.toml or package.json change, or when
# node_modules is missing. Installs Node.js with apt when it is missing and we are root.
# Sourced by run.sh and test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
stamp=.venv/.installed
want="$(cat pyproject.toml package.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -d node_modules ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    npm ci --silent --no-audit --no-fund
  else
    echo "npm is missing: install Node.js and run npm ci (the web app and /docs need its packages)" >&2
  fi
  echo "$want" > "$stamp"
fi
