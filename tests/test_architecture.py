"""House rules that keep the design honest: the core is LSP-free, modules are small and say what they own."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "wf_lsp"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_core_imports_nothing_from_pygls_or_lsprotocol() -> None:
    for path in (PACKAGE / "core").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] in ("pygls", "lsprotocol") for n in names), path


def test_every_module_opens_with_a_one_line_docstring() -> None:
    for path in _modules():
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and "\n" not in doc.strip(), path


def test_no_print_outside_the_cli() -> None:
    for path in _modules():
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text())
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        assert not calls, f"{path} prints (stdout is the LSP stream)"


def test_modules_stay_small() -> None:
    for path in _modules():
        if path.parent.name == "data":
            continue
        lines = len(path.read_text().splitlines())
        assert lines <= 450, f"{path} has {lines} lines"
