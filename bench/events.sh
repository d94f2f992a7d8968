#!/usr/bin/env bash
# Events benchmark (issue 18), release build, on a throwaway `serve` (scripts/live-server.sh: the embedded
# store, one node, 1 job worker and 8 webhook workers), with the clients in bench/events.py and bench/sse_fanout.c:
#  1. SSE fan-out: 1,000 live streams of `GET /products/changes` (Accept: text/event-stream, from the
#     feed's current position) held by one native epoll client; then a 10,000-product feed is uploaded and
#     run (`POST /jobs/{id}/run?wait=true`). Time from the job's `finished_at` (and from the moment
#     run?wait=true returned) until the last stream has received its 10,000th product event
#     (target <= 1 s). Server memory per idle stream: the server's VmRSS with the 1,000 streams open and
#     idle for 2 s, minus before they opened, / 1,000 (target <= 20 KB). The floor, in the same run: the
#     same client receiving the same bytes (one stream's, captured) on as many streams from a native
#     server that only writes them (`sse_fanout floor-server`).
#  2. Webhook throughput: one webhook (events ["*"]) to a receiver on loopback that answers 200 at once
#     and checks every signature; 10,000 `POST /orders` (32 at a time) make 10,000 `order.created`
#     events. Deliveries/s as the receiver sees them, from the first to the 10,000th distinct
#     webhook-id, and from the first event's `created_at`, bound by how fast the orders are posted.
#  3. Webhook throughput on a backlog (target >= 500/s): the same 10,000 orders posted to a node without
#     workers, then delivered by a `partner-catalog worker` process on the same data.
# CATALOG_BINARY selects the binary (default .build/release/partner-catalog). EVENTS_CLIENTS,
# EVENTS_PRODUCTS and WEBHOOK_EVENTS (1000, 10000, 10000) shrink a trial run, e.g. against a debug
# build; WEBHOOK_CONCURRENCY (32) sets the order posters, EVENTS_TIMEOUT (300 s) each phase's limit.
set -euo pipefail
cd "$(dirname "$0")/.."
export CATALOG_BINARY=${CATALOG_BINARY:-.build/release/partner-catalog}
CLIENTS=${EVENTS_CLIENTS:-1000} PRODUCTS=${EVENTS_PRODUCTS:-10000} HOOK_EVENTS=${WEBHOOK_EVENTS:-10000}
CONCURRENCY=${WEBHOOK_CONCURRENCY:-32} TIMEOUT=${EVENTS_TIMEOUT:-300}
# 1,000 streams and the other clients need more than serve's default 1,024 connections; live_server_start
# passes the calling environment on to serve. Webhooks go to the receiver on loopback.
export CATALOG_MAX_CONNECTIONS=${CATALOG_MAX_CONNECTIONS:-4096} LIVE_SERVER_ALLOW_PRIVATE_TARGETS=true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
WORK=$(mktemp -d)
HELPERS=()
# shellcheck source=../scripts/live-server.sh
source scripts/live-server.sh
cleanup() {
    local pid
    for pid in "${HELPERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${HELPERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    live_server_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

api() { curl -sS --fail-with-body --max-time $((TIMEOUT + 30)) -H "X-API-Key: $CATALOG_ADMIN_KEY" "$@"; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$LIVE_SERVER_PID/status"; }
# Waits for a file a helper writes, failing if the helper exits first (with its output) or after $2 seconds.
wait_for_file() { # file seconds helper-pid helper-output what
    local i
    for i in $(seq 1 $(($2 * 10))); do
        [ -e "$1" ] && return 0
        kill -0 "$3" 2>/dev/null || { echo "$5 exited early:" >&2; cat "$4" >&2; live_server_log; exit 1; }
        sleep 0.1
    done
    echo "$5: not ready after $2 s" >&2; exit 1
}
# Waits for a helper and forgets it (cleanup kills only those still running); its exit status in $REAPED.
reap() { # pid
    REAPED=0
    wait "$1" || REAPED=$?
    local kept=() pid
    for pid in "${HELPERS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
    HELPERS=("${kept[@]}")
}

# The partner the orders name: its feed uploaded, not run (orders need the partner, not the products).
upload_partner() {
    curl -sS --fail-with-body -H "X-API-Key: $CATALOG_ADMIN_KEY" -H 'Content-Type: text/csv' --data-binary @"$WORK/products.csv" \
        "$CATALOG_URL/feeds/upload?partner_name=bench&file_name=p.csv" >/dev/null
}
# A receiver on loopback (its report in $WORK/$1) and one webhook for every event pointing at it: sets SINK and hook.
start_receiver() { # report-file
    rm -f "$WORK/sink.port" "$WORK/secret"
    python3 bench/events.py sink "$WORK/sink.port" "$WORK/secret" "$HOOK_EVENTS" "$TIMEOUT" >"$WORK/$1" &
    SINK=$!
    HELPERS+=("$SINK")
    wait_for_file "$WORK/sink.port" 10 "$SINK" "$WORK/$1" "the webhook receiver"
    hook=$(api -X POST -H 'Content-Type: application/json' \
        -d "{\"url\": \"http://127.0.0.1:$(cat "$WORK/sink.port")/hook\", \"events\": [\"*\"], \"description\": \"bench/events.sh\"}" \
        "$CATALOG_URL/webhooks")
    jq -r .secret <<<"$hook" >"$WORK/secret.tmp" && mv "$WORK/secret.tmp" "$WORK/secret"
}
# The current webhook's deliveries with status $1 (pages of 200; "200+": more).
count_deliveries() { # status
    api "$CATALOG_URL/webhooks/$(jq -r .webhook_id <<<"$hook")/deliveries?limit=200&status=$1" \
        | jq -r '"\(.count)\(if .next_cursor then "+" else "" end)"'
}

python3 bench/generate_products.py "$PRODUCTS" "$WORK/products.csv"
cc -O2 -o "$WORK/sse_fanout" bench/sse_fanout.c
live_server_start

# 1. SSE fan-out. The feed's current position (a fresh node: the start; paged to the end all the same).
since=0
while :; do
    api "$CATALOG_URL/products/changes?since=$since&limit=1000" >"$WORK/page.json"
    since=$(jq -r .next_since "$WORK/page.json")
    [ "$(jq .count "$WORK/page.json")" -lt 1000 ] && break
done
# One short stream first, so that the baseline includes the streaming path's one-time allocations.
curl -sN --max-time 1 -H "X-API-Key: $CATALOG_ADMIN_KEY" -H 'Accept: text/event-stream' \
    "$CATALOG_URL/products/changes?since=$since" >/dev/null || true
sleep 1
rss_before=$(rss_kb)
"$WORK/sse_fanout" client 127.0.0.1 "${CATALOG_URL##*:}" "$CATALOG_ADMIN_KEY" "$since" "$CLIENTS" "$PRODUCTS" "$WORK/ready" \
    "$TIMEOUT" >"$WORK/fanout.json" &
FANOUT=$!
HELPERS+=("$FANOUT")
wait_for_file "$WORK/ready" 150 "$FANOUT" "$WORK/fanout.json" "the SSE clients"
sleep 2
rss_after=$(rss_kb)
feed=$(curl -sS --fail-with-body --max-time $((TIMEOUT + 30)) -H "X-API-Key: $CATALOG_ADMIN_KEY" -H 'Content-Type: text/csv' \
    --data-binary @"$WORK/products.csv" "$CATALOG_URL/feeds/upload?partner_name=bench&file_name=p.csv")
job=$(jq -r .validation_job_id <<<"$feed")
api -X POST "$CATALOG_URL/jobs/$job/run?wait=true&timeout=$TIMEOUT" >"$WORK/run.json"
returned=$(date +%s.%N)
api "$CATALOG_URL/jobs/$job" >"$WORK/job.json"
[ "$(jq -r .status "$WORK/job.json")" = completed ] || { echo "job $job did not complete:" >&2; cat "$WORK/job.json" >&2; exit 1; }
reap "$FANOUT"
fanout_status=$REAPED
jq -r '"job \(.job_id): \(.message)"' "$WORK/job.json"

# The floor in the same run: the same client receiving one stream's bytes, as the service sent them,
# from a server that does nothing but write them to the same number of streams.
curl -sN --max-time 15 -H "X-API-Key: $CATALOG_ADMIN_KEY" -H 'Accept: text/event-stream' \
    "$CATALOG_URL/products/changes?since=$since" >"$WORK/body.sse" || true
"$WORK/sse_fanout" floor-server "$WORK/floor.port" "$WORK/body.sse" "$WORK/go" "$TIMEOUT" >"$WORK/floor-server.json" &
FLOOR_SERVER=$!
HELPERS+=("$FLOOR_SERVER")
wait_for_file "$WORK/floor.port" 10 "$FLOOR_SERVER" "$WORK/floor-server.json" "the floor server"
"$WORK/sse_fanout" client 127.0.0.1 "$(cat "$WORK/floor.port")" none 0 "$CLIENTS" "$PRODUCTS" "$WORK/floor-ready" "$TIMEOUT" \
    >"$WORK/floor.json" &
FLOOR=$!
HELPERS+=("$FLOOR")
wait_for_file "$WORK/floor-ready" 150 "$FLOOR" "$WORK/floor.json" "the floor's SSE clients"
sleep 2
touch "$WORK/go"
reap "$FLOOR"
reap "$FLOOR_SERVER"
# The framework's own cost per idle connection, on a fresh server (memory the streams freed would be reused).
live_server_stop
live_server_start
curl -sf "$CATALOG_URL/health" >/dev/null
sleep 1
keepalive_kb=$(python3 bench/events.py idle-connections "$CATALOG_URL" "$CLIENTS" "$LIVE_SERVER_PID")
python3 bench/events.py sse-report "$WORK/fanout.json" "$(jq -r .finished_at "$WORK/job.json")" "$returned" "$rss_before" "$rss_after" \
    "$keepalive_kb" "$WORK/floor.json" "$WORK/floor-server.json"
[ "$fanout_status" = 0 ] || echo "  (the SSE clients exited with $fanout_status)"
upload_partner

# 2. Webhook throughput while the orders are posted, on the fresh server.
start_receiver sink.json
orders_status=0
python3 bench/events.py orders "$CATALOG_URL" "$CATALOG_ADMIN_KEY" bench "$HOOK_EVENTS" "$CONCURRENCY" >"$WORK/orders.json" \
    || orders_status=$?
reap "$SINK"
sink_status=$REAPED
unsettled="failed $(count_deliveries failed), pending $(count_deliveries pending)"
python3 bench/events.py webhook-report "$WORK/sink.json" "$WORK/orders.json" "$unsettled"
[ "$orders_status" = 0 ] || echo "  (the order poster exited with $orders_status)"
[ "$sink_status" = 0 ] || echo "  (the receiver exited with $sink_status: not every event arrived within ${TIMEOUT} s)"

# 3. Webhook throughput on a backlog: the same 10,000 orders posted to a node without workers, so that
# every delivery is queued before any is made; then a `partner-catalog worker` process on the same data
# delivers them all. Deliveries/s from the worker's start and from the first to the last delivery.
live_server_stop
LIVE_SERVER_WORKERS=0 live_server_start
upload_partner
start_receiver backlog-sink.json
backlog_orders=0
python3 bench/events.py orders "$CATALOG_URL" "$CATALOG_ADMIN_KEY" bench "$HOOK_EVENTS" "$CONCURRENCY" >"$WORK/backlog-orders.json" \
    || backlog_orders=$?
queued="pending $(count_deliveries pending)"
worker_started=$(date +%s.%N)
live_server_env CATALOG_WORKERS=1 CATALOG_ALLOW_PRIVATE_TARGETS=true "$LIVE_SERVER_BINARY" worker >"$WORK/worker.log" 2>&1 &
WORKER=$!
HELPERS+=("$WORKER")
reap "$SINK"
backlog_sink=$REAPED
# live_server_env runs the binary as a child of the background shell: stop both.
pkill -TERM -P "$WORKER" 2>/dev/null || true
kill "$WORKER" 2>/dev/null || true
reap "$WORKER"
python3 bench/events.py backlog-report "$WORK/backlog-sink.json" "$WORK/backlog-orders.json" "$worker_started" "$queued" \
    "failed $(count_deliveries failed), pending $(count_deliveries pending)"
[ "$backlog_orders" = 0 ] || echo "  (the order poster exited with $backlog_orders)"
[ "$backlog_sink" = 0 ] || { echo "  (the receiver exited with $backlog_sink)"; tail -20 "$WORK/worker.log"; }
exit $((fanout_status || orders_status || sink_status || backlog_orders || backlog_sink))
