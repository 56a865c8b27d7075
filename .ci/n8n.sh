#!/usr/bin/env bash
# n8n's packages (Sustainable Use License: installed on this machine, never vendored) for the n8n catalogue and the
# differential tests against n8n's own code; cached under ~/.cache/wf-lsp-ci/n8n (about 2 minutes and 1.9 GB the first
# time). Prints the node_modules folder on stdout.
set -euo pipefail
N8N_VERSION=2.40
n8n_dir="${WF_LSP_N8N_DIR:-$HOME/.cache/wf-lsp-ci/n8n}"
if [ ! -f "$n8n_dir/installed-$N8N_VERSION" ]; then
  mkdir -p "$n8n_dir"
  [ -f "$n8n_dir/package.json" ] || echo '{"name":"wf-lsp-ci-n8n","private":true}' > "$n8n_dir/package.json"
  (cd "$n8n_dir" \
    && npm install --omit=peer --ignore-scripts --no-audit --no-fund "n8n-workflow@$N8N_VERSION" "n8n-nodes-base@$N8N_VERSION" "n8n-core@$N8N_VERSION" date-fns@2 \
    && npm install --omit=peer --ignore-scripts --no-audit --no-fund "@n8n/n8n-nodes-langchain@$N8N_VERSION" \
    && touch "installed-$N8N_VERSION") >&2 || { echo "could not install the n8n packages (the n8n catalogue tests will fail)" >&2; exit 1; }
fi
echo "$n8n_dir/node_modules"
