"""Hover: a node type's registry entry, the node a reference names, and the doc of the rule behind a diagnostic."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.findings import Finding
from wf_lsp.core.plan import Link
from wf_lsp.core.rules import catalog
from wf_lsp.core.rules.registry import NodeType, Registry
from wf_lsp.lsp.snapshot import DocumentSnapshot, snapshot_of, workflow_doc

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer


def register(server: WfServer) -> None:
    """Register textDocument/hover."""

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> types.Hover | None:
        return await _hover(server, params)


def markup(server: WfServer, text: str) -> types.MarkupContent:
    """Markdown when the client renders it, else the same text as plain text."""
    formats = get_capability(server.client_capabilities, "text_document.hover.content_format", None) or [
        types.MarkupKind.Markdown
    ]
    if types.MarkupKind.Markdown in formats:
        return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)
    return types.MarkupContent(kind=types.MarkupKind.PlainText, value=plain_text(text))


_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(([^)\s]*)\)")
_EMPHASIS = re.compile(r"(\*\*|(?<![\w\\])_)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|])")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def plain_text(markdown: str) -> str:
    """What our hover Markdown says, for a client that shows text as it is: no markers, links as `text (url)`,
    tables as aligned-enough rows, escapes undone."""
    out: list[str] = []
    for line in markdown.splitlines():
        if _TABLE_RULE.match(line.strip()):
            continue
        if line.startswith("|") and line.rstrip().endswith("|"):
            line = "  ".join(cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip()[1:-1]))
        line = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", line)
        line = _EMPHASIS.sub(lambda m: m.group(2), line)
        line = line.replace("`", "")
        out.append(_ESCAPED.sub(lambda m: m.group(1), line))
    return "\n".join(out)


def type_markdown(entry: NodeType) -> str:
    """A registry entry: description, origin, parameters (required first) and outputs."""
    lines = [
        f"**{entry.id}** — {entry.description}".rstrip(" —"),
        "",
        f"_{entry.group or 'node'} · from {entry.source}_",
        "",
    ]
    if entry.params:
        lines += ["| Parameter | Type | Required | Default |", "| --- | --- | --- | --- |"]
        for p in sorted(entry.params.values(), key=lambda p: (not p.required, p.name)):
            kind = p.type + (f" ({', '.join(map(str, p.enum))})" if p.enum else "")
            default = "" if p.default is None else f"`{p.default!r}`"
            lines.append(f"| `{p.name}` | {kind} | {'yes' if p.required else ''} | {default} |")
        lines.append("")
    required = [p.name for p in entry.params.values() if p.required]
    lines.append("Required: " + (", ".join(f"`{n}`" for n in required) if required else "none"))
    for group in entry.required_one_of:
        lines.append("One of: " + ", ".join(f"`{n}`" for n in group))
    lines.append("Outputs: " + ", ".join(f"`{o}`" for o in entry.outputs))
    return "\n".join(lines)


def _node_markdown(snap: DocumentSnapshot, index: int, registry: Registry) -> str:
    node: Any = snap.nodes[index]
    if not isinstance(node, dict):
        return f"`nodes[{index}]` is not an object"
    lines = [f"**{snap.graph.label(index)}** (`nodes[{index}]`)", ""]
    for key in ("id", "type", "nodeType"):
        if isinstance(node.get(key), str):
            lines.append(f"- {key}: `{node[key]}`")
    entry = registry.get(node.get("nodeType") if node.get("type") in registry.categories else node.get("type"))  # type: ignore[arg-type]
    if entry is not None and entry.description:
        lines.append(f"- {entry.description}")
    step = snap.plan.step_of().get(index)
    ins = sum(1 for _, dst in snap.graph.edges if dst == index)
    outs = sum(1 for src, _ in snap.graph.edges if src == index)
    where = (
        f" · step {step + 1}"
        if step is not None
        else " · on a cycle"
        if index in snap.plan.cyclic
        else " · not reached from a trigger"
    )
    lines.append(f"- {ins} in · {outs} out" + where)
    inputs = [(link.source, link.source_ref, link) for link in snap.graph.links if link.target == index]
    outputs = [(link.target, link.target_ref, link) for link in snap.graph.links if link.source == index]
    lines.append("- Inputs: " + _ends(snap, inputs))
    lines.append("- Outputs: " + _ends(snap, outputs))
    if step is not None:
        lines.append(f"- Plan: step {step + 1} of {len(snap.plan.levels)}")
    return "\n".join(lines)


#: at most this many inputs or outputs are listed
_MAX_ENDS = 8


def _ends(snap: DocumentSnapshot, ends: list[tuple[int | None, str, Link]]) -> str:
    """Other ends of a node's links: their names, with the connection type and output when not `main` 0."""
    if not ends:
        return "none"
    shown = []
    for other, ref, link in ends[:_MAX_ENDS]:
        name = snap.graph.label(other) if other is not None else f"{ref} (no such node)"
        kind = (
            ""
            if link.type == "main" and link.output == 0
            else f"({link.type}" + (f" {link.output}" if link.output != 0 else "") + ")"
        )
        shown.append(f"{_code(name)} {_code_free(kind)}" if kind else _code(name))
    more = f" and {len(ends) - _MAX_ENDS} more" if len(ends) > _MAX_ENDS else ""
    return ", ".join(shown) + more


