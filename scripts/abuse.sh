#!/usr/bin/env bash
# Hostile clients (scripts/abuse.py): slowloris on 300 connections, idle connections up to the cap,
# 10,000 headers, a 100 MB JSON body, gzip bombs, million-field multipart bodies, deeply nested
# JSON, one partner's upload flood, 2,000 random keys — each while /health is timed from a second
# client; prints shape, status, server up, /health p99 and RSS growth, and fails when a target is
# missed (no 5xx but 503 OVERLOADED, no crash, /health p99 <= 100 ms, RSS growth <= 64 MB).
#   scripts/abuse.sh            # the long version (`make drill`, with the release binary)
#   scripts/abuse.sh --short    # smaller bodies and limits (`make test`)
# The binary: $CATALOG_BINARY when set, else the debug `swift build` (as scripts/live-server.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/live-server.sh
source scripts/live-server.sh
binary=$(live_server_binary)
command -v curl >/dev/null || { echo "abuse.sh needs curl" >&2; exit 1; }
python3 scripts/abuse.py --binary "$binary" "$@"
