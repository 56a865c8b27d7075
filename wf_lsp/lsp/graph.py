"""The `wf.graph` command: a workflow's graph model (with each node's range) and its Mermaid text, for any client."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from lsprotocol import converters

from wf_lsp.core import graphmodel
from wf_lsp.core.parse.document import decode_bytes
from wf_lsp.core.result import Result
from wf_lsp.lsp import documents, files
from wf_lsp.lsp.snapshot import DocumentSnapshot
from wf_lsp.report import mermaid

if TYPE_CHECKING:
    from cattrs import Converter

    from wf_lsp.lsp.server import WfServer


@functools.cache
def _converter() -> Converter:
    """lsprotocol's converter, built on the first graph asked for (building it costs start-up time)."""
    return converters.get_converter()


def register(server: WfServer) -> None:
    """Register wf.graph."""

    @server.command("wf.graph")
    async def graph(*args: object) -> dict[str, Any]:
        uri = _uri(args)
        if not uri:
            return _refuse(None, "wf.graph needs a document URI")
        return await graph_of(server, uri)


def _uri(args: tuple[object, ...]) -> str | None:
    """The document URI among the arguments: a string, or an object's `uri` (inside the argument list or not)."""
    flat: list[object] = []
    for a in args:
        flat.extend(a if isinstance(a, list) else [a])
    for a in flat:
        if isinstance(a, str) and a:
            return a
        if isinstance(a, dict) and isinstance(a.get("uri"), str) and a["uri"]:
            return str(a["uri"])
    return None


def _refuse(uri: str | None, message: str) -> dict[str, Any]:
    return {"uri": uri, "graph": None, "mermaid": None, "errors": [{"code": "NO_DOCUMENT", "message": message}]}


async def graph_of(server: WfServer, uri: str) -> dict[str, Any]:
    """The graph of an open document as the editor has it (its snapshot), else of a regular file in the workspace."""
    snap: DocumentSnapshot
    result: Result
    if server.documents.get(uri) is not None:
        validation = await server.diagnostics.current(uri)
        if validation is None:
            return _refuse(uri, f"{uri} is not a workflow document")
        result, snap = validation.result, validation.document
    else:
        settings = server.settings.for_uri(uri)
        path = documents.uri_to_path(uri)
        folders = [p for p in map(documents.uri_to_path, server.settings.folder_uris()) if p]
        try:  # only a regular file inside a workspace folder, under maxFileBytes, read off the event loop
            data = await server.diagnostics.run(files.read_workspace_file, path, folders, settings.max_file_bytes)
        except files.Refused as exc:
            return _refuse(uri, f"cannot read {uri}: {exc}")
        text = decode_bytes(data)[0]
        result = await server.diagnostics.run(server.settings.loader(settings).validate_text, text, path)
        snap = DocumentSnapshot(text, None, settings, server.encoding)
    # Linear but not free on big documents (about 1 s for 10,000 nodes): off the event loop.
    return await server.diagnostics.run(_answer, uri, snap, result)


def _answer(uri: str, snap: DocumentSnapshot, result: Result) -> dict[str, Any]:
    wf_graph = graphmodel.build(snap.value, result, snap.key_mode, (snap.graph, snap.plan))
    data = wf_graph.to_json()
    spans = snap.node_spans
    for node in data["nodes"]:
        span = spans.get(node["index"])
        node["range"] = _converter().unstructure(snap.range(span[0])) if span else None
        node["nameRange"] = _converter().unstructure(snap.range(span[1])) if span and span[1] else None
    name = uri.rsplit("/", 1)[-1]
    picture = mermaid.render(wf_graph, name)
    return {"uri": uri, "version": snap.version, "valid": result.valid, "graph": data, "mermaid": picture, "errors": []}
