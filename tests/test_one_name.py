"""One name, one thing: no two classes in the package share a name (the server's open document is not the core's)."""

from __future__ import annotations

import ast
from collections import defaultdict

from tests.helpers import ROOT


def test_no_two_classes_share_a_name() -> None:
    homes: dict[str, list[str]] = defaultdict(list)
    for path in sorted((ROOT / "wf_lsp").rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                homes[node.name].append(str(path.relative_to(ROOT)))
    shared = {name: where for name, where in homes.items() if len(where) > 1}
    assert not shared, f"classes that share a name: {shared}"
