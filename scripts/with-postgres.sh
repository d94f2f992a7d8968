#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL: scripts/with-postgres.sh swift test --filter Postgres
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
postgres_start
trap postgres_stop EXIT
"$@"
