#!/usr/bin/env bash
# Stops the moto_server that scripts/start-moto.sh started: scripts/stop-moto.sh ENV_FILE (or with MOTO_PID set).
set -euo pipefail
if [ -n "${1:-}" ]; then
    # shellcheck disable=SC1090
    source "$1"
fi
pid=${MOTO_PID:-}
[ -n "$pid" ] || { echo "stop-moto: no MOTO_PID (pass the file start-moto.sh wrote)" >&2; exit 1; }
if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
fi
[ -n "${MOTO_LOG:-}" ] && rm -f "$MOTO_LOG"
exit 0
