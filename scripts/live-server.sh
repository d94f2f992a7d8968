#!/usr/bin/env bash
# A throwaway `partner-catalog serve` on the embedded default (SQLite + local objects in a temp
# folder) on a free loopback port, for the docs examples and schemathesis.
#   source scripts/live-server.sh && live_server_start   # exports CATALOG_URL, CATALOG_ADMIN_KEY, LIVE_SERVER_SECRET_KEY
#   live_server_cli keys create --role reader           # the CLI on the server's database
#   live_server_stop
# The binary: $CATALOG_BINARY when set, else `swift build --product partner-catalog` (debug, the
# Makefile's build; incremental after `swift test`). Set CATALOG_BUILD_LOCK=/path/to/lockfile to
# build under flock on machines shared with other builders. The server (and live_server_env) gets a
# CATALOG_SECRET_KEY, $LIVE_SERVER_SECRET_KEY or a random one, so sources with credentials can be
# registered. LIVE_SERVER_WORKERS sets its CATALOG_WORKERS (1).

live_server_binary() {
    if [ -n "${CATALOG_BINARY:-}" ]; then
        [ -x "$CATALOG_BINARY" ] || { echo "CATALOG_BINARY=$CATALOG_BINARY is not an executable" >&2; return 1; }
        printf '%s\n' "$CATALOG_BINARY"
        return 0
    fi
    local lock=()
    [ -z "${CATALOG_BUILD_LOCK:-}" ] || lock=(flock "$CATALOG_BUILD_LOCK")
    local log
    log=$(mktemp)
    if ! "${lock[@]}" swift build --product partner-catalog >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    printf '%s/partner-catalog\n' "$(swift build --show-bin-path)"
}

live_server_start() {
    local binary
    binary=$(live_server_binary) || return 1
    LIVE_SERVER_DIR=$(mktemp -d /tmp/partner-catalog-live.XXXXXX)
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    CATALOG_ADMIN_KEY=${CATALOG_ADMIN_KEY:-pck_$(python3 -c 'import secrets; print(secrets.token_hex(24))')}
    CATALOG_URL="http://127.0.0.1:$port"
    LIVE_SERVER_SECRET_KEY=${LIVE_SERVER_SECRET_KEY:-$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')}
    # The embedded default, whatever the calling shell has configured; LIVE_SERVER_DATABASE_URL runs the
    # same checks on PostgreSQL instead.
    local database=()
    [ -n "${LIVE_SERVER_DATABASE_URL:-}" ] && database=(CATALOG_DATABASE_URL="$LIVE_SERVER_DATABASE_URL")
    env -u CATALOG_DATABASE_URL -u CATALOG_OBJECT_STORE -u CATALOG_S3_ENDPOINT -u CATALOG_S3_REGION "${database[@]}" \
        CATALOG_HOST=127.0.0.1 CATALOG_PORT="$port" CATALOG_DATA_DIR="$LIVE_SERVER_DIR/data" \
        CATALOG_ADMIN_KEY="$CATALOG_ADMIN_KEY" CATALOG_SECRET_KEY="$LIVE_SERVER_SECRET_KEY" CATALOG_WORKERS="${LIVE_SERVER_WORKERS:-1}" CATALOG_AUTO_RUN=false \
        CATALOG_ALLOW_PRIVATE_TARGETS="${LIVE_SERVER_ALLOW_PRIVATE_TARGETS:-false}" \
        CATALOG_LOG_LEVEL="${LIVE_SERVER_LOG_LEVEL:-warning}" \
        "$binary" serve >"$LIVE_SERVER_DIR/server.log" 2>&1 &
    LIVE_SERVER_PID=$!
    LIVE_SERVER_BINARY=$binary
    export LIVE_SERVER_DIR LIVE_SERVER_PID LIVE_SERVER_BINARY CATALOG_URL CATALOG_ADMIN_KEY LIVE_SERVER_SECRET_KEY
    local i
    for i in $(seq 1 150); do
        if curl -sf "$CATALOG_URL/health" >/dev/null 2>&1; then
            echo "partner-catalog serve on $CATALOG_URL (pid $LIVE_SERVER_PID, data in $LIVE_SERVER_DIR)" >&2
            return 0
        fi
        if ! kill -0 "$LIVE_SERVER_PID" 2>/dev/null; then break; fi
        sleep 0.2
    done
    echo "partner-catalog serve did not start:" >&2
    cat "$LIVE_SERVER_DIR/server.log" >&2
    live_server_stop
    return 1
}

# Runs a command with the server's configuration (its data folder, or its PostgreSQL), as an operator
# on the server would: `live_server_env partner-catalog keys create …` with the binary on PATH.
live_server_env() {
    local database=()
    [ -n "${LIVE_SERVER_DATABASE_URL:-}" ] && database=(CATALOG_DATABASE_URL="$LIVE_SERVER_DATABASE_URL")
    local secret=()
    [ -n "${LIVE_SERVER_SECRET_KEY:-}" ] && secret=(CATALOG_SECRET_KEY="$LIVE_SERVER_SECRET_KEY")
    env -u CATALOG_DATABASE_URL -u CATALOG_OBJECT_STORE -u CATALOG_S3_ENDPOINT -u CATALOG_S3_REGION "${database[@]}" "${secret[@]}" \
        CATALOG_DATA_DIR="$LIVE_SERVER_DIR/data" CATALOG_LOG_LEVEL="${LIVE_SERVER_LOG_LEVEL:-warning}" "$@"
}

# `partner-catalog …` (the server's binary) on the server's database.
live_server_cli() {
    live_server_env "$LIVE_SERVER_BINARY" "$@"
}

# The server's output so far (its log is removed by live_server_stop).
live_server_log() {
    [ -n "${LIVE_SERVER_DIR:-}" ] && tail -n "${1:-40}" "$LIVE_SERVER_DIR/server.log" >&2 || true
}

live_server_stop() {
    [ -n "${LIVE_SERVER_PID:-}" ] || return 0
    kill -TERM "$LIVE_SERVER_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$LIVE_SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$LIVE_SERVER_PID" 2>/dev/null || true
    wait "$LIVE_SERVER_PID" 2>/dev/null || true
    rm -rf "$LIVE_SERVER_DIR"
    unset LIVE_SERVER_PID LIVE_SERVER_DIR LIVE_SERVER_BINARY CATALOG_URL
}
