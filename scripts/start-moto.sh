#!/usr/bin/env bash
# Starts moto_server, an S3-compatible server that checks SigV4 signatures, on a free loopback port;
# creates an IAM user with a real access key and a bucket, and prints the settings the tests read:
#
#   scripts/start-moto.sh [ENV_FILE]          writes `export CATALOG_TEST_S3_…=…` and MOTO_PID to ENV_FILE (or stdout)
#   source scripts/start-moto.sh [ENV_FILE]   the same, and exports them into the current shell (then `moto_stop`)
#
# Stop it with scripts/stop-moto.sh ENV_FILE. Uses moto_server from PATH, else installs
# moto[server] into .venv-moto. Needs python3 and curl (with --aws-sigv4, curl >= 7.75).

moto_start() {
    local out=${1:-} root server port log pid code i
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if command -v moto_server >/dev/null 2>&1; then
        server=$(command -v moto_server)
    else
        server=$root/.venv-moto/bin/moto_server
        if [ ! -x "$server" ]; then
            echo "moto_server not found: installing moto[server] into $root/.venv-moto" >&2
            python3 -m venv "$root/.venv-moto" && echo '*' >"$root/.venv-moto/.gitignore" \
                && "$root/.venv-moto/bin/pip" install -q 'moto[server]' >&2 || { echo "error: cannot install moto" >&2; return 1; }
        fi
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1
    log=$(mktemp "${TMPDIR:-/tmp}/moto.XXXXXX")
    # The first three API calls skip authentication: the IAM calls below. Every later request is SigV4-checked.
    INITIAL_NO_AUTH_ACTION_COUNT=3 nohup "$server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 </dev/null &
    pid=$!
    for i in $(seq 1 300); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/moto-api/" 2>/dev/null) || true
        [ "$code" = 200 ] && break
        if ! kill -0 "$pid" 2>/dev/null; then echo "error: moto_server exited; its log:" >&2; cat "$log" >&2; return 1; fi
        sleep 0.1
    done
    if [ "$code" != 200 ]; then echo "error: moto_server did not answer on port $port within 30 s" >&2; kill "$pid"; return 1; fi

    local endpoint=http://127.0.0.1:$port region=us-east-1 bucket=catalog-test keys access secret
    local policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    _moto_iam() { curl -sf --aws-sigv4 "aws:amz:$region:iam" -u anonymous:anonymous -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
        --data Version=2010-05-08 "$@" "$endpoint/"; }
    _moto_iam --data Action=CreateUser --data UserName=catalog >/dev/null \
        && _moto_iam --data Action=PutUserPolicy --data UserName=catalog --data PolicyName=all \
            --data-urlencode "PolicyDocument=$policy" >/dev/null \
        && keys=$(_moto_iam --data Action=CreateAccessKey --data UserName=catalog) \
        || { echo "error: IAM setup on moto failed" >&2; kill "$pid"; return 1; }
    unset -f _moto_iam
    access=$(sed -n 's:.*<AccessKeyId>\(.*\)</AccessKeyId>.*:\1:p' <<<"$keys")
    secret=$(sed -n 's:.*<SecretAccessKey>\(.*\)</SecretAccessKey>.*:\1:p' <<<"$keys")
    if [ -z "$access" ] || [ -z "$secret" ]; then echo "error: no access key in moto's answer" >&2; kill "$pid"; return 1; fi
    code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:$region:s3" -u "$access:$secret" \
        -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' "$endpoint/$bucket")
    if [ "$code" != 200 ]; then echo "error: creating bucket $bucket answered HTTP $code" >&2; kill "$pid"; return 1; fi

    local lines
    lines=$(printf 'export %s=%q\n' \
        CATALOG_TEST_S3_ENDPOINT "$endpoint" CATALOG_TEST_S3_REGION "$region" CATALOG_TEST_S3_BUCKET "$bucket" \
        CATALOG_TEST_S3_ACCESS_KEY_ID "$access" CATALOG_TEST_S3_SECRET_ACCESS_KEY "$secret" MOTO_PID "$pid" MOTO_LOG "$log")
    if [ -n "$out" ]; then printf '%s\n' "$lines" >"$out"; else printf '%s\n' "$lines"; fi
    [ "${BASH_SOURCE[0]}" != "$0" ] && eval "$lines"
    return 0
}

# Stops the server started by `moto_start` in this shell (or the one whose MOTO_PID is given).
moto_stop() {
    local pid=${1:-${MOTO_PID:-}} i
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    [ -n "${MOTO_LOG:-}" ] && rm -f "$MOTO_LOG"
    return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    moto_start "$@"
else
    moto_start "$@"
fi
