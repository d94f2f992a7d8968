#!/usr/bin/env bash
# Self-test of the vendor simulator (scripts/vendor_sim.py): starts it on a free port, exercises every
# scenario and control endpoint with curl, and stops it. Needs python3, curl, jq and gzip.
#   scripts/vendor_sim_selftest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/vendor-sim-selftest.XXXXXX)
sim_pid=""
cleanup() {
    if [ -n "$sim_pid" ]; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

python3 scripts/vendor_sim.py --port-file "$work/port" >"$work/stdout" 2>"$work/stderr" &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { echo "vendor-sim did not write its port file" >&2; cat "$work/stderr" >&2; exit 1; }
port=$(cat "$work/port")
base="http://127.0.0.1:$port"

failures=0
checks=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    checks=$((checks + 1))
    if "$@"; then
        echo "ok   $what"
    else
        echo "FAIL $what" >&2
        failures=$((failures + 1))
    fi
}
eq() { [ "$1" = "$2" ] || { echo "     expected [$2], got [$1]" >&2; return 1; }; }
holds() { jq -e "$1" >/dev/null; }   # a jq filter that must be true of stdin
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
header() { # name, curl args…: the value of a response header (empty when absent)
    local name=$1
    shift
    curl -s -D - -o /dev/null "$@" | tr -d '\r' | awk -v n="$(echo "$name" | tr 'A-Z' 'a-z')" \
        'BEGIN { FS = ": " } tolower($1) == n { sub(/^[^:]*: /, ""); print; exit }'
}

check "prints where it listens" eq "$(cat "$work/stdout")" "vendor-sim listening on $base"

# 1. CSV file with validators ------------------------------------------------------------------
csv="$base/csv/products.csv"
check "csv: 200 text/csv" eq "$(status "$csv")" 200
check "csv: content type" eq "$(header Content-Type "$csv")" "text/csv; charset=utf-8"
check "csv: 5 rows and a header" eq "$(curl -s "$csv" | wc -l | tr -d ' ')" 6
check "csv: first row" eq "$(curl -s "$csv" | sed -n 2p)" "CSV-1,Trail Mug 1,10.50,USD,1,Acme"
check "csv: header" eq "$(curl -s "$csv" | head -1)" "sku,product_name,price,currency,quantity,brand"
check "csv: ETag" eq "$(header ETag "$csv")" '"csv-v1"'
check "csv: Last-Modified" eq "$(header Last-Modified "$csv")" "Mon, 07 Dec 2026 00:00:00 GMT"
check "csv: If-None-Match -> 304" eq "$(status -H 'If-None-Match: "csv-v1"' "$csv")" 304
check "csv: 304 keeps the ETag" eq "$(header ETag -H 'If-None-Match: "csv-v1"' "$csv")" '"csv-v1"'
check "csv: 304 has no body" eq "$(curl -s -H 'If-None-Match: "csv-v1"' "$csv" | wc -c | tr -d ' ')" 0
check "csv: If-Modified-Since equal -> 304" eq "$(status -H 'If-Modified-Since: Mon, 07 Dec 2026 00:00:00 GMT' "$csv")" 304
check "csv: If-Modified-Since later -> 304" eq "$(status -H 'If-Modified-Since: Wed, 09 Dec 2026 10:00:00 GMT' "$csv")" 304
check "csv: If-Modified-Since earlier -> 200" eq "$(status -H 'If-Modified-Since: Sun, 06 Dec 2026 00:00:00 GMT' "$csv")" 200
check "csv: other ETag -> 200" eq "$(status -H 'If-None-Match: "other"' "$csv")" 200
check "csv: switch to version 2" eq "$(status -X POST "$base/_control/csv/version?v=2")" 200
check "csv v2: ETag" eq "$(header ETag "$csv")" '"csv-v2"'
check "csv v2: Last-Modified" eq "$(header Last-Modified "$csv")" "Tue, 08 Dec 2026 00:00:00 GMT"
check "csv v2: CSV-1 costs 9.99" eq "$(curl -s "$csv" | sed -n 2p)" "CSV-1,Trail Mug 1,9.99,USD,1,Acme"
check "csv v2: CSV-2 unchanged" eq "$(curl -s "$csv" | sed -n 3p)" "CSV-2,Trail Mug 2,11.50,USD,2,Acme"
check "csv v2: the old ETag -> 200" eq "$(status -H 'If-None-Match: "csv-v1"' "$csv")" 200
check "csv v2: the old Last-Modified -> 200" eq "$(status -H 'If-Modified-Since: Mon, 07 Dec 2026 00:00:00 GMT' "$csv")" 200
check "csv v2: the new ETag -> 304" eq "$(status -H 'If-None-Match: "csv-v2"' "$csv")" 304
check "csv: a bad version -> 400" eq "$(status -X POST "$base/_control/csv/version?v=3")" 400

