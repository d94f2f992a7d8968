#!/usr/bin/env bash
# Crash drill (scripts/drill.py): kill -9 `serve` at random moments during uploads (raw, multipart,
# gzip), ETL jobs and webhook deliveries (to a signature-checking receiver the drill runs), restart it
# and check the invariants after every kill; prints a table, then checks every event was delivered.
#   scripts/drill.sh            # the long version: 50 kills (`make drill`, with the release binary)
#   scripts/drill.sh --short    # 4 kills on small feeds (`make test`)
#   DRILL_POSTGRES=1 scripts/drill.sh   # on a throwaway PostgreSQL, with a `worker` process killed too
# The binary: $CATALOG_BINARY when set, else the debug `swift build` (as scripts/live-server.sh).
# Further arguments go to drill.py (--seed N replays a run, --kills N, --rows A,B,…).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/live-server.sh
source scripts/live-server.sh
binary=$(live_server_binary)

args=()
if [ "${1:-}" = "--short" ]; then
    shift
    args=(--kills 4 --per-round 3 --rows 200,2000,20000 --kill-after 0.05,1.5)
fi
if [ -n "${DRILL_POSTGRES:-}" ]; then
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    postgres_start
    trap postgres_stop EXIT
    export DRILL_DATABASE_URL=$CATALOG_TEST_DATABASE_URL
fi
python3 scripts/drill.py --binary "$binary" "${args[@]}" "$@"
