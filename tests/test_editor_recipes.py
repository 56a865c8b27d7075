"""The README's graph recipes in the real editors: Neovim (headless) and Emacs (batch, eglot) open the Mermaid text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.helpers import CORPUS, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BAD = "workflow__examples__python__testing_triangle__workflow.json"


def _block(lang: str, marker: str) -> str:
    """The README's fenced block of a language that contains marker, dedented."""
    for match in re.finditer(rf"^( *)```{lang}\n(.*?)^\1```$", README, flags=re.M | re.S):
        if marker in match.group(2):
            return textwrap.dedent(match.group(2))
    raise AssertionError(f"no ```{lang} block with {marker!r} in README.md")


def _env() -> dict[str, str]:
    """wf-lsp on PATH (the venv's), as the recipes expect."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/root"),
    }


def _editor(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: this test runs the README's recipe in it"
    return found


def _emacs_major() -> int:
    out = subprocess.run([_editor("emacs"), "--version"], capture_output=True, text=True, check=True).stdout
    return int(out.split()[2].split(".")[0])


def test_neovim_recipe_opens_the_graph_in_a_split(tmp_path: Path) -> None:
    flow = tmp_path / "flow.json"
    shutil.copy(CORPUS / BAD, flow)
    out = tmp_path / "graph.mmd"
    driver = f"""
    vim.defer_fn(function() end, 0)
    local function try(n)
      if n == 0 then vim.cmd("cquit 3") end
      local client = wf_client and vim.lsp.get_client_by_id(wf_client)
      if not (client and client.initialized) then return vim.defer_fn(function() try(n - 1) end, 100) end
      vim.cmd("WfGraph")
      local function wait(m)
        if vim.bo.filetype == "mermaid" then
          vim.fn.writefile(vim.api.nvim_buf_get_lines(0, 0, -1, false), {str(out)!r})
          return vim.cmd("qall!")
        end
        if m == 0 then vim.cmd("cquit 4") end
        vim.defer_fn(function() wait(m - 1) end, 100)
      end
      wait(200)
    end
    vim.api.nvim_create_autocmd("VimEnter", {{ callback = function() try(200) end }})
    """
    init = tmp_path / "init.lua"
    init.write_text(
        _block("lua", "start_client") + _block("lua", "WfGraph") + textwrap.dedent(driver), encoding="utf-8"
    )
    proc = subprocess.run(
        [_editor("nvim"), "--headless", "--clean", "-u", str(init), str(flow)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout.decode()[-2000:], proc.stderr.decode()[-2000:])
    text = out.read_text(encoding="utf-8")
    assert (
        text.startswith("flowchart LR\n")
        and "class n0,n1,n3,n4 error" in text
        and "✖ INVALID_CONNECTION_TARGET_NODE" in text
    )


def test_emacs_recipe_opens_the_graph_in_a_buffer(tmp_path: Path) -> None:
    flow = tmp_path / "flow.json"
    shutil.copy(CORPUS / BAD, flow)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    out = tmp_path / "graph.mmd"
    # The README's setup: workflow files get a mode of their own (other JSON keeps its server), managed by wf-lsp.
    setup = _block("elisp", "wf-lsp-workflow-p")
    if _emacs_major() < 29:  # js-json-mode is new in Emacs 29
        setup = setup.replace("wf-json-mode js-json-mode", "wf-json-mode js-mode")
    script = tmp_path / "run.el"
    script.write_text(
        f"""
{setup}
{_block("elisp", "wf-graph")}
(find-file {json.dumps(str(flow))})
(unless (eq major-mode 'wf-json-mode) (kill-emacs 5))  ; the workflow is recognised by its content
(let ((inhibit-message t)) (call-interactively #'eglot))
(with-timeout (60 (kill-emacs 3))
  (while (not (eglot-current-server)) (accept-process-output nil 0.1)))
(wf-graph)
(with-current-buffer "*wf-graph*" (write-region (point-min) (point-max) {json.dumps(str(out))}))
(kill-emacs 0)
""",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [_editor("emacs"), "--batch", "-q", "-l", str(script)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout.decode()[-2000:], proc.stderr.decode()[-2000:])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("flowchart LR\n") and "class n0,n1,n3,n4 error" in text
