#!/usr/bin/env bash
# A throwaway PostgreSQL 15 on loopback for tests and benchmarks.
#   source scripts/postgres.sh && postgres_start   # exports CATALOG_TEST_DATABASE_URL
#   postgres_stop
# PG_SERVER_OPTS adds server settings (e.g. "-c shared_buffers=1GB").
# Installs postgresql-15 with apt when its binaries are missing. Works as root (runs the server as
# the postgres user) or as an ordinary user.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

postgres_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

postgres_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_install() {
    [ -x "$PG_BIN/initdb" ] && return 0
    echo "Installing postgresql-15 …" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 >/dev/null
}

postgres_start() {
    postgres_install || return 1
    PG_DATA_ROOT=$(mktemp -d /tmp/partner-catalog-pg.XXXXXX)
    chmod 755 "$PG_DATA_ROOT"
    PG_DATA="$PG_DATA_ROOT/data"
    PG_PORT=${POSTGRES_PORT:-$(postgres_free_port)}
    local password=catalog-test
    printf '%s\n' "$password" > "$PG_DATA_ROOT/pwfile"
    chmod 644 "$PG_DATA_ROOT/pwfile"
    mkdir -p "$PG_DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DATA" "$PG_DATA_ROOT/pwfile"; fi
    postgres_as_owner "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$PG_DATA_ROOT/pwfile" --auth=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DATA_ROOT/initdb.log" 2>&1 \
        || { cat "$PG_DATA_ROOT/initdb.log" >&2; return 1; }
    postgres_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=off -c max_connections=500 ${PG_SERVER_OPTS:-}" start >/dev/null \
        || { cat "$PG_DATA/server.log" >&2; return 1; }
    export PG_DATA PG_PORT PG_DATA_ROOT
    export CATALOG_TEST_DATABASE_URL="postgres://postgres:$password@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
    echo "PostgreSQL 15 on 127.0.0.1:$PG_PORT (data in $PG_DATA)" >&2
}


# Outage drills: stop the server but keep its data, then start it again on the same port.
postgres_pause() {
    postgres_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
}

postgres_resume() {
    postgres_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DATA -c fsync=off -c max_connections=500 ${PG_SERVER_OPTS:-}" start >/dev/null
}

postgres_stop() {
    [ -n "${PG_DATA:-}" ] || return 0
    postgres_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA_ROOT"
    unset PG_DATA PG_PORT PG_DATA_ROOT CATALOG_TEST_DATABASE_URL
}
