"""A workflow's graph in the chosen format: the graph model as JSON, Graphviz DOT or Mermaid text."""

from __future__ import annotations

import json
import re

from wf_lsp.core.graphmodel import WorkflowGraph


def render(model: WorkflowGraph, fmt: str, name: str) -> str:
    """The graph model as JSON, DOT or Mermaid text (`name` titles DOT and Mermaid)."""
    if fmt == "json":
        text = json.dumps(model.to_json(), ensure_ascii=False, indent=2)
        # a lone surrogate (from a `\ud800` escape in the file) stays a JSON escape, so the output is valid UTF-8
        return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
    if fmt == "dot":
        from wf_lsp.report import dot

        return dot.render(model, name)
    from wf_lsp.report import mermaid

    return mermaid.render(model, name)
