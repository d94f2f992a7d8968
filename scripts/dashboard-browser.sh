#!/usr/bin/env bash
# The analysts' page in a real browser: headless Chromium (Debian's chromium and chromium-driver,
# installed when missing; selenium from PyPI into .venv-browser) against a live `serve` with the
# fixture data. Logs in with an analyst key, switches the range and the grain, takes screenshots
# (${CI_ARTIFACTS_DIR:-.ci-output}/dashboard.png, and dashboard-phone.png at a phone's width) and checks
# the DOM after rendering: charts and tables present, the figures the API answers for the same
# parameters, no horizontal scrolling at a phone's width, no console errors; then logs out.
# The server binary: see scripts/live-server.sh (CATALOG_BINARY, else a debug `swift build`).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-browser
selenium_version=4.50.0
artifacts=${CI_ARTIFACTS_DIR:-.ci-output}
mkdir -p "$artifacts"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} …" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! [ -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" 2>/dev/null; then
    echo "Installing selenium $selenium_version into $venv …" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "selenium==$selenium_version"
fi

# shellcheck source=scripts/live-server.sh
source scripts/live-server.sh
trap live_server_stop EXIT
live_server_start

api() { curl -sS --fail-with-body "$@"; }
key=$(api -X POST -H "X-API-Key: $CATALOG_ADMIN_KEY" -H 'Content-Type: application/json' \
          -d '{"partner_name": "acme-outdoor", "display_name": "Acme Outdoor"}' "$CATALOG_URL/partners" | jq -r .api_key)
for form in "file=@fixtures/products-clean.csv" "file=@fixtures/orders-clean.csv;feed_type=orders"; do
    IFS=';' read -r file extra <<<"$form"
    fields=(-F "$file")
    [ -z "$extra" ] || fields+=(-F "$extra")
    job=$(api -H "X-API-Key: $key" "${fields[@]}" "$CATALOG_URL/feeds/upload" | jq -r .validation_job_id)
    api -X POST -H "X-API-Key: $key" "$CATALOG_URL/jobs/$job/run?wait=true" >/dev/null
done
analyst=$(live_server_cli keys create --role analyst --label "browser test" | awk '/^API key/ {print $NF}')

status=0
SE_OFFLINE=true CATALOG_URL="$CATALOG_URL" ANALYST_KEY="$analyst" ARTIFACTS="$artifacts" \
    "$venv/bin/python" scripts/dashboard_browser.py || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log (last lines):" >&2
    live_server_log 40
fi
exit "$status"
