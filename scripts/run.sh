#!/usr/bin/env bash
# The run command: installs what is needed, then serves the HTTP API with the household
# example loaded for a demo tenant, and prints a demo API key and a curl line to start with.
# Settings come from the environment (see docs/api.md): by default a SQLite file under ./var/
# and http://127.0.0.1:8000. Extra arguments go to `scheduler-api serve` (e.g. --port 9000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
mkdir -p var
export CAREPATTERN_DATABASE_URL="${CAREPATTERN_DATABASE_URL:-sqlite:///./var/carepattern.sqlite}"
exec .venv/bin/scheduler-api serve --demo "$@"