# 2. JSON API with Link paging and a bearer token -------------------------------------------------
json="$base/json/products"
auth=(-H 'Authorization: Bearer sim-token')
check "json: no token -> 401" eq "$(status "$json")" 401
check "json: wrong token -> 401" eq "$(status -H 'Authorization: Bearer nope' "$json")" 401
check "json: 401 body" eq "$(curl -s "$json" | jq -c .)" '{"error":"invalid token"}'
check "json: page 1 -> 200" eq "$(status "${auth[@]}" "$json")" 200
check "json: page 1 Link" eq "$(header Link "${auth[@]}" "$json")" "<$base/json/products?page=2>; rel=\"next\""
check "json: Link follows the Host header" eq "$(header Link "${auth[@]}" "http://localhost:$port/json/products?page=2")" \
    "<http://localhost:$port/json/products?page=3>; rel=\"next\""
check "json: page 3 has no Link" eq "$(header Link "${auth[@]}" "$json?page=3")" ""
check "json: page sizes 2, 2, 1" eq "$(for p in 1 2 3; do curl -s "${auth[@]}" "$json?page=$p" | jq '.data.items | length'; done | paste -sd, -)" "2,2,1"
check "json: meta.page" eq "$(curl -s "${auth[@]}" "$json?page=2" | jq .meta.page)" 2
check "json: first record" eq "$(curl -s "${auth[@]}" "$json" | jq -c '.data.items[0]')" \
    '{"id":"JSON-1","title":"Camp Stove 1","price_cents":2599,"currency":"EUR","stock":{"qty":3},"images":[{"src":"https://img.example.com/json-1-a.jpg"},{"src":"https://img.example.com/json-1-b.jpg"}],"vendor_color":"red"}'
walked=""
next="$json"
while [ -n "$next" ]; do
    walked+=$(curl -s "${auth[@]}" "$next" | jq -j '.data.items[] | "\(.id)=\(.price_cents) "')
    next=$(header Link "${auth[@]}" "$next" | sed -n 's/^<\([^>]*\)>; rel="next"$/\1/p')
done
check "json: walking the Link headers" eq "$walked" "JSON-1=2599 JSON-2=2699 JSON-3=2799 JSON-4=2899 JSON-5=2999 "

# 3. Cursor API with a 429 and a cut-off page ---------------------------------------------------------
cur="$base/cursor/products"
check "cursor: page 1" eq "$(curl -s "$cur" | jq -c '[.records[].sku, .next_cursor]')" '["CUR-01","CUR-02","CUR-03","c2"]'
check "cursor: prices are exact JSON numbers" eq "$(curl -s "$cur" | grep -o '"price": [0-9.]*' | paste -sd' ' -)" \
    '"price": 5.25 "price": 6.25 "price": 7.25'
rc=0; curl -s -o "$work/cut" "$cur?cursor=c2" || rc=$?
check "cursor: the first page 2 is cut off (curl exit 18)" eq "$rc" 18
check "cursor: the cut-off body is partial" test "$(wc -c <"$work/cut")" -gt 0
rc=0; curl -s -o "$work/whole" "$cur?cursor=c2" || rc=$?
check "cursor: page 2 again is whole" eq "$rc" 0
check "cursor: the cut-off body was the first half" eq "$(wc -c <"$work/cut" | tr -d ' ')" "$(( $(wc -c <"$work/whole") / 2 ))"
check "cursor: page 2 records" eq "$(jq -c '[.records[].sku, .next_cursor]' "$work/whole")" '["CUR-04","CUR-05","CUR-06","c3"]'
curl -s -D "$work/h429" -o "$work/b429" "$cur?cursor=c3"
check "cursor: the first page 3 -> 429" eq "$(head -1 "$work/h429" | tr -d '\r')" "HTTP/1.1 429 Too Many Requests"
check "cursor: 429 with Retry-After: 2" grep -qix 'retry-after: 2' <(tr -d '\r' <"$work/h429")
check "cursor: 429 body is JSON" eq "$(jq -r .error "$work/b429")" "rate limited, retry later"
check "cursor: page 3 again -> 200" eq "$(status "$cur?cursor=c3")" 200
check "cursor: page 4 ends the walk" eq "$(curl -s "$cur?cursor=c4" | jq -c '[.records[].sku, .next_cursor]')" '["CUR-10","CUR-11","CUR-12",null]'
check "cursor: an unknown cursor -> 400" eq "$(status "$cur?cursor=zz")" 400
walked=""
next=""
while :; do
    page=$(curl -sf "$cur${next:+?cursor=$next}")
    walked+=$(jq -j '.records[] | "\(.sku) "' <<<"$page")
    next=$(jq -r '.next_cursor // empty' <<<"$page")
    [ -n "$next" ] || break
