#!/usr/bin/env bash
# ETL benchmark on PostgreSQL, release build: a 1M-row products feed cold, re-run unchanged and with
# 10% changed, each beside psql's \copy of the same file into a plain table in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/partner-catalog}   # BIN=… to time another build
ROWS=${ROWS:-1000000}
WORK=$(mktemp -d)
source scripts/postgres.sh
# Sized for the catalog, as a production server would be: the default 128 MB of shared buffers cannot
# hold the 1M products' heap (355 MB), which every fingerprint lookup of a re-run reads.
PG_SERVER_OPTS=${PG_SERVER_OPTS:--c shared_buffers=1GB}
postgres_start
trap 'postgres_stop; rm -rf "$WORK"' EXIT
export PGPASSWORD=catalog-test
PSQL=(psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE bench"
URL="postgres://postgres:catalog-test@127.0.0.1:$PG_PORT/bench?sslmode=disable"
PSQL_BENCH=(psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d bench -v ON_ERROR_STOP=1)

python3 bench/generate_products.py "$ROWS" "$WORK/products.csv"
python3 bench/generate_products.py "$ROWS" "$WORK/changed.csv" 10

seconds() { # command… → wall seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

copy_time() {
    "${PSQL_BENCH[@]}" -c "DROP TABLE IF EXISTS copy_target" -c "CREATE TABLE copy_target (sku text, product_name text,
        description text, brand text, category text, price numeric, currency text, availability text, quantity bigint,
        image_url text)"
    seconds "${PSQL_BENCH[@]}" -c "\\copy copy_target FROM '$1' WITH (FORMAT csv, HEADER true)"
}

run() { # label file
    local copy etl
    copy=$(copy_time "$2")
    etl=$(seconds env CATALOG_DATABASE_URL="$URL" "$BIN" ingest "$2" --partner bench --data-dir "$WORK/data")
    awk -v l="$1" -v r="$ROWS" -v c="$copy" -v e="$etl" \
        'BEGIN { printf "%-24s ETL %7.2f s (%8.0f rows/s)   \\copy %6.2f s   ratio %5.2fx\n", l, e, r / e, c, e / c }'
}

echo "PostgreSQL ETL, $ROWS rows (targets: cold <= 1.5x \\copy, unchanged re-run <= 1.0x)"
run "cold" "$WORK/products.csv"
run "unchanged re-run" "$WORK/products.csv"
run "10% changed" "$WORK/changed.csv"

# What PostgreSQL alone takes for the steps no ETL design can skip, on the 1M products just loaded,
# beside a fresh \copy of the feed.
"${PSQL_BENCH[@]}" -c "CREATE TABLE floor_products (LIKE products INCLUDING ALL)" \
    -c "CREATE TABLE floor_keys (sku text COLLATE \"C\", fingerprint text COLLATE \"C\")" \
    -c "\\copy (SELECT sku, row_fingerprint FROM products) TO '$WORK/keys.csv' WITH (FORMAT csv)"
copy=$(copy_time "$WORK/products.csv")
insert=$(seconds "${PSQL_BENCH[@]}" -c "INSERT INTO floor_products SELECT * FROM products")
compare=$(seconds "${PSQL_BENCH[@]}" -c "SET work_mem = '256MB'" \
    -c "\\copy floor_keys FROM '$WORK/keys.csv' WITH (FORMAT csv)" \
    -c "SELECT count(*) FROM floor_keys k JOIN products p
        ON p.sku = k.sku AND p.row_fingerprint = k.fingerprint AND p.status = 'active'")
echo "PostgreSQL alone on those 1M products (no parsing, validation or staging), beside \\copy $copy s:"
awk -v s="$insert" -v c="$copy" 'BEGIN { printf "  %-66s %6.2f s  %5.2fx\n",
    "inserted into an empty table with products'"'"' indexes", s, s / c }'
awk -v s="$compare" -v c="$copy" 'BEGIN { printf "  %-66s %6.2f s  %5.2fx\n",
    "(sku, fingerprint) pairs COPYed in and joined to products", s, s / c }'
