"""The core's modules import each other without a cycle, counting imports made only for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

CORE = ROOT / "wf_lsp" / "core"


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the wf_lsp.core modules it imports anywhere in its text (a function body, `if TYPE_CHECKING:`)."""
    graph: dict[str, set[str]] = {}
    for path in CORE.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("wf_lsp.core"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    as_file = ROOT / (full.replace(".", "/") + ".py")
                    found.add(full if as_file.exists() else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("wf_lsp.core")}
        graph[_name(path)] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] (an iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for root in sorted(graph):
        if state.get(root):
            continue
        path, todo = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            elif nxt in graph and not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(sorted(graph[nxt])))
    return []


def test_core_modules_import_no_cycle() -> None:
    graph = _imports()
    assert "wf_lsp.core.rules.context" in graph and "wf_lsp.core.fix.fixes" in graph["wf_lsp.core.rules.context"]
    assert _cycle(graph) == []


def test_the_cycle_search_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []
