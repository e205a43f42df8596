#!/usr/bin/env bash
# The test command: installs what is needed (when root: Debian's Chromium for the browser
# tests and a PostgreSQL server for the storage tests, where missing), then lint, types and
# the whole suite. With CI set, the browser and PostgreSQL tests fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
.venv/bin/ruff check scheduler api tests benchmarks
.venv/bin/ruff format --check scheduler api tests benchmarks
.venv/bin/mypy scheduler api
.venv/bin/python -m pytest -n 2 "$@"
