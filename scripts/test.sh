#!/usr/bin/env bash
# The whole test suite: starts the servers the tests need (a throwaway PostgreSQL and moto, a
# signature-checking S3 server), runs every test against them, and stops them again; checks the
# docs site, the Dockerfile, the docs' examples and the API against its OpenAPI document.
# Used by `make test` and so by CI. Arguments go to `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/validate-openapi.sh
scripts/docs.sh        # mkdocs build --strict
scripts/hadolint.sh    # the Dockerfile (there is no Docker engine to build it)

source scripts/postgres.sh
postgres_start
trap postgres_stop EXIT

scripts/with-moto.sh swift test "$@"

# Against a live `serve` (the binary the tests just built): the examples of the partner upload, mobile paging
# and analytics guides (a fresh server each), the analysts' page in headless Chromium, then schemathesis.
scripts/docs-examples.sh
scripts/dashboard-browser.sh
scripts/schemathesis.sh
# The short reliability drills: a few kill -9s during uploads and jobs, and the hostile request shapes.
scripts/drill.sh --short
scripts/abuse.sh --short --p99-ms 250