def _code(text: str) -> str:
    """Inline code that any text fits in (a longer backtick fence than the text holds, per CommonMark)."""
    text = " ".join(text.split())[:80]
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _code_free(text: str) -> str:
    """Plain text with Markdown's special characters escaped."""
    return "".join("\\" + ch if ch in "\\`*_[]<>#|" else ch for ch in " ".join(text.split())[:80])


def rule_markdown(f: Finding) -> str:
    """The doc of the rule behind a finding."""
    rule = catalog.RULES.get(f.code)
    if rule is None:
        return f"**{f.code}**: {f.message}"
    return (
        f"**{f.code}** ({f.severity.label}) — {rule.doc}\n\n"
        f"_Suggestion:_ {f.suggestion or rule.suggestion}\n\n[Rule documentation]({rule.url})"
    )


async def _hover(server: WfServer, params: types.HoverParams) -> types.Hover | None:
    doc = workflow_doc(server, params.text_document.uri)
    if doc is None:
        return None
    offset = doc.offset_at(params.position, server.workspace.position_codec)
    version = doc.version
    snap = await snapshot_of(server, doc)
    if snap.version != version:
        return None
    settings = server.settings.for_uri(doc.uri)
    registry = server.settings.loader(settings).registry
    outcome = server.diagnostics.last(doc.uri)
    dialect = outcome.result.summary.get("dialect") if outcome is not None and outcome.version == version else None
    parts: list[str] = []
    hover_range = None
    hit = snap.at(offset)
    if hit is not None:
        ptr, part, span = hit
        index = snap.node_at(ptr)
        if index is not None and len(ptr) == 3 and ptr[2] in ("type", "nodeType") and part == "value":
            type_id = snap.get(ptr)
            entry = registry.get(type_id) if isinstance(type_id, str) else None
            if dialect == "n8n" and isinstance(type_id, str):
                from wf_lsp.core.n8n import catalogue, describe

                node = snap.nodes[index] if isinstance(snap.nodes[index], dict) else {}
                parts.append(
                    describe.type_markdown(catalogue.load(settings.n8n_catalog), type_id, node.get("typeVersion", 1))
                )
            elif entry is not None:
                parts.append(type_markdown(entry))
            elif isinstance(type_id, str) and (why := registry.unimplemented_reason(type_id)) is not None:
                parts.append(f"**{type_id}** — a known node type, but no executor implements it: {why}")
            elif isinstance(type_id, str) and type_id in registry.categories:
                parts.append(f"**{type_id}** is a v3 category; the plugin id is in `nodeType`.")
            hover_range = snap.range(span)
        elif dialect == "n8n" and index is not None and len(ptr) == 4 and ptr[2] == "parameters" and part == "key":
            from wf_lsp.core.n8n import catalogue, describe

            node = snap.nodes[index] if isinstance(snap.nodes[index], dict) else {}
            cat = catalogue.load(settings.n8n_catalog)
            desc = cat.description(node.get("type", ""), node.get("typeVersion", 1)) if cat is not None else None
            text = describe.parameter_markdown(desc, str(ptr[3])) if desc is not None else None
            if text:
                parts.append(text)
                hover_range = snap.range(span)
        elif (ref := snap.ref_at(ptr, part)) is not None:
            parts.append(_node_markdown(snap, ref[0], registry))
            hover_range = snap.range(span)
        elif index is not None and ptr[2:] in (("name",), ("id",)) and part == "value":
            parts.append(_node_markdown(snap, index, registry))
            hover_range = snap.range(span)
    if parts and dialect is not None:
        parts.append(f"_Dialect: {dialect}_")
    if outcome is not None and outcome.version == version:
        shown: set[str] = set()
        for f in outcome.result.findings:
            if f.span and f.span.start.offset <= offset <= f.span.end.offset and f.code not in shown:
                shown.add(f.code)
                parts.append(rule_markdown(f))
    if not parts:
        return None
    return types.Hover(contents=markup(server, "\n\n---\n\n".join(parts)), range=hover_range)
