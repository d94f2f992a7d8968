#!/usr/bin/env bash
# Read-path benchmark, release build (issue 6): 1M products and 1M order lines in a throwaway
# PostgreSQL; GET /products?limit=50 (first page and a deep cursor page) under wrk on loopback
# (32 connections), served from the node's SQLite read model; then each
# analytics endpoint over all the order lines (two years), one year, one month and a range with
# partial days at both ends (median of 5 requests).
# `bench/read-path.sh --analytics` runs the analytics part only.
set -euo pipefail
cd "$(dirname "$0")/.."
ANALYTICS_ONLY=false
[ "${1:-}" = --analytics ] && ANALYTICS_ONLY=true
BIN=.build/release/partner-catalog
PRODUCTS=${PRODUCTS:-1000000}
ORDERS=${ORDERS:-250000}   # four lines each
DURATION=${DURATION:-10s}
WORK=$(mktemp -d)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
source scripts/postgres.sh
postgres_start
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; postgres_stop; rm -rf "$WORK"' EXIT
export PGPASSWORD=catalog-test
psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench"
URL="postgres://postgres:catalog-test@127.0.0.1:$PG_PORT/bench?sslmode=disable"
CATALOG_DATABASE_URL="$URL" "$BIN" migrate --data-dir "$WORK/data" >/dev/null
psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench -v ON_ERROR_STOP=1 -v products="$PRODUCTS" -v orders="$ORDERS" \
    -f bench/read-path-data.sql
KEY=pck_read_path_bench_admin_key_0123456789
PORT=$(postgres_free_port)
API=http://127.0.0.1:$PORT

serve() {
    CATALOG_DATABASE_URL="$URL" CATALOG_DATA_DIR="$WORK/data" CATALOG_ADMIN_KEY=$KEY CATALOG_PORT=$PORT CATALOG_WORKERS=0 \
        CATALOG_LOG_LEVEL=warning "$BIN" serve >"$WORK/serve.log" 2>&1 &
    SERVER=$!
    local start=$(date +%s.%N)
    until curl -sf "$API/health" >/dev/null; do
        kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
        sleep 0.2
    done
    awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "  start-up (cache build included): %.1f s\n", b - a }'
}

stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

load() { # label path
    wrk -t2 -c32 -d"$DURATION" --latency -H "X-API-Key: $KEY" "$API$2" | awk -v l="$1" '
        /Requests\/sec/ { rps = $2 } / 99%/ { p99 = $2 } /Non-2xx/ { errors = $NF }
        END { printf "  %-28s %9.0f req/s   p99 %8s%s\n", l, rps, p99, errors ? "   NON-2XX: " errors : "" }'
}

deep_cursor() { # a cursor 200 pages of 50 into the price sort
    python3 - "$API" "$KEY" <<'PY'
import json, sys, urllib.request
api, key, cursor = sys.argv[1], sys.argv[2], None
for _ in range(200):
    url = api + "/products?limit=50&sort_by=price" + ("&cursor=" + cursor if cursor else "")
    with urllib.request.urlopen(urllib.request.Request(url, headers={"X-API-Key": key})) as response:
        cursor = json.load(response)["next_cursor"]
print(cursor)
PY
}

median() { # path → median wall seconds of 5 requests; -1 (and the statuses on stderr) when any is not a 200
    local runs
    runs=$(for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "X-API-Key: $KEY" "$API$1"; done)
    if grep -qv '^200 ' <<<"$runs"; then echo "NOT 200: $1: $(tr '\n' ' ' <<<"$runs")" >&2; echo -1; return; fi
    awk '{ print $2 }' <<<"$runs" | sort -n | sed -n 3p
}

analytics() {
    echo "Analytics over $((ORDERS * 4)) order lines, 2025-01-01 to 2027-01-01 (median of 5; target < 250 ms)"
    printf "  %-32s %8s %9s %10s %13s\n" "" "all" "one year" "one month" "partial days"
    for endpoint in sales-by-partner "sales-over-time?grain=daily" "sales-over-time?grain=weekly" "sales-over-time?grain=monthly" \
        revenue-share top-products "top-products?limit=100" inventory; do
        separator=$([[ $endpoint == *\?* ]] && echo "&" || echo "?")
        printf "  %-32s %6.3f s %7.3f s %8.3f s %11.3f s\n" "$endpoint" "$(median "/analytics/$endpoint")" \
            "$(median "/analytics/$endpoint${separator}from=2025-07-01&to=2026-07-01")" \
            "$(median "/analytics/$endpoint${separator}from=2026-03-01&to=2026-04-01")" \
            "$(median "/analytics/$endpoint${separator}from=2025-03-15T12:00:00Z&to=2026-09-15T08:30:00Z")"
    done
}

if $ANALYTICS_ONLY; then
    serve
    analytics
    stop
    exit 0
fi

echo "GET /products?limit=50 over $PRODUCTS products (wrk, 32 connections, $DURATION each)"
echo " from the node's SQLite read model"
serve
CURSOR=$(deep_cursor)
load "first page" "/products?limit=50"
load "page 201 (price sort)" "/products?limit=50&sort_by=price&cursor=$CURSOR"
analytics
stop
