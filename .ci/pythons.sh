#!/usr/bin/env bash
# Python 3.12 and 3.13 venvs for the engine tests, cached under ~/.cache/wf-lsp-ci (idempotent; reinstalls when
# pyproject.toml or the checkout changes). Interpreters come from PATH (python3.12) or pyenv (~/.pyenv/versions/3.12.*).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${WF_LSP_CI_CACHE:-$HOME/.cache/wf-lsp-ci}"
mkdir -p "$CACHE"
for v in 3.12 3.13; do
  venv="$CACHE/venv-$v"
  if [ ! -x "$venv/bin/python" ]; then
    py="$(command -v "python$v" || true)"
    if [ -z "$py" ]; then
      py="$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python 2>/dev/null | sort -V | tail -1 || true)"
    fi
    if [ -z "$py" ]; then
      echo "no Python $v on PATH or in pyenv (pyenv install $v)" >&2
      exit 1
    fi
    "$py" -m venv "$venv"
  fi
  want="$(sha256sum pyproject.toml | cut -c1-16) $PWD"
  if [ "$(cat "$venv/.wf-lsp-installed" 2>/dev/null)" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
    "$venv/bin/python" -c "import wf_lsp, orjson, pytest" || { echo "Python $v venv is incomplete: $venv" >&2; exit 1; }
    echo "$want" > "$venv/.wf-lsp-installed"
  fi
done