done
check "cursor: walking after the faults gives 12 records" eq "$walked" \
    "CUR-01 CUR-02 CUR-03 CUR-04 CUR-05 CUR-06 CUR-07 CUR-08 CUR-09 CUR-10 CUR-11 CUR-12 "

# 4. gzip TSV ---------------------------------------------------------------------------------------------
tsv="$base/tsv/products.tsv.gz"
check "tsv: application/gzip" eq "$(header Content-Type "$tsv")" "application/gzip"
curl -s -o "$work/a.tsv.gz" "$tsv"
curl -s -o "$work/b.tsv.gz" "$tsv"
check "tsv: the same bytes each time" cmp -s "$work/a.tsv.gz" "$work/b.tsv.gz"
check "tsv: gzip mtime is 0" eq "$(od -An -tu4 -j4 -N4 "$work/a.tsv.gz" | tr -d ' ')" 0
check "tsv: decodes" eq "$(gzip -dc "$work/a.tsv.gz" | tr '\t' '|' | paste -sd';' -)" \
    "item|title|cost|availability;TSV-1|Tent 1|100.00|Y;TSV-2|Tent 2|110.00|N;TSV-3|Tent 3|120.00|Y;TSV-4|Tent 4|130.00|Later"

# 5. full source that gets truncated ------------------------------------------------------------------
full="$base/full/products.csv"
check "full: 10 rows" eq "$(curl -s "$full" | tail -n +2 | cut -d, -f1 | paste -sd' ' -)" \
    "FULL-01 FULL-02 FULL-03 FULL-04 FULL-05 FULL-06 FULL-07 FULL-08 FULL-09 FULL-10"
check "full: rows" eq "$(curl -s "$full" | sed -n '1p;2p;11p' | paste -sd';' -)" "sku,product_name,price;FULL-01,Lamp 1,20.00;FULL-10,Lamp 10,29.00"
check "full: no ETag" eq "$(header ETag "$full")" ""
check "full: truncate" eq "$(status -X POST "$base/_control/full/truncate")" 200
check "full: 3 rows after truncation" eq "$(curl -s "$full" | tail -n +2 | cut -d, -f1 | paste -sd' ' -)" "FULL-01 FULL-02 FULL-03"
check "full: restore" eq "$(status -X POST "$base/_control/full/restore")" 200
check "full: 10 rows again" eq "$(curl -s "$full" | tail -n +2 | wc -l | tr -d ' ')" 10
check "full: control endpoints need POST" eq "$(status "$base/_control/full/truncate")" 405

# 6. page-number paging -------------------------------------------------------------------------------
pages="$base/pages/products"
check "pages: per_page=3 gives 3, 3, 1, 0" eq "$(for p in 1 2 3 4; do curl -s "$pages?page=$p&per_page=3" | jq '.items | length'; done | paste -sd, -)" "3,3,1,0"
check "pages: default page size holds all 7" eq "$(curl -s "$pages" | jq -c '[.items[].sku]')" '["PG-1","PG-2","PG-3","PG-4","PG-5","PG-6","PG-7"]'
check "pages: prices are strings 3.00..9.00" eq "$(curl -s "$pages" | jq -c '[.items[].price]')" '["3.00","4.00","5.00","6.00","7.00","8.00","9.00"]'
check "pages: per_page=0 -> 400" eq "$(status "$pages?per_page=0")" 400

# 7. body_url paging ----------------------------------------------------------------------------------
walked=""
next="$base/bodyurl/products"
while [ -n "$next" ]; do
    page=$(curl -sf "$next")
    walked+=$(jq -j '.results[] | "\(.sku) "' <<<"$page")
    next=$(jq -r '.meta.next // empty' <<<"$page")
done
check "bodyurl: walking meta.next" eq "$walked" "BU-1 BU-2 BU-3 BU-4 BU-5 "
check "bodyurl: next URL" eq "$(curl -s "$base/bodyurl/products?offset=2" | jq -r .meta.next)" "$base/bodyurl/products?offset=4"
check "bodyurl: the last page's next is null" eq "$(curl -s "$base/bodyurl/products?offset=4" | jq -c .meta.next)" null

# 8. slow host and the request log --------------------------------------------------------------------
check "log: DELETE clears it" eq "$(status -X DELETE "$base/_log")" 204
check "log: empty after DELETE" eq "$(curl -s "$base/_log" | jq -c '[(.requests | length), .max_concurrent]')" '[0,{}]'
started=$(date +%s.%N)
slow=()
for _ in 1 2 3; do curl -s -o /dev/null "$base/slow/products.csv?delay=0.5" & slow+=($!); done
curl -s -o /dev/null "http://localhost:$port/slow/products.csv?delay=0.1"
wait "${slow[@]}"
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
check "slow: the delay is honoured" test "$(echo "$elapsed >= 0.5" | bc)" = 1
check "slow: body" eq "$(curl -s "http://localhost:$port/slow/products.csv?delay=0")" "$(printf 'sku,product_name,price\nSLOW-1,Compass 1,15.00')"
log=$(curl -s "$base/_log")
check "log: max_concurrent per Host header" eq "$(jq -S -c .max_concurrent <<<"$log")" "{\"127.0.0.1:$port\":3,\"localhost:$port\":1}"
check "log: every request recorded, not /_log itself" eq "$(jq '.requests | length' <<<"$log")" 5
check "log: record fields" eq "$(jq -c '.requests[0] | keys' <<<"$log")" '["ended","headers","host","method","path","started"]'
check "log: path with query, lower-case headers" eq "$(jq -r --arg h "127.0.0.1:$port" '[.requests[] | select(.host == $h)][0] | "\(.method) \(.path) \(.headers.host)"' <<<"$log")" \
    "GET /slow/products.csv?delay=0.5 127.0.0.1:$port"
check "log: ended after started" holds '[.requests[] | .ended - .started >= 0] | all' <<<"$log"
check "log: slow requests took the delay" holds '[.requests[] | select(.path | endswith("0.5")) | .ended - .started >= 0.5] | all' <<<"$log"
check "log: the bearer token is recorded" eq "$(curl -s -o /dev/null "${auth[@]}" "$json"; curl -s "$base/_log" | jq -r '.requests[-1].headers.authorization')" "Bearer sim-token"

# 9. big API ------------------------------------------------------------------------------------------
big="$base/big/products"
check "big: a page of size records" eq "$(curl -s "$big?size=1000" | jq '.records | length')" 1000
check "big: first record" eq "$(curl -s "$big?size=2" | jq -c '.records[0]')" '{"sku":"BIG-0000001","product_name":"Big Item 1","price":"2.01","currency":"USD","quantity":1}'
check "big: cursor = page number" eq "$(curl -s "$big?size=2&cursor=2" | jq -c '[.records[].sku, .next_cursor]')" '["BIG-0000003","BIG-0000004","3"]'
check "big: page= works too" eq "$(curl -s "$big?size=2&page=2" | jq -c '[.records[].sku]')" '["BIG-0000003","BIG-0000004"]'
check "big: the last page's next_cursor is null" eq "$(curl -s "$big?size=2&pages=3&cursor=3" | jq -c .next_cursor)" null
check "big: past the last page is empty" eq "$(curl -s "$big?size=2&pages=3&cursor=4" | jq -c .)" '{"records":[],"next_cursor":null}'
rate=$(python3 - "$base" <<'PY'
import http.client, json, sys, time
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
started, n, cursor = time.time(), 0, "1"
while cursor:
    c.request("GET", "/big/products?size=1000&pages=100&cursor=" + cursor)
    body = c.getresponse().read()
    page = json.loads(body)
    n += len(page["records"])
    cursor = page["next_cursor"]
print(int(n / (time.time() - started)))
PY
)
echo "     big: $rate records/s over one keep-alive connection (client parsing included)"
check "big: more than 50,000 records/s" test "$rate" -gt 50000

# 10. unknown paths, methods, reset ------------------------------------------------------------------
check "404 for an unknown path" eq "$(status "$base/nope")" 404
check "404 is JSON" eq "$(curl -s "$base/nope" | jq -r .error)" "not found"
check "405 for POST on a scenario" eq "$(status -X POST "$base/csv/products.csv")" 405
check "HEAD has the GET's Content-Length" eq "$(header Content-Length -I "$csv")" "$(curl -s "$csv" | wc -c | tr -d ' ')"
check "HEAD has no body" eq "$(curl -s -I "$csv" | tr -d '\r' | sed '1,/^$/d' | wc -c | tr -d ' ')" 0
check "keep-alive: two requests on one connection" eq "$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' "$csv" "$csv" | paste -sd, -)" "1,0"
check "reset" eq "$(status -X POST "$base/_control/reset")" 200
check "reset: the log is empty" eq "$(curl -s "$base/_log" | jq '.requests | length')" 0
check "reset: the CSV is version 1 again" eq "$(header ETag "$csv")" '"csv-v1"'
check "reset: the first page 3 gets 429 again" eq "$(status "$cur?cursor=c3")" 429
rc=0; curl -s -o /dev/null "$cur?cursor=c2" || rc=$?
check "reset: the first page 2 is cut off again" eq "$rc" 18
check "quiet: nothing on stderr" eq "$(cat "$work/stderr")" ""

kill -TERM "$sim_pid"
rc=0; wait "$sim_pid" || rc=$?
sim_pid=""
check "SIGTERM stops it" eq "$rc" 0
check "the port file is removed on exit" test ! -e "$work/port"

echo "vendor-sim self-test: $((checks - failures))/$checks checks passed"
[ "$failures" -eq 0 ]
