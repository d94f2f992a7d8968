#!/usr/bin/env bash
# The whole test suite: starts the servers the tests need (a throwaway PostgreSQL), runs every test
# against them, and stops them again. Used by `make test` and so by CI.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/validate-openapi.sh

source scripts/postgres.sh
postgres_start
trap postgres_stop EXIT

swift test "$@"
