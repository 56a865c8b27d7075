"""Document symbols: triggers, nodes in execution order (their type as detail), and variables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.findings import Pointer
from wf_lsp.lsp.snapshot import DocumentSnapshot, snapshot_of, workflow_doc

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

S = types.SymbolKind


def register(server: WfServer) -> None:
    """Register textDocument/documentSymbol."""

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbol(
        params: types.DocumentSymbolParams,
    ) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | None:
        doc = workflow_doc(server, params.text_document.uri)
        if doc is None:
            return None
        snap = await snapshot_of(server, doc)
        if not isinstance(snap.value, dict):
            return None
        tree = symbols(snap)
        if get_capability(
            server.client_capabilities, "text_document.document_symbol.hierarchical_document_symbol_support", False
        ):
            return tree
        return _flatten(doc.uri, tree)


def _label(value: Any, fallback: str) -> str:
    return value if isinstance(value, str) and value.strip() else fallback


def symbols(snap: DocumentSnapshot) -> list[types.DocumentSymbol]:
    """The symbol tree of a workflow."""
    wf = snap.value
    triggers = wf.get("triggers") if isinstance(wf.get("triggers"), list) else []
    variables = wf.get("variables") if isinstance(wf.get("variables"), dict) else {}
    wanted: list[Pointer] = [("triggers",), ("nodes",), ("variables",)]
    wanted += [p for t in range(len(triggers)) for p in (("triggers", t), ("triggers", t, "nodeId"))]
    wanted += [("variables", v) for v in variables]
    spans = snap.spans(wanted)
    out: list[types.DocumentSymbol] = []

    def sym(
        name: str,
        detail: str | None,
        kind: types.SymbolKind,
        whole: tuple[int, int],
        pick: tuple[int, int] | None,
        children: list[Any],
    ) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            name=name,
            detail=detail,
            kind=kind,
            range=snap.range(whole),
            selection_range=snap.range(pick or (whole[0], whole[0])),
            children=children,
        )

    def member(ptr: Pointer) -> tuple[tuple[int, int], tuple[int, int] | None] | None:
        found = spans.get(ptr)
        if found is None:
            return None
        key, value = found
        return ((key[0] if key else value[0]), value[1]), key

    if (whole := member(("triggers",))) is not None:
        kids: list[types.DocumentSymbol] = []
        for t, trig in enumerate(triggers):
            obj = spans.get(("triggers", t))
            if obj is None or not isinstance(trig, dict):
                continue
            node_id = spans.get(("triggers", t, "nodeId"))
            name = f"{_label(trig.get('kind'), 'trigger')} → {_label(trig.get('nodeId'), '?')}"
            detail = "disabled" if trig.get("enabled") is False else None
            kids.append(sym(name, detail, S.Event, obj[1], node_id[1] if node_id else None, []))
        out.append(sym("triggers", f"{len(triggers)}", S.Array, *whole, kids))
    if (whole := member(("nodes",))) is not None:
        kids = []
        plan = snap.plan
        steps = plan.step_of()
        for i in [i for level in plan.levels for i in level] + plan.cyclic + plan.unreachable:
            node = snap.nodes[i]
            spans_i = snap.node_spans.get(i)
            if spans_i is None or not isinstance(node, dict):
                continue
            kind = node.get("nodeType") if isinstance(node.get("nodeType"), str) else node.get("type")
            detail = _label(kind, "?") + (f" · step {steps[i] + 1}" if i in steps else "")
            kids.append(sym(snap.graph.label(i), detail, S.Function, spans_i[0], spans_i[1], []))
        out.append(sym("nodes", f"{len(snap.nodes)}", S.Array, *whole, kids))
    if (whole := member(("variables",))) is not None:
        kids = []
        for name, definition in variables.items():
            var = member(("variables", name))
            if var is None:
                continue
            vtype = definition.get("type") if isinstance(definition, dict) else None
            kids.append(sym(_label(name, '""'), _label(vtype, "?"), S.Variable, *var, []))
        out.append(sym("variables", f"{len(variables)}", S.Namespace, *whole, kids))
    return out


def _flatten(
    uri: str, tree: Sequence[types.DocumentSymbol], container: str | None = None
) -> list[types.SymbolInformation]:
    out: list[types.SymbolInformation] = []
    for s in tree:
        out.append(
            types.SymbolInformation(
                name=s.name, kind=s.kind, location=types.Location(uri, s.range), container_name=container
            )
        )
        out.extend(_flatten(uri, s.children or [], s.name))
    return out
