#!/usr/bin/env bash
# Builds, checks, tests and packages the VS Code extension, then runs the end-to-end test against the real server.
# Called by the project's .ci/run; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REPO_ROOT="$(cd .. && pwd)"
export WF_LSP_PYTHON="${WF_LSP_PYTHON:-$REPO_ROOT/.venv/bin/python}"
VSIX=wf-lsp.vsix

step() { printf '\n=== vscode-extension: %s\n' "$*"; }

step "npm ci"
npm ci --no-audit --no-fund

step "lint"
npm run lint

step "typecheck"
npm run typecheck

step "unit tests"
npm test

step "build"
npm run build

step "package"
rm -f "$VSIX"
npm run package

step "vsce ls and the packaged files"
listing="$(npx vsce ls --no-dependencies)"
printf '%s\n' "$listing"
packed="$(unzip -Z1 "$VSIX")"
missing=0
for file in dist/extension.js dist/webview/graph.js dist/webview/graph.css schemas/workflow.schema.json schemas/workflow-files.schema.json README.md LICENSE package.json; do
  grep -qxF "$file" <<<"$listing" || { echo "vsce ls does not list $file"; missing=1; }
done
for file in extension/dist/extension.js extension/dist/webview/graph.js extension/dist/webview/graph.css extension/schemas/workflow.schema.json extension/schemas/workflow-files.schema.json extension/readme.md extension/LICENSE.txt extension/package.json; do
  grep -qxF "$file" <<<"$packed" || { echo "$VSIX lacks $file"; missing=1; }
done
if grep -q 'node_modules/' <<<"$listing$packed"; then echo "$VSIX contains node_modules"; missing=1; fi
if grep -Eq '(^|/)(src|test|e2e|out)/' <<<"$packed"; then echo "$VSIX contains sources or tests"; missing=1; fi
[ "$missing" -eq 0 ] || exit 1
echo "$VSIX: $(wc -c <"$VSIX") bytes, $(wc -l <<<"$packed") entries"

step "end-to-end test (server: $WF_LSP_PYTHON -m wf_lsp serve)"
npm run test:e2e
