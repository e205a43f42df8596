#!/usr/bin/env bash
# The test command: installs what is needed, then lint, types and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
.venv/bin/ruff check scheduler api tests benchmarks
.venv/bin/ruff format --check scheduler api tests benchmarks
.venv/bin/mypy scheduler api
.venv/bin/python -m pytest -n 2 "$@"
