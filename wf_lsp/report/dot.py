"""Graphviz DOT of a workflow graph: plan steps as ranks, problem nodes styled and labelled with their codes."""

from __future__ import annotations

from wf_lsp.core.graphmodel import WorkflowGraph
from wf_lsp.core.plan import Link
from wf_lsp.report.graphlabels import clean, detail, full_note, problem_line, shorten, style, title

#: node attributes of each style class
STYLES = {
    "ok": 'fillcolor="#f8f9fa", color="#495057"',
    "error": 'fillcolor="#ffe3e3", color="#c92a2a", penwidth=3',
    "warning": 'fillcolor="#fff3bf", color="#e67700", penwidth=2',
    "cyclic": 'fillcolor="#fff4e6", color="#e67700", penwidth=2, style="rounded,filled,dashed"',
    "unreachable": 'fillcolor="#e9ecef", color="#868e96", fontcolor="#495057", style="rounded,filled,dashed"',
    "missing": 'fillcolor="#ffffff", color="#c92a2a", fontcolor="#c92a2a", style="rounded,dashed"',
}


def quote(value: str) -> str:
    """A DOT double-quoted string (backslashes doubled so `\\N`, `\\G`, `\\l` never act as escapes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def label(*lines: str) -> str:
    """A multi-line DOT label from already-clean lines."""
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines if line) + '"'


def render(graph: WorkflowGraph, heading: str | None = None) -> str:
    """The digraph text."""
    out = [
        "digraph workflow {",
        "  graph [rankdir=LR, fontname=Helvetica, fontsize=11, nodesep=0.3, ranksep=0.6"
        + (f", tooltip={quote(clean(heading))}" if heading else "")
        + "];",
        '  node [shape=box, style="rounded,filled", fontname=Helvetica, fontsize=11, fontcolor="#212529"];',
        '  edge [fontname=Helvetica, fontsize=9, color="#495057"];',
    ]
    for f in graph.workflow_findings:
        if f.severity <= 2:
            out.append(f"  // workflow {f.severity.label}: {_comment(f.code + ': ' + f.message)}")
    shown: set[int] = set()
    for node in graph.nodes:
        shown.add(node.index)
        kind = style(node)
        extra = ", peripheries=2" if node.trigger else ""
        out.append(
            f"  n{node.index} [label={label(title(node), detail(node), problem_line(node))}, "
            f"tooltip={quote(full_note(node))}, class={quote(kind)}, {STYLES[kind]}{extra}];"
        )
    for k, level in enumerate(graph.levels):
        if len(level) > 1:
            out.append(f"  {{ rank=same; {' '.join(f'n{i};' for i in level if i in shown)} }}  // step {k + 1}")
    ghosts: dict[str, str] = {}
    cyclic = set(graph.cyclic)
    for link in graph.links:
        src = _end(link.source, link.source_ref, shown, ghosts, out)
        dst = _end(link.target, link.target_ref, shown, ghosts, out)
        attrs = [f"label={quote(_edge_label(link))}"] if _edge_label(link) else []
        if link.source is None or link.target is None:
            attrs.append('style=dashed, color="#c92a2a"')
        elif link.source in cyclic and link.target in cyclic:
            attrs.append('color="#e67700", penwidth=2')
        out.append(f"  {src} -> {dst}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def _comment(value: str) -> str:
    return clean(value).replace("*/", "* /")


def _edge_label(link: Link) -> str:
    if link.type == "main" and link.output == 0:
        return ""
    kind = shorten(clean(link.type), 24)
    return kind if link.output == 0 else f"{kind} {shorten(clean(str(link.output)), 12)}"


def _end(index: int | None, ref: str, shown: set[int], ghosts: dict[str, str], out: list[str]) -> str:
    """The DOT id of an edge end: its node, or a dashed stand-in for a reference that names no node."""
    if index is not None and index in shown:
        return f"n{index}"
    if ref not in ghosts:
        ghosts[ref] = f"x{len(ghosts)}"
        tip = "missing node: " + clean(ref)
        out.append(
            f"  {ghosts[ref]} [label={label('? ' + shorten(clean(ref)))}, tooltip={quote(tip)}, "
            f'class="missing", {STYLES["missing"]}];'
        )
    return ghosts[ref]
