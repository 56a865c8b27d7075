"""docs/architecture.md stays true: its diagram parses with the real Mermaid parser and every module it names exists."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import ROOT
from tests.mermaidkit import mermaid_parse

DOC = ROOT / "docs" / "architecture.md"


def test_the_pipeline_diagram_is_valid_mermaid(tmp_path: Path) -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) == 1, "docs/architecture.md has one diagram of the pipeline"
    diagram = tmp_path / "pipeline.mmd"
    diagram.write_text(blocks[0], encoding="utf-8")
    result = mermaid_parse([diagram])[str(diagram)]
    assert result["ok"] and result["type"] == "flowchart-v2", result


def test_every_module_it_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    have = {p.relative_to(ROOT / "wf_lsp").as_posix() for p in (ROOT / "wf_lsp").rglob("*.py")}
    named = set(re.findall(r"`(?:wf_lsp/)?([\w/]+\.py)`", text))
    assert len(named) > 40, named
    missing = sorted(name for name in named if not any(h == name or h.endswith("/" + name) for h in have))
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    for folder in re.findall(r"`wf_lsp/([\w/]+)/`", text):
        assert (ROOT / "wf_lsp" / folder).is_dir(), folder
