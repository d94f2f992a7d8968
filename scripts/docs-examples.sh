#!/usr/bin/env bash
# Runs the `sh` examples of the guides against a live server, so the docs cannot rot.
#   scripts/docs-examples.sh [GUIDE.md …]    (default: the partner upload, mobile paging, analytics, events and webhooks,
#                                              and pulling from vendors guides)
#
# Every ```sh block of a guide carries a marker: an HTML comment on the line before its fence,
# invisible on the site.
#   <!-- docs-test: run -->                   run; the block must exit 0 and every HTTP answer be 2xx
#   <!-- docs-test: run status=201,409 -->    the block's curl calls must answer exactly these statuses, in order
#   <!-- docs-test: run contains="TEXT" -->   its output must also contain TEXT (\" for a quote); may be
#                                             given more than once, and then every TEXT must appear
#   <!-- docs-test: skip (why) -->            shown on the site, not run; the reason is printed
# A ```sh block without a marker fails the test. Each guide gets a fresh `serve` on the embedded
# default, so it starts from an empty catalog (IDs from 00001) and sets up the data it needs in its
# own run blocks. A guide's run blocks execute in order in one bash shell (set -euo pipefail, so
# variables carry over from block to block), in a temp folder holding a copy of fixtures/, with
#   URL    the server,  ADMIN  an admin key,  KEY  the key of partner acme-outdoor (created beforehand),
#   REPO   the repository's root (for its scripts, e.g. the vendor simulator scripts/vendor_sim.py),
# and the environment of an operator on that server: `partner-catalog` (the server's binary) on PATH
# and the server's CATALOG_DATA_DIR (or CATALOG_DATABASE_URL), so CLI examples such as
# `partner-catalog keys create` act on the server's database. curl is wrapped to record each
# answer's status; the examples must not use curl's -w themselves. Every guide runs even when an
# earlier one fails; the exit status is non-zero if any failed. A guide that starts a helper in the
# background (a vendor simulator, a webhook receiver) stops it in its last block, and may leave its
# process ID in a *.pid file of its folder: whatever such a file names is stopped after the guide,
# also when the guide failed before its last block.
# The server binary: see scripts/live-server.sh (CATALOG_BINARY, else a debug `swift build`).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
guides=("$@")
[ ${#guides[@]} -gt 0 ] || guides=(mkdocs/docs/partner-upload.md mkdocs/docs/mobile-paging.md mkdocs/docs/analytics.md
                                    mkdocs/docs/events-and-webhooks.md mkdocs/docs/pulling-from-vendors.md)
# The guides' webhook receivers and vendor simulator listen on loopback.
export LIVE_SERVER_ALLOW_PRIVATE_TARGETS=true

if ! command -v jq >/dev/null; then
    echo "Installing jq …" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq jq >/dev/null
fi

work=$(mktemp -d /tmp/partner-catalog-docs.XXXXXX)
# shellcheck source=scripts/live-server.sh
source scripts/live-server.sh
trap 'live_server_stop; rm -rf "$work"' EXIT

# Extracts a guide's blocks into one bash script.
extract() {
python3 - "$1" <<'PY'
import re, shlex, sys

path = sys.argv[1]
lines = open(path, encoding="utf-8").read().split("\n")
marker = re.compile(r"^<!--\s*docs-test:\s*(run|skip)\b(.*?)-->\s*$")
attribute = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))')
blocks, errors = [], []
i = 0
while i < len(lines):
    line = lines[i]
    fence = re.match(r"^(\s*)```(\w*)", line)
    if not fence:
        i += 1
        continue
    indent, language = fence.groups()
    start = i + 1
    j = start
    while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
        j += 1
    if language in ("sh", "bash", "shell"):
        if indent:
            errors.append(f"{path}:{i + 1}: indented sh blocks are not supported")
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        m = marker.match(lines[k].strip()) if k >= 0 else None
        if not m:
            errors.append(f"{path}:{i + 1}: sh block without a <!-- docs-test: run|skip … --> marker on the line before it")
        else:
            kind, rest = m.group(1), m.group(2).strip()
            block = {"line": i + 1, "kind": kind, "code": "\n".join(lines[start:j]), "status": None, "contains": [], "reason": rest}
            if kind == "run":
                leftover = attribute.sub("", rest).strip()
                if leftover:
                    errors.append(f"{path}:{k + 1}: cannot read marker attributes: {leftover!r}")
                for name, quoted, bare in attribute.findall(rest):
                    value = re.sub(r"\\(.)", r"\1", quoted) if quoted else bare
                    if name == "status" and re.fullmatch(r"\d{3}(,\d{3})*", value):
                        block["status"] = value
                    elif name == "contains":
                        block["contains"].append(value)
                    else:
                        errors.append(f"{path}:{k + 1}: unknown marker attribute {name}={value!r}")
            elif not rest:
                errors.append(f"{path}:{k + 1}: a skip marker must say why")
            blocks.append(block)
    i = j + 1

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)

