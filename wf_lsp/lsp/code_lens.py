"""Code lens: "N in · M out" above each node (its incoming and outgoing connections)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from lsprotocol import types

from wf_lsp.lsp.snapshot import snapshot_of, workflow_doc

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer


def register(server: WfServer) -> None:
    """Register textDocument/codeLens."""

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(params: types.CodeLensParams) -> list[types.CodeLens] | None:
        doc = workflow_doc(server, params.text_document.uri)
        if doc is None:
            return None
        snap = await snapshot_of(server, doc)
        ins = Counter(dst for _, dst in snap.graph.edges)
        outs = Counter(src for src, _ in snap.graph.edges)
        lenses = []
        for i, (obj, name) in snap.node_spans.items():
            anchor = name or (obj[0], obj[0] + 1)
            title = f"{ins[i]} in · {outs[i]} out"
            lenses.append(types.CodeLens(range=snap.range(anchor), command=types.Command(title=title, command="")))
        return lenses
