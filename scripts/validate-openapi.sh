#!/usr/bin/env bash
# Validates the OpenAPI document with openapi-spec-validator (installed into .venv when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
spec=Sources/CatalogHTTP/Resources/openapi.json
python=python3
if ! python3 -c "import openapi_spec_validator" 2>/dev/null; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -c "import openapi_spec_validator" 2>/dev/null || .venv/bin/pip install -q openapi-spec-validator
    python=.venv/bin/python
fi
"$python" - "$spec" <<'PY'
import sys
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
spec, _ = read_from_filename(sys.argv[1])
validate(spec)
print(f"{sys.argv[1]}: valid OpenAPI {spec['openapi']}, {len(spec['paths'])} paths")
PY
