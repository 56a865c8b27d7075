"""Shared test helpers: where the repo and the real corpus are, and running the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from wf_lsp.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "metabuilder"
SPEC = ROOT.parent / "shared" / "spec"


def corpus_files() -> list[Path]:
    """The 91 real workflow files; fails loudly when the corpus is not beside the checkout."""
    files = sorted(CORPUS.glob("*.json"))
    assert len(files) == 91, f"expected the 91-file corpus at {CORPUS}, found {len(files)}"
    return files


def run_cli(args: list[str], cwd: Path | None = None, stdin: bytes | None = None) -> tuple[int, str, str]:
    """Run `wf-lsp` in this process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def golden_args(case: Path) -> list[str]:
    """CLI arguments of a golden case: its sidecar .toml settings if any, every severity, no snippets."""
    toml = case.with_suffix(".toml")
    cfg = ["--config", toml.name] if toml.exists() else ["--no-config"]
    return [
        "check",
        case.name,
        *cfg,
        "--no-snippets",
        "-q",
        "--min-severity",
        "hint",
        "--jobs",
        "1",
        "--color",
        "never",
    ]
