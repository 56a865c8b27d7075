"""Completion: node types, connection targets, parameter names for a node's type, and enum values."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, get_args

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.findings import Pointer
from wf_lsp.core.n8n import catalogue, describe
from wf_lsp.core.n8n import dialect as n8n_dialect
from wf_lsp.core.rules.registry import Registry
from wf_lsp.core.rules.vocab import OnError, TriggerKind, VariableType
from wf_lsp.lsp.hover import type_markdown
from wf_lsp.lsp.snapshot import DocumentSnapshot, snapshot_of, workflow_doc

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

K = types.CompletionItemKind
ENUMS: dict[str, tuple[str, ...]] = {
    "variable.type": get_args(VariableType),
    "variable.scope": ("workflow", "execution", "global"),
    "trigger.kind": get_args(TriggerKind),
    "node.onError": get_args(OnError),
}


def register(server: WfServer) -> None:
    """Register textDocument/completion."""

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=['"']))
    async def completion(params: types.CompletionParams) -> types.CompletionList | None:
        return await _complete(server, params)


def _content(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """The inside of a string token (its quotes excluded; an unterminated one runs to its end)."""
    start, end = span
    if start >= len(text) or text[start] != '"':
        return None
    inner_end = end - 1 if end - 1 > start and text[end - 1] == '"' else end
    return start + 1, max(start + 1, inner_end)


def _kind_of(ptr: Pointer, part: str) -> str | None:
    """Which completion a cursor position calls for."""
    n = len(ptr)
    if part == "value" and n == 3 and ptr[0] == "nodes" and ptr[2] in ("type", "nodeType"):
        return "type"
    if part == "value" and n == 6 and ptr[0] == "connections" and ptr[5] == "node":
        return "target"
    if part == "key" and n == 2 and ptr[0] == "connections":
        return "source"
    if part == "value" and n == 3 and ptr[0] == "triggers" and ptr[2] == "nodeId":
        return "trigger"
    if part == "value" and n == 3 and ptr[0] == "triggers" and ptr[2] == "kind":
        return "trigger.kind"
    if part == "value" and n == 3 and ptr[0] == "variables" and ptr[2] in ("type", "scope"):
        return f"variable.{ptr[2]}"
    if part == "value" and n == 3 and ptr[0] == "nodes" and ptr[2] == "onError":
        return "node.onError"
    if n == 4 and ptr[0] == "nodes" and ptr[2] == "parameters":
        return "param" if part == "key" else "param.value"
    if n == 3 and ptr[0] == "nodes" and ptr[2] == "parameters" and part == "value":
        return "param.slot"
    return None


def _type_of(snap: DocumentSnapshot, index: int, registry: Registry) -> str | None:
    node = snap.nodes[index] if index < len(snap.nodes) else None
    if not isinstance(node, dict):
        return None
    t = node.get("type")
    if isinstance(t, str) and t in registry.categories and isinstance(node.get("nodeType"), str):
        return str(node["nodeType"])
    return t if isinstance(t, str) else None


async def _complete(server: WfServer, params: types.CompletionParams) -> types.CompletionList | None:
    doc = workflow_doc(server, params.text_document.uri)
    if doc is None:
        return None
    offset = doc.offset_at(params.position, server.workspace.position_codec)
    snap = await snapshot_of(server, doc)
    hit = snap.at(offset)
    if hit is None:
        return None
    ptr, part, span = hit
    kind = _kind_of(ptr, part)
    if kind is None:
        return None
    registry = server.settings.loader(server.settings.for_uri(doc.uri)).registry
    inner = _content(snap.text, span)
    if inner is None and kind != "param.slot":
        return None
    replace = snap.range(inner) if inner is not None else snap.range((offset, offset))
    docs_ok = types.MarkupKind.Markdown in (
        get_capability(
            server.client_capabilities, "text_document.completion.completion_item.documentation_format", None
        )
        or []
    )

    def item(
        label: str,
        kind: types.CompletionItemKind,
        detail: str | None = None,
        doc_md: str | None = None,
        text: str | None = None,
    ) -> Any:
        insert = text if text is not None else json.dumps(label, ensure_ascii=False)[1:-1]
        documentation = (
            (types.MarkupContent(types.MarkupKind.Markdown, doc_md) if docs_ok else doc_md) if doc_md else None
        )
        return types.CompletionItem(
            label=label,
            kind=kind,
            detail=detail,
            documentation=documentation,
            text_edit=types.TextEdit(range=replace, new_text=insert),
        )

    items: list[types.CompletionItem] = []
    settings = server.settings.for_uri(doc.uri)
    if (
        kind in ("type", "param", "param.slot", "param.value")
        and n8n_dialect.resolve(settings.dialect, snap.value) == "n8n"
    ):
        return _n8n(snap, ptr, kind, catalogue.load(settings.n8n_catalog), item)
    if kind == "type":
        items = [item(t.id, K.Class, f"{t.group} · {t.source}", type_markdown(t)) for t in registry.types.values()]
    elif kind in ("target", "source", "trigger"):
        style = "id" if kind == "trigger" else snap.target_style()
        pool = snap.graph.ids if style == "id" else snap.graph.names
        for ref, at in pool.items():
            node = snap.nodes[at]
            other = node.get("name" if style == "id" else "id") if isinstance(node, dict) else None
            items.append(
                item(ref, K.Reference, f"{node.get('type', '')}" + (f" · {other}" if isinstance(other, str) else ""))
            )
    elif kind in ENUMS:
        items = [item(v, K.EnumMember) for v in ENUMS[kind]]
    elif kind in ("param", "param.slot", "param.value"):
        index = snap.node_at(ptr)
        type_id = _type_of(snap, index, registry) if index is not None else None
        entry = registry.get(type_id) if type_id else None
        if entry is None or index is None:
            return None
        if kind == "param.value":
            p = entry.params.get(str(ptr[3]))
            items = [item(str(v), K.EnumMember) for v in (p.enum if p else ()) if isinstance(v, str)]
        else:
            present = snap.get(("nodes", index, "parameters"))
            present = present if isinstance(present, dict) else {}
            for p in entry.params.values():
                if p.name in present and p.name != (ptr[3] if kind == "param" else None):
                    continue
                detail = p.type + (" · required" if p.required else "")
                text = None if kind == "param" else f"{json.dumps(p.name, ensure_ascii=False)}: "
                items.append(item(p.name, K.Property, detail, text=text))
    return types.CompletionList(is_incomplete=False, items=items)


def _n8n(
    snap: DocumentSnapshot, ptr: Pointer, kind: str, cat: catalogue.Catalogue | None, item: Any
) -> types.CompletionList | None:
    """Completion in an n8n export, from the catalogue: types, parameter names and option values."""
    if cat is None:
        return None
    if kind == "type":
        items = [item(name, K.Class, display, about or None) for name, display, about in describe.type_choices(cat)]
        return types.CompletionList(is_incomplete=False, items=items)
    index = snap.node_at(ptr)
    node = snap.nodes[index] if index is not None and index < len(snap.nodes) else None
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        return None
    desc = cat.description(node["type"], node.get("typeVersion", 1))
    if desc is None:
        return None
    if kind == "param.value":
        items = [item(value, K.EnumMember, label) for value, label in describe.option_values(desc, str(ptr[3]))]
    else:
        present = snap.get(("nodes", index, "parameters"))
        present = present if isinstance(present, dict) else {}
        items = []
        for name, detail in describe.parameter_choices(desc):
            if name in present and name != (ptr[3] if kind == "param" else None):
                continue
            items.append(
                item(
                    name,
                    K.Property,
                    detail,
                    text=None if kind == "param" else f"{json.dumps(name, ensure_ascii=False)}: ",
                )
            )
    return types.CompletionList(is_incomplete=False, items=items)
