#!/usr/bin/env bash
# S3 benchmark, release build, against moto (signature-checking, on loopback):
#  1. a 200 MB CSV uploaded through the API (`serve` spools it, then sends it in one PUT: below the default
#     multipart threshold) beside `curl --aws-sigv4` PUTting the same file straight to the store, in the
#     same run: times and ratio (target <= 1.3x); for context, the same file as a multipart upload, by curl
#     (8 MiB parts, one after another) and through the API with CATALOG_S3_MULTIPART_THRESHOLD=8 MiB
#     (8 MiB parts, 4 at a time);
#  2. the server's peak memory during a 1 GiB upload against its idle memory (target <= 64 MB above idle),
#     with the default threshold (multipart) and with one PUT.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/partner-catalog
RUNS=${RUNS:-3}
WORK=$(mktemp -d)
SERVER_PID=
# shellcheck source=../scripts/start-moto.sh
source scripts/start-moto.sh "$WORK/moto.env" >/dev/null
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    moto_stop
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ENDPOINT=$CATALOG_TEST_S3_ENDPOINT BUCKET=bench ADMIN=bench-admin-key-$RANDOM$RANDOM
SIGV4=(--aws-sigv4 "aws:amz:us-east-1:s3" -u "$CATALOG_TEST_S3_ACCESS_KEY_ID:$CATALOG_TEST_S3_SECRET_ACCESS_KEY")
EMPTY_SHA=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
curl -sf -X PUT "${SIGV4[@]}" -H "x-amz-content-sha256: $EMPTY_SHA" "$ENDPOINT/$BUCKET" >/dev/null

start_server() { # [VAR=value …] for serve's environment
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    URL=http://127.0.0.1:$port PARTNER=bench-$port
    CATALOG_DATA_DIR=$WORK/data-$port CATALOG_PORT=$port CATALOG_OBJECT_STORE=s3://$BUCKET CATALOG_S3_ENDPOINT=$ENDPOINT \
        AWS_ACCESS_KEY_ID=$CATALOG_TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$CATALOG_TEST_S3_SECRET_ACCESS_KEY \
        CATALOG_ADMIN_KEY=$ADMIN CATALOG_MAX_UPLOAD_BYTES=$((2 << 30)) CATALOG_LOG_LEVEL=warning \
        env "$@" "$BIN" serve >"$WORK/serve-$port.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")" = 200 ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "serve did not become ready:" >&2; cat "$WORK/serve-$port.log" >&2; exit 1
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=; }

# Prints the seconds an upload through the API took, sent as a partner sends it (curl's default headers,
# `Expect: 100-continue` included); fails unless it answered 201.
api_upload() { # file name
    local out
    out=$(curl -s -o "$WORK/answer.json" -w '%{http_code} %{time_total}' -X POST -T "$1" \
        -H "X-API-Key: $ADMIN" -H 'Content-Type: text/csv' "$URL/feeds/upload?partner_name=$PARTNER&file_name=$2")
    [ "${out% *}" = 201 ] || { echo "API upload answered ${out% *}: $(cat "$WORK/answer.json")" >&2; exit 1; }
    echo "${out#* }"
}

direct_put() { # file sha256 key
    local out
    # No `-H Expect:` here: curl 7.88 would sign the removed header and the server would refuse the signature.
    out=$(curl -s -o "$WORK/answer.xml" -w '%{http_code} %{time_total}' -T "$1" "${SIGV4[@]}" \
        -H "x-amz-content-sha256: $2" -H 'Content-Type: text/csv' "$ENDPOINT/$BUCKET/direct/$3")
    [ "${out% *}" = 200 ] || { echo "direct PUT answered ${out% *}: $(cat "$WORK/answer.xml")" >&2; exit 1; }
    echo "${out#* }"
}

# The same file as curl's own multipart upload in 8 MiB parts, one after another (as the service sends them);
# parts are split and hashed before the clock starts, like the single PUT's hash.
split_parts() { # file
    rm -rf "$WORK/parts" && mkdir "$WORK/parts" && split -b $((8 << 20)) -d -a 4 "$1" "$WORK/parts/p"
    for part in "$WORK"/parts/p????; do sha256sum "$part" | cut -d' ' -f1 >"$part.sha"; done
}

