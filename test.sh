#!/usr/bin/env bash
# The whole test suite: ruff check, ruff format --check and mypy --strict, the VS Code extension (lint, types, unit,
# package, protocol e2e), real VS Code e2e, then pytest (on the default Python, then the engine tests on Python 3.12
# and 3.13).
set -uo pipefail
cd "$(dirname "$0")"
./setup.sh
fail=0
# Lint, format and types first (installed by setup.sh from the test extra): each failure fails the run.
echo "== ruff check, ruff format --check, mypy --strict"
.venv/bin/ruff check . || { echo "ruff check FAILED"; fail=1; }
.venv/bin/ruff format --check . || { echo "ruff format --check FAILED (run .venv/bin/ruff format)"; fail=1; }
.venv/bin/mypy --strict || { echo "mypy --strict FAILED"; fail=1; }
# Python 3.12 and 3.13 venvs (cached under ~/.cache/wf-lsp-ci): the engine tests run on each, and
# tests/test_interpreters.py compares the findings of all supported CPythons.
.ci/pythons.sh || { echo ".ci/pythons.sh FAILED"; fail=1; }
CI_CACHE="${WF_LSP_CI_CACHE:-$HOME/.cache/wf-lsp-ci}"
# n8n's own packages (cached): the n8n catalogue is built from them and the n8n dialect is compared with their code.
if [ -z "${WF_LSP_N8N_NODE_MODULES:-}" ]; then
  WF_LSP_N8N_NODE_MODULES="$(.ci/n8n.sh)" || { echo ".ci/n8n.sh FAILED"; fail=1; }
  export WF_LSP_N8N_NODE_MODULES
fi
mkdir -p .ci/cache
# The official SARIF 2.1.0 JSON Schema ships in an npm package; the SARIF test validates our output against it.
if [ ! -f .ci/cache/sarif-2.1.0-rtm.5.json ]; then
  (cd .ci/cache && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null \
    && tar xzf microsoft-jest-sarif-1.0.0-beta.0.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json \
    && mv package/lib/schemas/sarif-2.1.0-rtm.5.json . && rm -rf package microsoft-jest-sarif-*.tgz) || echo "could not fetch the SARIF schema (the SARIF test will fail)"
fi
export WF_LSP_SARIF_SCHEMA="$PWD/.ci/cache/sarif-2.1.0-rtm.5.json"
export WF_LSP_PYTHON="$PWD/.venv/bin/python"
if [ -x vscode-extension/ci.sh ]; then
  echo "== VS Code extension"
  vscode-extension/ci.sh || { echo "vscode-extension/ci.sh FAILED"; fail=1; }
fi
if [ -x vscode-extension/e2e/run.sh ] && [ "${WF_SKIP_VSCODE_E2E:-0}" != "1" ]; then
  echo "== real VS Code (code-server + Chromium)"
  WF_VSIX="$PWD/vscode-extension/wf-lsp.vsix" vscode-extension/e2e/run.sh || { echo "vscode-extension/e2e/run.sh FAILED"; fail=1; }
fi
echo "== pytest"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing"; rc=1; fi
[ "$rc" -ne 0 ] && fail=1
# The engine tests (no Redis), the incremental parse and the language server starting and serving over stdio and TCP,
# on the other supported CPythons.
ENGINE_TESTS=(tests/test_golden.py tests/test_oracle.py tests/test_extremes.py tests/test_regressions.py tests/test_parse_paths.py
  tests/test_placement.py tests/test_fixes.py tests/test_rule_fast_paths.py tests/test_plan.py tests/test_loader.py tests/test_node_types.py
  tests/test_incremental.py tests/lsp/test_serve.py tests/lsp/test_startup.py tests/lsp/test_workers.py
  tests/lsp/test_payload.py tests/lsp/test_message_decode.py)  # and the server itself, on each CPython
for v in 3.12 3.13; do
  echo "== pytest (engine) on Python $v"
  PYTHONPATH="$PWD" "$CI_CACHE/venv-$v/bin/python" -m pytest -q -p no:cacheprovider "${ENGINE_TESTS[@]}" || { echo "engine tests on Python $v FAILED"; fail=1; }
done
exit "$fail"
