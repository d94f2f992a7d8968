#!/usr/bin/env bash
# Read-path benchmark, release build (issues 6 and 16): 1M products served from the node's SQLite read
# model under wrk on loopback (2 threads, 32 connections), in PostgreSQL mode (1M products and 1M order
# lines written into a throwaway PostgreSQL by SQL) and in embedded mode (the same number of products
# loaded through the API: five partners' feeds uploaded with curl and run). Each mode prints /health
# (the framework's ceiling in the same run) and, beside it as a share of it: the first page of 50, a
# page 201 deep in the price sort, limit=200, GET /products/{id}, an unknown key's 401, the filtered
# pages (partner_name, brand, min_price+max_price, q=) and limit=50 with Accept-Encoding: gzip (req/s
# and bytes), each with the server's RSS after it; then the server's peak RSS under that load. The servers run with
# CATALOG_AUTH_FAILURES_PER_MINUTE=0: with the default limit, loopback's one address would get 429 after
# 30 unknown keys and the 401 line would measure the throttle instead. Then, in PostgreSQL mode, each
# analytics endpoint over all the order lines (two years), one year, one month and a range with
# partial days at both ends (median of 5 requests).
# `bench/read-path.sh --analytics` runs the analytics part only; READ_PATH_MODES="postgres" or
# "embedded" runs one mode.
set -euo pipefail
cd "$(dirname "$0")/.."
ANALYTICS_ONLY=false
[ "${1:-}" = --analytics ] && ANALYTICS_ONLY=true
BIN=.build/release/partner-catalog
PRODUCTS=${PRODUCTS:-1000000}
ORDERS=${ORDERS:-250000}   # four lines each
DURATION=${DURATION:-10s}
MODES=${READ_PATH_MODES:-postgres embedded}
WORK=$(mktemp -d)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
source scripts/postgres.sh
postgres_start
SERVER="" SAMPLER=""
trap '[ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null || true; [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; postgres_stop; rm -rf "$WORK"' EXIT
export PGPASSWORD=catalog-test
psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench"
URL="postgres://postgres:catalog-test@127.0.0.1:$PG_PORT/bench?sslmode=disable"
KEY=pck_read_path_bench_admin_key_0123456789
PORT=$(postgres_free_port)
API=http://127.0.0.1:$PORT

