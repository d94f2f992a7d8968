#!/usr/bin/env bash
# Runs a command beside a fresh signature-checking S3 server (moto), with the CATALOG_TEST_S3_* settings
# exported, and stops the server afterwards:  scripts/with-moto.sh swift test --filter CatalogS3Tests
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG…]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
env_file=$(mktemp)
trap '"$here/stop-moto.sh" "$env_file" || true; rm -f "$env_file"' EXIT
trap 'exit 130' INT TERM
"$here/start-moto.sh" "$env_file"
# shellcheck disable=SC1090
source "$env_file"
"$@"
