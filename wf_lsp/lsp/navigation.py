"""Go to definition, find references and rename between nodes and the connection keys, targets, triggers naming them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from wf_lsp.lsp.convert import workspace_edit
from wf_lsp.lsp.snapshot import DocumentSnapshot, Ref, snapshot_of, workflow_doc

if TYPE_CHECKING:
    from wf_lsp.core.findings import Pointer
    from wf_lsp.lsp.documents import OpenDocument
    from wf_lsp.lsp.server import WfServer

REQUEST_FAILED = -32803


def register(server: WfServer) -> None:
    """Register definition, references, prepareRename and rename."""

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(params: types.DefinitionParams) -> types.Location | None:
        found = await _at(server, params.text_document.uri, params.position)
        if found is None:
            return None
        doc, snap, index, _decl = found
        span = _declaration(snap, index)
        return types.Location(doc.uri, snap.range(span)) if span else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def references(params: types.ReferenceParams) -> list[types.Location] | None:
        found = await _at(server, params.text_document.uri, params.position)
        if found is None:
            return None
        doc, snap, index, _decl = found
        spans = _ref_spans(snap, snap.refs_to(index))
        out = [types.Location(doc.uri, snap.range(s)) for s in spans]
        decl = _declaration(snap, index)
        if params.context.include_declaration and decl is not None:
            out.insert(0, types.Location(doc.uri, snap.range(decl)))
        return out

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder | None:
        found = await _name_at(server, params.text_document.uri, params.position)
        if found is None:
            return None  # only node names can be renamed
        _doc, snap, index, span = found
        return types.PrepareRenamePlaceholder(
            range=snap.range((span[0] + 1, span[1] - 1)), placeholder=str(snap.nodes[index]["name"])
        )

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    async def rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        found = await _name_at(server, params.text_document.uri, params.position)
        if found is None:
            raise JsonRpcException(
                'Only node names can be renamed: put the cursor on a node\'s "name" value.', REQUEST_FAILED
            )
        doc, snap, index, span = found
        return _rename(server, doc, snap, index, span, params.new_name)


async def _hit(
    server: WfServer, uri: str, position: types.Position
) -> tuple[OpenDocument, DocumentSnapshot, Pointer, str, tuple[int, int]] | None:
    """The workflow document at uri, its snapshot, and the innermost member under the position."""
    doc = workflow_doc(server, uri)
    if doc is None:
        return None
    snap = await snapshot_of(server, doc)
    hit = snap.at(doc.offset_at(position, server.workspace.position_codec))
    return None if hit is None else (doc, snap, *hit)


async def _at(
    server: WfServer, uri: str, position: types.Position
) -> tuple[OpenDocument, DocumentSnapshot, int, bool] | None:
    """The node a position refers to: from a reference, or from the node's own name or id (then decl=True)."""
    found = await _hit(server, uri, position)
    if found is None:
        return None
    doc, snap, ptr, part, _span = found
    ref = snap.ref_at(ptr, part)
    if ref is not None:
        return doc, snap, ref[0], False
    index = snap.node_at(ptr)
    if index is not None and part == "value" and ptr[2:] in (("name",), ("id",)):
        return doc, snap, index, True
    return None


async def _name_at(
    server: WfServer, uri: str, position: types.Position
) -> tuple[OpenDocument, DocumentSnapshot, int, tuple[int, int]] | None:
    """The node whose name value (a string) is under the position."""
    found = await _hit(server, uri, position)
    if found is None:
        return None
    doc, snap, ptr, part, span = found
    index = snap.node_at(ptr)
    if index is None or ptr[2:] != ("name",) or part != "value" or not isinstance(snap.get(ptr), str):
        return None
    if snap.text[span[0] : span[0] + 1] != '"' or snap.text[span[1] - 1 : span[1]] != '"':
        return None
    return doc, snap, index, span


def _declaration(snap: DocumentSnapshot, index: int) -> tuple[int, int] | None:
    spans = snap.node_spans.get(index)
    if spans is None:
        return None
    obj, name = spans
    return name if name is not None else (obj[0], obj[0] + 1)


def _ref_spans(snap: DocumentSnapshot, refs: list[Ref]) -> list[tuple[int, int]]:
    found = snap.spans([r.pointer for r in refs])
    out = []
    for r in refs:
        hit = found.get(r.pointer)
        if hit is None:
            continue
        key, value = hit
        span = key if r.part == "key" else value
        if span is not None:
            out.append(span)
    return out


def _rename(
    server: WfServer, doc: OpenDocument, snap: DocumentSnapshot, index: int, span: tuple[int, int], new_name: str
) -> types.WorkspaceEdit:
    """The name, and every connection key, target and trigger that refers to the node by that name, in one edit."""
    old = snap.nodes[index]["name"]
    if not new_name.strip():
        raise JsonRpcException("A node name cannot be empty.", REQUEST_FAILED)
    if new_name != old and new_name in snap.graph.names:
        raise JsonRpcException(f"A node named {new_name!r} already exists.", REQUEST_FAILED)
    token = json.dumps(new_name, ensure_ascii=False)
    by_name = [
        r
        for r in snap.refs_to(index)
        if r.text == old and (r.kind != "trigger" or old not in snap.graph.ids) and snap.key_mode != "id"
    ]
    edits = [types.TextEdit(range=snap.range(span), new_text=token)]
    edits += [types.TextEdit(range=snap.range(s), new_text=token) for s in _ref_spans(snap, by_name)]
    return workspace_edit(server.client_capabilities, doc.uri, snap.version, edits)
