#!/usr/bin/env bash
# Unified catalog benchmark (issue 21), release build, PostgreSQL mode: 1M products from 5 partners
# (200,000 each, loaded with curl through the ETL), 40 % of them sharing their GTIN with the other
# partners' same row. Measures:
#   - the catalog items' rebuild at a node's start-up (target <= 10 s), from the "catalog items rebuilt" log line;
#   - a 10 %-changed feed of one partner: its time to visible (run?wait=true), then how long its items
#     take to follow (target <= 2 s beyond), from the "catalog items caught up" log line;
#   - GET /catalog/items?limit=50 beside GET /products?limit=50 under wrk (target >= 70 % of it).
#   bench/catalog-items.sh            ROWS=200000 per partner by default
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CATALOG_BINARY:-.build/release/partner-catalog}
ROWS=${ROWS:-200000}
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
KEY=pck_catalog_items_bench_admin_key_0123456789
PORT=$(postgres_free_port)
API=http://127.0.0.1:$PORT

# Five feeds; row k of every partner shares GTIN k when k < 40 % of the rows, else has its own.
# `changed` rewrites every tenth row's price.
python3 - "$WORK" "$ROWS" <<'PY'
import sys
work, rows = sys.argv[1], int(sys.argv[2])
def gtin(n):  # a GTIN-13 with its GS1 check digit
    body = "%012d" % n
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)
shared = int(rows * 0.4)
for p in range(5):
    for name, change in (("feed", False), ("changed", True)):
        if change and p > 0: continue
        with open("%s/%s-p%d.csv" % (work, name, p), "w") as out:
            out.write("sku,product_name,brand,category,price,currency,availability,quantity,gtin\n")
            for k in range(rows):
                g = gtin(400000000000 + k) if k < shared else gtin(500000000000 + p * 10000000 + k)
                cents = 1000 + (k * 7 + p * 13) % 90000 + (25 if change and k % 10 == 0 else 0)
                out.write("P%d-%07d,Item %d of partner %d,Brand %d,Category %d,%d.%02d,USD,%s,%d,%s\n" % (
                    p, k, k, p, k % 300, k % 40, cents // 100, cents % 100, "in_stock" if (k + p) % 4 else "out_of_stock", k % 50, g))
PY

serve() {
    CATALOG_DATABASE_URL="$URL" CATALOG_DATA_DIR="$WORK/data" CATALOG_ADMIN_KEY=$KEY CATALOG_PORT=$PORT CATALOG_WORKERS=2 \
        CATALOG_LOG_LEVEL=info "$BIN" serve >"$WORK/serve.log" 2>&1 &
    SERVER=$!
    until curl -sf "$API/health" >/dev/null; do
        kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
        sleep 0.2
    done
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
api() { curl -sf -H "X-API-Key: $KEY" "$@"; }
load_feed() { # partner file → seconds from upload to visible
    local start job
    start=$(date +%s.%N)
    job=$(api -H 'Content-Type: text/csv' --data-binary @"$2" "$API/feeds/upload?partner_name=$1&file_name=$(basename "$2")" | jq -r .validation_job_id)
    api -X POST "$API/jobs/$job/run?wait=true&timeout=600" | jq -e '.status == "completed"' >/dev/null
    awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
logged() { # message field → the field of the last such log line
    grep "\"$1\"" "$WORK/serve.log" | tail -1 | jq -r ".$2"
}
wrk_rps() { # path
    wrk -t2 -c32 -d"$DURATION" -H "X-API-Key: $KEY" "$API$1" | awk '/Requests\/sec/ { print $2 } /Non-2xx/ { print "NON-2XX " $NF > "/dev/stderr" }'
}

serve
for p in 0 1 2 3 4; do
    printf 'loaded partner p%d (%d rows): %s s\n' "$p" "$ROWS" "$(load_feed "p$p" "$WORK/feed-p$p.csv")"
done
stop
serve
items=$(api "$API/catalog/items?limit=1&sort_by=offers&order=desc" | jq -r '.items[0].offers')
echo "start-up: $(logged 'read model built' products) products copied in $(logged 'read model built' duration);" \
     "catalog items rebuilt: $(logged 'catalog items rebuilt' items) in $(logged 'catalog items rebuilt' duration) (target <= 10 s); most offers: $items"
visible=$(load_feed p0 "$WORK/changed-p0.csv")
for _ in $(seq 600); do [ "$(grep -c '"catalog items caught up"' "$WORK/serve.log")" -gt 0 ] && break; sleep 0.1; done
echo "10 %-changed feed of p0 ($(logged 'large change batch applied' products) products changed): visible in $visible s;" \
     "its items followed $(logged 'catalog items caught up' duration) later (target <= 2 s)"
products=$(wrk_rps "/products?limit=50")
catalog=$(wrk_rps "/catalog/items?limit=50")
best=$(wrk_rps "/catalog/items?limit=50&sort_by=best_price")
awk -v p="$products" -v c="$catalog" -v b="$best" 'BEGIN {
    printf "GET /products?limit=50 %.0f req/s; /catalog/items?limit=50 %.0f req/s (%.0f %%); sort_by=best_price %.0f req/s (%.0f %%) (target >= 70 %%)\n", p, c, 100 * c / p, b, 100 * b / p }'