q = shlex.quote
out = [
    "set -euo pipefail",
    '__dir=$PWD; __n=0; __where=""',
    'curl() { command curl "$@" --write-out \'%{stderr}@@docs-test-status %{http_code}\\n\' 2>>"$__dir/.curl.log"; }',
    '__fail() { echo "FAIL $__where: $1" >&2; __where=done; echo "--- output:" >&2; cat "$__dir/.out" >&2; echo "--- curl:" >&2; cat "$__dir/.curl.log" >&2; exit 1; }',
    '__begin() { __n=$1; __where=$2; : >"$__dir/.curl.log"; echo "== $__where" >&2; }',
    '__statuses() { grep -o "@@docs-test-status [0-9]*" "$__dir/.curl.log" | cut -d" " -f2 | paste -sd, - || true; }',
    "__end() {",
    '  local got; got=$(__statuses)',
    '  [ "$__rc" -eq 0 ] || __fail "exit status $__rc"',
    '  sed "s/^/    /" "$__dir/.out" >&2; [ ! -s "$__dir/.out" ] || [ -z "$(tail -c1 "$__dir/.out")" ] || echo >&2',
    '  if [ -n "$1" ]; then [ "$got" = "$1" ] || __fail "HTTP statuses ${got:-none}, expected $1"',
    '  else for s in ${got//,/ }; do case $s in 2??) ;; *) __fail "HTTP status $s (statuses: $got)" ;; esac; done; fi',
    '  local want; for want in "${@:2}"; do grep -qF -- "$want" "$__dir/.out" || __fail "output does not contain: $want"; done',
    '  echo "   ok (HTTP ${got:-none})" >&2',
    "}",
    'trap \'__code=$?; if [ $__code -ne 0 ] && [ -n "$__where" ] && [ "$__where" != done ]; then echo "FAIL $__where: exit status $__code" >&2; echo "--- output:" >&2; cat "$__dir/.out" >&2; echo "--- curl:" >&2; cat "$__dir/.curl.log" >&2; fi\' EXIT',
]
ran = skipped = 0
for block in blocks:
    where = f"{path}:{block['line']}"
    if block["kind"] == "skip":
        skipped += 1
        out.append(f"echo {q('-- skipped ' + where + ' ' + block['reason'])} >&2")
        continue
    ran += 1
    out.append(f"__begin {ran} {q(where)}")
    out.append("{")
    out.append(block["code"])
    # set -e does not stop at a failing `a && b` at the end of a block: keep its status too.
    out.append("__rc=$?")
    out.append('} >"$__dir/.out"')
    out.append(" ".join(["__end", q(block["status"] or "")] + [q(text) for text in block["contains"]]))
out.append("__where=done")
out.append(f"echo {q(f'{path}: {ran} examples passed, {skipped} skipped')} >&2")
print("\n".join(out))
PY
}

# Every guide's markers are checked before any server starts.
unreadable=0
for n in "${!guides[@]}"; do
    extract "${guides[$n]}" >"$work/examples-$n.sh" || unreadable=1
done
[ "$unreadable" = 0 ] || exit 1

failed=()
for n in "${!guides[@]}"; do
    guide=${guides[$n]}
    echo "=== $guide" >&2
    live_server_start
    run="$work/run-$n"
    mkdir -p "$run/bin"
    cp -R fixtures "$run/fixtures"
    cp "$work/examples-$n.sh" "$run/examples.sh"
    ln -s "$(realpath "$LIVE_SERVER_BINARY")" "$run/bin/partner-catalog"
    KEY=$(curl -sf -X POST -H "X-API-Key: $CATALOG_ADMIN_KEY" -H 'Content-Type: application/json' \
               -d '{"partner_name": "acme-outdoor", "display_name": "Acme Outdoor"}' "$CATALOG_URL/partners" | jq -r .api_key)
    started=$(date +%s)
    if (cd "$run" && live_server_env PATH="$run/bin:$PATH" URL="$CATALOG_URL" ADMIN="$CATALOG_ADMIN_KEY" KEY="$KEY" \
            REPO="$repo" timeout 300 bash examples.sh); then
        echo "docs examples of $guide: $(( $(date +%s) - started )) s against $CATALOG_URL" >&2
    else
        echo "--- server log (last lines):" >&2
        live_server_log 40
        failed+=("$guide")
    fi
    for pidfile in "$run"/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        case $pid in '' | *[!0-9]*) continue ;; esac
        kill -TERM "$pid" 2>/dev/null || true
    done
    live_server_stop
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "docs examples FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "docs examples: passed in ${guides[*]}" >&2
