#!/usr/bin/env bash
# The test command: installs what is needed (a PostgreSQL server too, when root), then lint,
# types and the whole test suite. With CI set, the PostgreSQL tests fail rather than skip.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The storage tests run a throw-away PostgreSQL server; install one where it is missing.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
fi
.venv/bin/ruff check scheduler api tests benchmarks
.venv/bin/ruff format --check scheduler api tests benchmarks
.venv/bin/mypy scheduler api
.venv/bin/python -m pytest -n 2 "$@"
