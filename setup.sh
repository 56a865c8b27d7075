#!/usr/bin/env bash
# Create .venv and install wf-lsp with its test dependencies (idempotent; safe to re-run).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
echo "wf-lsp installed: $(.venv/bin/wf-lsp --version)"