serve() { # postgres | embedded
    local database=()
    [ "$1" = postgres ] && database=(CATALOG_DATABASE_URL="$URL")
    env -u CATALOG_DATABASE_URL "${database[@]}" CATALOG_DATA_DIR="$WORK/data-$1" CATALOG_ADMIN_KEY=$KEY CATALOG_PORT=$PORT \
        CATALOG_WORKERS=$([ "$1" = embedded ] && echo 1 || echo 0) CATALOG_AUTH_FAILURES_PER_MINUTE=0 \
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

# The embedded store's products, as partners send them: five feeds of PRODUCTS/5 rows, uploaded with curl and run.
load_embedded() {
    local rows=$((PRODUCTS / 5)) partner feed job
    python3 bench/generate_products.py "$rows" "$WORK/feed.csv"
    for partner in 1 2 3 4 5; do
        feed=$(curl -sS --fail-with-body -H "X-API-Key: $KEY" -H 'Content-Type: text/csv' --data-binary @"$WORK/feed.csv" \
            "$API/feeds/upload?partner_name=partner-$partner&file_name=bench.csv")
        job=$(jq -r .validation_job_id <<<"$feed")
        curl -sS --fail-with-body -X POST -H "X-API-Key: $KEY" "$API/jobs/$job/run?wait=true&timeout=600" \
            | jq -r '"  \(.job_id // "job") \(.status): \(.message // "")"' | cut -c1-110
    done
    wait_until_idle
}

# Until the server uses less than a tenth of a core over 2 s (at most 5 minutes): the catalog items of a
# large feed are regrouped after the job has answered, and would take their CPU from the first loads.
wait_until_idle() {
    local start=$SECONDS before after
    while [ $((SECONDS - start)) -lt 300 ]; do
        before=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
        sleep 2
        after=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
        [ $((after - before)) -lt 20 ] && break
    done
    echo "  the server was idle $((SECONDS - start)) s after the last job"
}

# The server's VmRSS, sampled every 0.2 s into $WORK/rss until stopped.
sample_rss() {
    : >"$WORK/rss"
    ( while kill -0 "$SERVER" 2>/dev/null; do
        awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER/status" >>"$WORK/rss" 2>/dev/null || true
        sleep 0.2
      done ) &
    SAMPLER=$!
}
stop_rss_sampler() { # sets PEAK_RSS_MB
    kill "$SAMPLER" 2>/dev/null || true
    wait "$SAMPLER" 2>/dev/null || true
    SAMPLER=""
    PEAK_RSS_MB=$(sort -n "$WORK/rss" | tail -1 | awk '{ printf "%.0f", $1 / 1024 }')
}

HEALTH=""
load() { # label path [header] [header] — req/s, p99, the share of /health's req/s and the server's RSS after
    local header=${3:-"X-API-Key: $KEY"} result
    result=$(wrk -t2 -c32 -d"$DURATION" --latency -H "$header" -H "${4:-X-Bench: 1}" "$API$2")
    awk -v l="$1" -v health="$HEALTH" -v rss="$(awk '$1 == "VmRSS:" { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status")" '
        /Requests\/sec/ { rps = $2 } / 99%/ { p99 = $2 } /Non-2xx/ { errors = $NF }
        END { printf "  %-40s %9.0f req/s   p99 %8s   %5.1f %% of /health   RSS %4d MB%s\n", l, rps, p99,
              100 * rps / health, rss, errors ? "   non-2xx: " errors : "" }' <<<"$result"
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

prepare_postgres() {
    CATALOG_DATABASE_URL="$URL" "$BIN" migrate --data-dir "$WORK/data-postgres" >/dev/null
    psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench -v ON_ERROR_STOP=1 -v products="$PRODUCTS" -v orders="$ORDERS" \
        -f bench/read-path-data.sql
}

measure() {
    sample_rss
    HEALTH=$(wrk -t2 -c32 -d"$DURATION" "$API/health" | awk '/Requests\/sec/ { print $2 }')
    printf "  %-40s %9.0f req/s   (the framework's ceiling in this run)\n" "GET /health" "$HEALTH"
    local first id partner brand word unknown status plain gzipped
    first=$(curl -sS -H "X-API-Key: $KEY" "$API/products?limit=1")
    id=$(jq -r '.items[0].product_id' <<<"$first")
    partner=$(jq -r '.items[0].partner_name' <<<"$first")
    brand=$(jq -r '.items[0].brand | @uri' <<<"$first")
    word=$(jq -r '.items[0].product_name | split(" ")[1] | @uri' <<<"$first")
    CURSOR=$(deep_cursor)
    load "limit=50, first page" "/products?limit=50"
    load "limit=50, page 201 of the price sort" "/products?limit=50&sort_by=price&cursor=$CURSOR"
    load "limit=200" "/products?limit=200"
    load "GET /products/{id}" "/products/$id"
    unknown="X-API-Key: pck_unknown_read_path_bench_key_0000000"
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$unknown" "$API/products?limit=50")
    load "unknown key (answered $status)" "/products?limit=50" "$unknown"
    load "partner_name=$partner" "/products?limit=50&partner_name=$partner"
    load "brand=$brand" "/products?limit=50&brand=$brand"
    load "min_price=10&max_price=20" "/products?limit=50&min_price=10&max_price=20"
    load "limit=50, Accept-Encoding: gzip" "/products?limit=50" "X-API-Key: $KEY" "Accept-Encoding: gzip"
    # Last: a rare word is a scan of every product's text, and the scans still running when wrk stops
    # would hold back the first requests of whatever came next.
    load "q=$word" "/products?limit=50&q=$word"
    plain=$(curl -sS -o /dev/null -w '%{size_download}' -H "X-API-Key: $KEY" "$API/products?limit=50")
    gzipped=$(curl -sS -o /dev/null -w '%{size_download}' -H "X-API-Key: $KEY" -H 'Accept-Encoding: gzip' "$API/products?limit=50")
    echo "  a limit=50 page: $plain bytes, $gzipped gzip-coded"
    stop_rss_sampler
    echo "  server peak RSS under this load: $PEAK_RSS_MB MB (target <= 150 MB)"
}

if $ANALYTICS_ONLY; then
    prepare_postgres
    serve postgres
    analytics
    stop
    exit 0
fi

for mode in $MODES; do
    case $mode in
    postgres)
        echo "PostgreSQL mode: $PRODUCTS products written by SQL, served from the node's SQLite read model (wrk, 32 connections, $DURATION each)"
        prepare_postgres
        serve postgres
        measure
        analytics
        stop
        ;;
    embedded)
        echo "Embedded mode: $PRODUCTS products loaded through the API, five feeds with curl (wrk, 32 connections, $DURATION each)"
        serve embedded
        load_embedded
        measure
        stop
        ;;
    *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
done
