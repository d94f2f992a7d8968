#!/usr/bin/env bash
# Property-based API tests: schemathesis (PyPI, installed into .venv-schemathesis when missing)
# against a live `serve` on the embedded default, with an admin key and seeded data (a partner, the
# clean and messy product feeds and an orders feed, their jobs run), using the spec the server
# itself serves at /openapi.json. Checks: not_a_server_error, status_code_conformance,
# content_type_conformance, response_schema_conformance. Fails on any failure, and when the server
# saw fewer than SCHEMATHESIS_MIN_REQUESTS requests (counted from its own /metrics).
#   scripts/schemathesis.sh [extra `st run` options]
# Environment: SCHEMATHESIS_MAX_EXAMPLES (per operation, default 450), SCHEMATHESIS_SEED (default
# random, printed so a failure can be replayed), SCHEMATHESIS_MIN_REQUESTS (default 5000); the
# server binary as in scripts/live-server.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-schemathesis
version=4.32.5
max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-450}
min_requests=${SCHEMATHESIS_MIN_REQUESTS:-5000}
seed=${SCHEMATHESIS_SEED:-$(python3 -c 'import random; print(random.randrange(2**31))')}

if ! [ -x "$venv/bin/st" ] || ! "$venv/bin/st" --version 2>/dev/null | grep -q "$version"; then
    echo "Installing schemathesis $version into $venv …" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
fi
if ! command -v jq >/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq jq >/dev/null
fi

# shellcheck source=scripts/live-server.sh
source scripts/live-server.sh
trap live_server_stop EXIT
live_server_start

api() { curl -sS --fail-with-body "$@"; }
admin=(-H "X-API-Key: $CATALOG_ADMIN_KEY")
# Seed: a partner with its key, two product feeds and an orders feed, each job run, so the GET
# endpoints (feeds, raw files, jobs, diagnostics) have data to answer with.
key=$(api -X POST "${admin[@]}" -H 'Content-Type: application/json' \
          -d '{"partner_name": "acme-outdoor", "display_name": "Acme Outdoor"}' "$CATALOG_URL/partners" | jq -r .api_key)
for form in "file=@fixtures/products-clean.csv" "file=@fixtures/products-messy.csv;mode=full" "file=@fixtures/orders-clean.csv;feed_type=orders"; do
    IFS=';' read -r file extra <<<"$form"
    fields=(-F "$file")
    [ -z "$extra" ] || fields+=(-F "$extra")
    job=$(api -H "X-API-Key: $key" "${fields[@]}" "$CATALOG_URL/feeds/upload" | jq -r .validation_job_id)
    api -X POST -H "X-API-Key: $key" "$CATALOG_URL/jobs/$job/run?wait=true" | jq -r '"seeded \(.job_id) \(.status): \(.message)"' >&2
done
api "${admin[@]}" -H 'Content-Type: text/csv' --data-binary @fixtures/products-clean.csv.gz \
    "$CATALOG_URL/feeds/upload?partner_name=trail-goods&file_name=spring.csv.gz" >/dev/null

requests_seen() {
    curl -sS "$CATALOG_URL/metrics" | awk '/^hb_requests_total[{ ]/ || /^hb_requests[{ ]/ { sum += $NF } END { printf "%d\n", sum }'
}
before=$(requests_seen)
started=$(date +%s)
echo "schemathesis $version against $CATALOG_URL: --max-examples $max_examples --seed $seed" >&2
status=0
"$venv/bin/st" run "$CATALOG_URL/openapi.json" \
    --header "X-API-Key: $CATALOG_ADMIN_KEY" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$max_examples" --seed "$seed" --generation-database none \
    --workers 1 --request-timeout 60 --no-color \
    "$@" || status=$?
elapsed=$(( $(date +%s) - started ))
after=$(requests_seen)
requests=$(( after - before - 1 ))   # less the first /metrics read itself
echo "schemathesis: exit $status, $requests requests served in ${elapsed} s (seed $seed)" >&2
if [ "$status" -ne 0 ]; then
    echo "--- server log (last lines):" >&2
    live_server_log 40
    exit "$status"
fi
if [ "$requests" -lt "$min_requests" ]; then
    echo "schemathesis sent $requests requests, fewer than the $min_requests required" >&2
    exit 1
fi
