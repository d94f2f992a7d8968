#!/usr/bin/env bash
# The whole test suite: starts the servers the tests need (a throwaway PostgreSQL and moto, a
# signature-checking S3 server), runs every test against them, and stops them again.
# Used by `make test` and so by CI. Arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/validate-openapi.sh

source scripts/postgres.sh
postgres_start
trap postgres_stop EXIT

scripts/with-moto.sh swift test "$@"
