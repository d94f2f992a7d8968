#!/usr/bin/env bash
# Sources benchmark (issue 19), release build, embedded store: a paginated JSON API of 1,000 records a
# page served by the vendor simulator on loopback (scripts/vendor_sim.py), fetched by a source and
# loaded, beside a partner's curl upload of the same products as CSV (curl with its default headers)
# and its run. Each run gets a fresh server, so its peak memory (VmHWM) is its own.
#   bench/sources.sh [ROWS …]     (default: 100000 1000000)
# Prints wall times, the ratio source / upload (target <= 1.5x) and peak memory per size (flat: the
# largest / the smallest <= 1.2x).
set -euo pipefail
cd "$(dirname "$0")/.."
export CATALOG_BINARY=${CATALOG_BINARY:-.build/release/partner-catalog}
export LIVE_SERVER_ALLOW_PRIVATE_TARGETS=true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
WORK=$(mktemp -d)
# shellcheck source=scripts/live-server.sh
source scripts/live-server.sh
sim_pid=""
cleanup() {
    [ -z "$sim_pid" ] || kill "$sim_pid" 2>/dev/null || true
    live_server_stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

python3 scripts/vendor_sim.py --port-file "$WORK/sim.port" >"$WORK/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [ -s "$WORK/sim.port" ] && break; sleep 0.05; done
SIM="http://127.0.0.1:$(cat "$WORK/sim.port")"

# The simulator's records as a CSV file: the same SKUs, names, prices, currency and quantities.
csv() { # rows file
    python3 - "$1" "$2" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    out.write("sku,product_name,price,currency,quantity\n")
    for k in range(1, rows + 1):
        out.write("BIG-%07d,Big Item %d,%d.%02d,USD,%d\n" % (k, k, 1 + k % 500, k % 100, k % 50))
PY
}

now() { python3 -c 'import time; print(time.time())'; }
peak_mb() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$LIVE_SERVER_PID/status"; }
api() { curl -sf -H "X-API-Key: $CATALOG_ADMIN_KEY" "$@"; }

wait_job() { # job id → prints its message
    local status=""
    for _ in $(seq 6000); do
        status=$(api "$CATALOG_URL/jobs/$1" | jq -r .status)
        [ "$status" = completed ] || [ "$status" = failed ] && break
        sleep 0.1
    done
    api "$CATALOG_URL/jobs/$1" | jq -r .message
}

printf '%-10s %-34s %9s %10s %9s\n' rows run seconds rows/s "peak MB"
declare -A upload_s source_s peak_upload peak_source
for rows in "${sizes[@]}"; do
    csv "$rows" "$WORK/products-$rows.csv"

    live_server_start >/dev/null 2>&1
    start=$(now)
    job=$(api -H 'Content-Type: text/csv' --data-binary @"$WORK/products-$rows.csv" \
        "$CATALOG_URL/feeds/upload?partner_name=upload-bench&file_name=products.csv" | jq -r .validation_job_id)
    api -X POST "$CATALOG_URL/jobs/$job/run?wait=true&timeout=3600" >/dev/null
    upload_s[$rows]=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
    peak_upload[$rows]=$(peak_mb)
    printf '%-10s %-34s %9s %10.0f %9s\n' "$rows" "curl upload + run?wait=true" "${upload_s[$rows]}" \
        "$(awk -v r="$rows" -v s="${upload_s[$rows]}" 'BEGIN { print r / s }')" "${peak_upload[$rows]}"
    live_server_stop >/dev/null 2>&1

    live_server_start >/dev/null 2>&1
    pages=$((rows / 1000))
    source=$(api -H 'Content-Type: application/json' -d "{\"partner_name\": \"source-bench\", \"kind\": \"api\",
        \"url\": \"$SIM/big/products?size=1000&pages=$pages\", \"max_requests_per_minute\": 60000,
        \"api\": {\"records\": \"records\", \"next\": {\"type\": \"cursor\", \"path\": \"next_cursor\", \"param\": \"cursor\"}}}" \
        "$CATALOG_URL/sources" | jq -r .source_id)
    start=$(now)
    fetch=$(api -X POST "$CATALOG_URL/sources/$source/fetch" | jq -r .fetch_id)
    feed=null
    for _ in $(seq 36000); do
        state=$(api "$CATALOG_URL/sources/$source/fetches" | jq -r --arg id "$fetch" '.items[] | select(.fetch_id == $id) | "\(.status) \(.feed_id)"')
        case $state in fetched*) feed=${state#* }; break ;; failed*|not_modified*) echo "fetch ended: $state" >&2; exit 1 ;; esac
        sleep 0.1
    done
    job=$(api "$CATALOG_URL/feeds/$feed" | jq -r .validation_job_id)
    message=$(wait_job "$job")
    source_s[$rows]=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
    peak_source[$rows]=$(peak_mb)
    printf '%-10s %-34s %9s %10.0f %9s\n' "$rows" "source: $pages pages fetched + loaded" "${source_s[$rows]}" \
        "$(awk -v r="$rows" -v s="${source_s[$rows]}" 'BEGIN { print r / s }')" "${peak_source[$rows]}"
    case $message in *"Inserted: $rows."*) ;; *) echo "unexpected job message: $message" >&2; exit 1 ;; esac
    # Where the time went: the fetch itself, the wait for a worker, and the load (the job).
    api "$CATALOG_URL/sources/$source/fetches" | jq -r --arg id "$fetch" '.items[] | select(.fetch_id == $id) | [.created_at, .started_at, .finished_at] | @tsv' >"$WORK/fetch.tsv"
    api "$CATALOG_URL/jobs/$job" | jq -r '[.created_at, .started_at, .finished_at] | @tsv' >"$WORK/job.tsv"
    python3 - "$WORK/fetch.tsv" "$WORK/job.tsv" <<'PY'
import sys
from datetime import datetime
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
q, f0, f1 = map(t, open(sys.argv[1]).read().split())
c, j0, j1 = map(t, open(sys.argv[2]).read().split())
print("%-10s   the fetch waited %.2f s for a worker and took %.2f s; the job waited %.2f s and loaded in %.2f s; "
      "queued -> loaded %.2f s" % ("", f0 - q, f1 - f0, j0 - c, j1 - j0, j1 - q))
PY
    live_server_stop >/dev/null 2>&1
done

for rows in "${sizes[@]}"; do
    awk -v r="$rows" -v s="${source_s[$rows]}" -v u="${upload_s[$rows]}" \
        'BEGIN { printf "%-10s source / upload: %.2fx (target <= 1.5x)\n", r, s / u }'
done
first=${sizes[0]}
last=${sizes[${#sizes[@]}-1]}
if [ "$first" != "$last" ]; then
    awk -v a="${peak_source[$last]}" -v b="${peak_source[$first]}" -v la="$last" -v lb="$first" \
        'BEGIN { printf "source peak memory %s / %s: %.2fx (target <= 1.2x)\n", la, lb, a / b }'
fi
