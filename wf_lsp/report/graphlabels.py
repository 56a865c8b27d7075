"""Graph picture text shared by the Mermaid and DOT renderers: safe, shortened labels and node styles."""

from __future__ import annotations

import re

from wf_lsp.core.findings import Severity
from wf_lsp.core.graphmodel import GraphNode

#: labels longer than this are shortened (the full name stays in a tooltip or comment)
MAX_LABEL = 40
#: at most this many codes are listed under a node's name
MAX_CODES = 3

_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """One printable line: runs of white space, line breaks and other controls become one space, lone surrogates
    U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """Text cut to limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def title(node: GraphNode) -> str:
    """The node's shown name: cleaned and shortened."""
    return shorten(clean(node.name).strip() or f"nodes[{node.index}]")


def detail(node: GraphNode) -> str:
    """The line under the name: type and plan step, or why it has none."""
    parts = [shorten(clean(node.type), 30)] if node.type else []
    if node.step is not None:
        parts.append(f"step {node.step}")
    elif node.cyclic:
        parts.append("on a cycle")
    elif node.unreachable:
        parts.append("unreachable")
    return " · ".join(parts)


def problem_line(node: GraphNode) -> str:
    """The node's error and warning codes (the first few, then how many more)."""
    codes = node.codes
    if not codes:
        return ""
    mark = "✖" if node.severity == Severity.ERROR else "⚠"
    more = f" +{len(codes) - MAX_CODES}" if len(codes) > MAX_CODES else ""
    return f"{mark} {', '.join(codes[:MAX_CODES])}{more}"


def style(node: GraphNode) -> str:
    """The node's style class: error, warning, cyclic, unreachable or ok (problems first)."""
    worst = node.severity
    if worst == Severity.ERROR:
        return "error"
    if worst == Severity.WARNING:
        return "warning"
    if node.cyclic:
        return "cyclic"
    if node.unreachable:
        return "unreachable"
    return "ok"


def full_note(node: GraphNode) -> str:
    """Full name, type and every finding on one line (for tooltips and comments)."""
    parts = [clean(node.name)]
    if node.type:
        parts.append(clean(node.type))
    parts += [f"{f.code}: {clean(f.message)}" for f in node.findings if f.severity <= Severity.WARNING]
    return " | ".join(parts)
