#!/usr/bin/env bash
# The test command: installs what is needed (with Debian's Chromium for the browser tests
# when /usr/bin/chromium is missing and we are root), then lint, types and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check scheduler api tests benchmarks
.venv/bin/ruff format --check scheduler api tests benchmarks
.venv/bin/mypy scheduler api
.venv/bin/python -m pytest -n 2 "$@"
