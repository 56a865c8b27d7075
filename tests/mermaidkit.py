"""The real mermaid parser (mermaid.parse under jsdom, in Node) for tests: installed once into a cache folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers import ROOT

MERMAID_DIR = Path(os.environ.get("WF_LSP_MERMAID_DIR", Path.home() / ".cache" / "wf-lsp-mermaid"))
MERMAID_PACKAGES = ["mermaid@11.17.2", "jsdom@26.1.0"]


def mermaid_modules() -> Path:
    """node_modules with mermaid and jsdom (installed once into a cache folder with npm)."""
    assert shutil.which("node") and shutil.which("npm"), (
        "Node.js and npm are needed to check Mermaid with the real parser"
    )
    modules = MERMAID_DIR / "node_modules"
    want = {p.rsplit("@", 1)[0]: p.rsplit("@", 1)[1] for p in MERMAID_PACKAGES}
    have = {}
    for name in want:
        pkg = modules / name / "package.json"
        have[name] = json.loads(pkg.read_text())["version"] if pkg.exists() else None
    if have != want:
        MERMAID_DIR.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(MERMAID_DIR), *MERMAID_PACKAGES],
            capture_output=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    return modules


def mermaid_parse(files: list[Path]) -> dict[str, dict]:  # type: ignore[type-arg]
    """Parse each file with mermaid; file -> {ok, type, error}."""
    proc = subprocess.run(
        ["node", str(ROOT / "tests" / "mermaid_parse.mjs"), str(mermaid_modules()), *map(str, files)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    return {row["file"]: row for row in rows}
