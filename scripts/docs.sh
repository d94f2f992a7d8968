#!/usr/bin/env bash
# Builds the documentation site (mkdocs/ → site/) with `mkdocs build --strict`: a broken link, a
# missing page or an unknown anchor fails. MkDocs is installed into .venv-docs when missing.
#   scripts/docs.sh            build
#   scripts/docs.sh serve      preview on http://127.0.0.1:8000
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-docs
if ! "$venv/bin/python" -c "import mkdocs, material" 2>/dev/null; then
    echo "Installing mkdocs 1.6.1 and mkdocs-material 9.8.1 into $venv …" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check mkdocs==1.6.1 mkdocs-material==9.8.1
fi
export NO_MKDOCS_2_WARNING=1
if [ "${1:-build}" = serve ]; then
    exec "$venv/bin/mkdocs" serve -f mkdocs/mkdocs.yml
fi
# Not --quiet: it hides the warnings from --strict too, which then passes anything. The output is
# shown only when the build fails.
if ! log=$("$venv/bin/mkdocs" build --strict -f mkdocs/mkdocs.yml 2>&1); then
    printf '%s\n' "$log" >&2
    echo "docs: mkdocs build --strict failed" >&2
    exit 1
fi
echo "docs: mkdocs build --strict passed ($(find site -name index.html | wc -l) pages in site/)" >&2
