"""Inlay hints: the execution step of each node, after its name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from wf_lsp.lsp.snapshot import snapshot_of, workflow_doc

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer


def register(server: WfServer) -> None:
    """Register textDocument/inlayHint."""

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    async def inlay_hint(params: types.InlayHintParams) -> list[types.InlayHint] | None:
        doc = workflow_doc(server, params.text_document.uri)
        if doc is None:
            return None
        snap = await snapshot_of(server, doc)
        plan = snap.plan
        steps = plan.step_of()
        cyclic = set(plan.cyclic)
        first, last = params.range.start.line, params.range.end.line
        hints = []
        for i, (_obj, name) in snap.node_spans.items():
            if name is None or (i not in steps and i not in cyclic):
                continue
            pos = snap.mapper.offset_position(name[1])
            if not first <= pos.line <= last:
                continue
            label = f"step {steps[i] + 1}" if i in steps else "in a cycle"
            tip = "Runs at this step of the execution plan (nodes with the same step may run in parallel)."
            hints.append(types.InlayHint(position=pos, label=label, padding_left=True, tooltip=tip))
        return hints