direct_multipart() { # key
    local start upload number=0 xml="<CompleteMultipartUpload>" etag code
    start=$(date +%s.%N)
    upload=$(curl -sf -X POST "${SIGV4[@]}" -H "x-amz-content-sha256: $EMPTY_SHA" -H 'Content-Type: text/csv' \
        "$ENDPOINT/$BUCKET/direct/$1?uploads=" | sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p')
    for part in "$WORK"/parts/p????; do
        number=$((number + 1))
        etag=$(curl -sf -D - -o /dev/null -X PUT -T "$part" "${SIGV4[@]}" -H "x-amz-content-sha256: $(cat "$part.sha")" \
            -H 'Content-Type: application/octet-stream' "$ENDPOINT/$BUCKET/direct/$1?partNumber=$number&uploadId=$upload" \
            | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')
        xml+="<Part><PartNumber>$number</PartNumber><ETag>$etag</ETag></Part>"
    done
    xml+="</CompleteMultipartUpload>"
    code=$(curl -s -o "$WORK/answer.xml" -w '%{http_code}' -X POST --data-binary "$xml" "${SIGV4[@]}" -H 'Content-Type: application/xml' \
        -H "x-amz-content-sha256: $(printf '%s' "$xml" | sha256sum | cut -d' ' -f1)" "$ENDPOINT/$BUCKET/direct/$1?uploadId=$upload")
    [ "$code" = 200 ] || { echo "direct multipart answered $code: $(cat "$WORK/answer.xml")" >&2; exit 1; }
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.6f\n", e - s }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

rss_kb() { awk -v f="$2" '$1 == f":" { print $2 }' "/proc/$1/status"; }

# 1. 200 MB: API versus direct PUT, alternating, median of $RUNS each.
python3 bench/generate_products.py 1175000 "$WORK/products.csv"   # about 200 MB
size=$(stat -c %s "$WORK/products.csv")
sha=$(sha256sum "$WORK/products.csv" | cut -d' ' -f1)
split_parts "$WORK/products.csv"
start_server
api_upload "$WORK/products.csv" warmup.csv >/dev/null
: >"$WORK/api" && : >"$WORK/direct" && : >"$WORK/multipart" && : >"$WORK/api-parts"
for run in $(seq 1 "$RUNS"); do
    api_upload "$WORK/products.csv" "run-$run.csv" >>"$WORK/api"
    direct_put "$WORK/products.csv" "$sha" "run-$run.csv" >>"$WORK/direct"
done
stop_server
# The multipart path, for context: curl's own parts one after another, and the API's 4 at a time.
start_server CATALOG_S3_MULTIPART_THRESHOLD=$((8 << 20))
api_upload "$WORK/products.csv" warmup.csv >/dev/null
for run in $(seq 1 "$RUNS"); do
    api_upload "$WORK/products.csv" "parts-$run.csv" >>"$WORK/api-parts"
    direct_multipart "multipart-$run.csv" >>"$WORK/multipart"
done
stop_server
runs() { paste -sd' ' "$WORK/$1" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? " " : ""), $i }'; }
awk -v s="$size" -v n="$RUNS" -v a="$(median <"$WORK/api")" -v d="$(median <"$WORK/direct")" -v m="$(median <"$WORK/multipart")" \
    -v p="$(median <"$WORK/api-parts")" -v al="$(runs api)" -v dl="$(runs direct)" -v ml="$(runs multipart)" -v pl="$(runs api-parts)" 'BEGIN {
    printf "200 MB upload (%.1f MB; median of %d runs, alternating):\n", s / 1e6, n
    printf "  through the API to S3 (spooled, one PUT)   %6.2f s %6.1f MB/s  (%s)\n", a, s / a / 1e6, al
    printf "  curl --aws-sigv4 PUT, one request          %6.2f s %6.1f MB/s  (%s)\n", d, s / d / 1e6, dl
    printf "  ratio API / curl PUT                       %6.2fx (target <= 1.3x)\n", a / d
    printf "  multipart, for context (moto copies the object again to complete it):\n"
    printf "  through the API, threshold 8 MiB           %6.2f s %6.1f MB/s  (%s; 8 MiB parts, 4 at a time)\n", p, s / p / 1e6, pl
    printf "  curl --aws-sigv4 multipart, 8 MiB parts    %6.2f s %6.1f MB/s  (%s; one after another)\n", m, s / m / 1e6, ml }'

# 2. 1 GiB through a fresh server: idle memory, then peak (VmHWM, reset first) and sampled VmRSS during the upload.
python3 - "$WORK/products.csv" "$WORK/gib.csv" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
rows = data[data.index(b"\n") + 1:]
with open(sys.argv[2], "wb") as out:
    out.write(data)
    written = len(data)
    while written < 1 << 30:
        piece = rows[:(1 << 30) - written]
        out.write(piece)
        written += len(piece)
PY
rm -rf "$WORK/products.csv" "$WORK/parts"
python3 bench/generate_products.py 1000 "$WORK/small.csv"
gib_upload() { # label [VAR=value …]
    local label=$1 idle peak sampled=0 now upload
    shift
    start_server "$@"
    api_upload "$WORK/small.csv" warmup.csv >/dev/null
    sleep 1
    idle=$(rss_kb "$SERVER_PID" VmRSS)
    echo 5 >"/proc/$SERVER_PID/clear_refs"
    api_upload "$WORK/gib.csv" gib.csv >"$WORK/gib-time" &
    upload=$!
    while kill -0 "$upload" 2>/dev/null; do
        now=$(rss_kb "$SERVER_PID" VmRSS)
        [ "$now" -gt "$sampled" ] && sampled=$now
        sleep 0.05
    done
    wait "$upload"
    peak=$(rss_kb "$SERVER_PID" VmHWM)
    stop_server
    awk -v l="$label" -v i="$idle" -v p="$peak" -v s="$sampled" -v t="$(cat "$WORK/gib-time")" 'BEGIN {
        printf "1 GiB upload through the API, %s: %.2f s (%.1f MB/s)\n", l, t, 1073741824 / t / 1e6
        printf "  server memory idle %.1f MB, peak %.1f MB (sampled max %.1f MB): %.1f MB above idle (target <= 64 MB)\n",
            i / 1024, p / 1024, s / 1024, (p - i) / 1024 }'
}
gib_upload "default threshold (512 MiB): multipart, 8 MiB parts, 4 at a time"
gib_upload "threshold 5 GiB: one PUT" CATALOG_S3_MULTIPART_THRESHOLD=$((5 << 30))
