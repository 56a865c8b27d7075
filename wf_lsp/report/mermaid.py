"""Mermaid flowchart of a workflow graph: nodes in plan order, problem nodes styled and labelled with their codes."""

from __future__ import annotations

import json

from wf_lsp.core.graphmodel import WorkflowGraph
from wf_lsp.core.plan import Link
from wf_lsp.report.graphlabels import clean, detail, full_note, problem_line, shorten, style, title

#: style of each class a node can have (readable on light and dark backgrounds: every class sets its text colour)
CLASSES = {
    "ok": "fill:#f8f9fa,stroke:#495057,color:#212529",
    "error": "fill:#ffe3e3,stroke:#c92a2a,stroke-width:3px,color:#212529",
    "warning": "fill:#fff3bf,stroke:#e67700,stroke-width:2px,color:#212529",
    "cyclic": "fill:#fff4e6,stroke:#e67700,stroke-width:2px,stroke-dasharray:4 2,color:#212529",
    "unreachable": "fill:#e9ecef,stroke:#868e96,stroke-dasharray:5 5,color:#495057",
    "missing": "fill:#ffffff,stroke:#c92a2a,stroke-dasharray:3 3,color:#c92a2a",
}
#: characters that mean something to Mermaid inside a quoted label, written as its numeric entity codes
_ENTITIES = {c: f"#{ord(c)};" for c in '"#&<>`%{}[]()|;:\\'}
_TABLE = str.maketrans(_ENTITIES)


def text(value: str) -> str:
    """A label fragment Mermaid shows verbatim: one line, with special characters as entity codes."""
    return clean(value).translate(_TABLE)


def comment(value: str) -> str:
    """A comment-safe JSON string: no line breaks, no `%`, `{` or `}` that could start a directive, no backtick that
    could end a Markdown code fence around the diagram."""
    quoted = json.dumps(clean(value), ensure_ascii=False)
    return quoted.replace("%", "\\u0025").replace("{", "\\u007b").replace("}", "\\u007d").replace("`", "\\u0060")


def render(graph: WorkflowGraph, heading: str | None = None) -> str:
    """The flowchart text (without a Markdown fence)."""
    lines = ["flowchart LR"]
    if heading:
        lines.append(f"  %% {comment(heading)}")
    for f in graph.workflow_findings:
        if f.severity <= 2:
            lines.append(f"  %% workflow {f.severity.label}: {comment(f.code + ': ' + f.message)}")
    classes: dict[str, list[str]] = {}
    shown: set[int] = set()
    for node in graph.nodes:
        nid = f"n{node.index}"
        shown.add(node.index)
        label = "<br/>".join(text(part) for part in (title(node), detail(node), problem_line(node)) if part)
        opener, closer = ("([", "])") if node.trigger else ("[", "]")
        lines.append(f'  {nid}{opener}"{label}"{closer}')
        if node.name != title(node) or node.findings:
            lines.append(f"  %% {nid} = {comment(full_note(node))}")
        classes.setdefault(style(node), []).append(nid)
    ghosts: dict[str, str] = {}
    edge_lines: list[str] = []
    cyclic_edges: list[int] = []
    missing_edges: list[int] = []
    cyclic = set(graph.cyclic)
    for link in graph.links:
        src = _end(link.source, link.source_ref, shown, ghosts, lines)
        dst = _end(link.target, link.target_ref, shown, ghosts, lines)
        arrow = "-.->" if link.source is None or link.target is None else "-->"
        label = _edge_label(link)
        edge_lines.append(f'  {src} {arrow}|"{text(label)}"| {dst}' if label else f"  {src} {arrow} {dst}")
        if arrow == "-.->":
            missing_edges.append(len(edge_lines) - 1)
        elif link.source in cyclic and link.target in cyclic:
            cyclic_edges.append(len(edge_lines) - 1)
    if ghosts:
        classes.setdefault("missing", []).extend(ghosts.values())
    lines += edge_lines
    for name, css in CLASSES.items():
        if classes.get(name):
            lines.append(f"  classDef {name} {css}")
            lines.append(f"  class {','.join(classes[name])} {name}")
    if cyclic_edges:
        lines.append(f"  linkStyle {','.join(map(str, cyclic_edges))} stroke:#e67700,stroke-width:3px")
    if missing_edges:
        lines.append(f"  linkStyle {','.join(map(str, missing_edges))} stroke:#c92a2a,stroke-width:2px")
    return "\n".join(lines) + "\n"


def _edge_label(link: Link) -> str:
    """Nothing for the usual `main` output 0; else the connection type, and the output index when not 0."""
    if link.type == "main" and link.output == 0:
        return ""
    kind = shorten(clean(link.type), 24)
    return kind if link.output == 0 else f"{kind} {shorten(clean(str(link.output)), 12)}"


def _end(index: int | None, ref: str, shown: set[int], ghosts: dict[str, str], lines: list[str]) -> str:
    """The Mermaid id of an edge end: its node, or a dashed stand-in for a reference that names no node."""
    if index is not None and index in shown:
        return f"n{index}"
    if ref not in ghosts:
        ghosts[ref] = f"x{len(ghosts)}"
        lines.append(f'  {ghosts[ref]}["{text("? " + shorten(clean(ref)))}"]')
        lines.append(f"  %% {ghosts[ref]} = missing node {comment(ref)}")
    return ghosts[ref]
