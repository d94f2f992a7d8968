#!/usr/bin/env bash
# ETL benchmark on the embedded store, release build: 100k and 1M products, cold then unchanged re-run.
# Prints rows/s and peak memory (max RSS of the ingest process).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/partner-catalog
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

ingest() { # data-dir file rows label
    local out
    out=$( { /usr/bin/time -f "%e %M" "$BIN" ingest "$2" --partner bench --data-dir "$1" >/dev/null; } 2>&1 | tail -1)
    local seconds=${out% *} kb=${out#* }
    awk -v r="$3" -v s="$seconds" -v kb="$kb" -v label="$4" \
        'BEGIN { printf "%-28s %9d rows %7.2f s %10.0f rows/s  peak %6.1f MB\n", label, r, s, r / s, kb / 1024 }'
    echo "$kb" > "$WORK/last-peak"
}

for rows in 100000 1000000; do
    python3 bench/generate_products.py "$rows" "$WORK/products-$rows.csv"
    python3 bench/generate_products.py "$rows" "$WORK/changed-$rows.csv" 10
done
ingest "$WORK/d100k" "$WORK/products-100000.csv" 100000 "100k cold"; peak100k=$(cat "$WORK/last-peak")
ingest "$WORK/d100k" "$WORK/products-100000.csv" 100000 "100k unchanged re-run"
ingest "$WORK/d1m" "$WORK/products-1000000.csv" 1000000 "1M cold"; peak1m=$(cat "$WORK/last-peak")
ingest "$WORK/d1m" "$WORK/products-1000000.csv" 1000000 "1M unchanged re-run"
ingest "$WORK/d1m" "$WORK/changed-1000000.csv" 1000000 "1M with 10% changed"
awk -v a="$peak1m" -v b="$peak100k" 'BEGIN { printf "peak memory 1M / 100k: %.2fx (target <= 1.2x)\n", a / b }'

# What SQLite alone takes for the steps no ETL design can skip, on the 1M products just loaded.
echo "SQLite alone on those 1M products (the same library; no parsing, validation or staging):"
python3 bench/sqlite_floor.py "$WORK/d1m/catalog.sqlite" "$WORK" | while read -r step seconds rows; do
    case $step in
        insert) what="inserted into an empty products table with its indexes" ;;
        compare) what="looked up by sku and fingerprint, one probe each (one join)" ;;
    esac
    awk -v w="$what" -v s="$seconds" -v r="$rows" 'BEGIN { printf "  %-62s %6.2f s  %9.0f rows/s\n", w, s, r / s }'
done
