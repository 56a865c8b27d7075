"""Code actions: a quick fix per fix in a diagnostic, "Fix all safe problems", and "Ignore CODE for this node"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from wf_lsp.core.fix.actions import ignore_edit
from wf_lsp.core.fix.fixing import SYNTAX_CODES, safe_fixes
from wf_lsp.core.rules.catalog import RULES
from wf_lsp.lsp.convert import SOURCE, PositionMapper, edit_from_json, fix_edits, workspace_edit
from wf_lsp.lsp.documents import UNREADABLE

if TYPE_CHECKING:
    from wf_lsp.lsp.documents import OpenDocument
    from wf_lsp.lsp.server import WfServer

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.wf-lsp"
FIX_ALL_TITLE = "Fix all safe problems"
#: Codes an in-document suppression cannot meaningfully cover.
_NOT_IGNORABLE = UNREADABLE | {"UNUSED_SUPPRESSION", "DUPLICATE_KEY"}


def register(server: WfServer) -> None:
    """Register textDocument/codeAction."""

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await actions(server, params)


def _wanted(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


async def actions(server: WfServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    """Every action for the diagnostics in the request's context, plus fix-all for the document."""
    doc = server.documents.get(params.text_document.uri)
    if doc is None:
        return None
    only = [str(k.value if hasattr(k, "value") else k) for k in params.context.only] if params.context.only else None
    out: list[types.CodeAction] = []
    ours = [d for d in params.context.diagnostics if d.source == SOURCE]
    if _wanted(only, types.CodeActionKind.QuickFix.value) and ours:
        datas = await _datas(server, doc, ours)
        for diag, data in zip(ours, datas, strict=True):
            out.extend(_quick_fixes(server, doc, diag, data))
        out.extend(_ignores(server, doc, ours, datas))
    if _wanted(only, FIX_ALL):
        fix_all = await _fix_all(server, doc)
        if fix_all is not None:
            out.append(fix_all)
    return out


async def _datas(server: WfServer, doc: OpenDocument, diags: list[types.Diagnostic]) -> list[dict[str, Any] | None]:
    """Each diagnostic's data; clients that drop data get it back from the server's last result for that range."""
    out: list[dict[str, Any] | None] = [d.data if isinstance(d.data, dict) else None for d in diags]
    if all(x is not None for x in out):
        return out
    outcome = await server.diagnostics.current(doc.uri)
    known = {(str(d.code), _key(d.range)): d.data for d in (outcome.diagnostics if outcome else [])}
    return [x if x is not None else known.get((str(d.code), _key(d.range))) for d, x in zip(diags, out, strict=True)]


def _key(r: types.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def _quick_fixes(
    server: WfServer, doc: OpenDocument, diag: types.Diagnostic, data: dict[str, Any] | None
) -> list[types.CodeAction]:
    if not data or data.get("version") != doc.version:
        return []  # fixes of another version would land in the wrong place
    out = []
    for k, fix in enumerate(data.get("fixes") or []):
        edits = (
            _deferred(server, doc, diag, data, k)
            if fix.get("deferred")
            else [edit_from_json(e) for e in fix.get("edits", [])]
        )
        if not edits:
            continue
        out.append(
            types.CodeAction(
                title=fix["title"],
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                is_preferred=bool(fix.get("safe")) or None,
                edit=workspace_edit(server.client_capabilities, doc.uri, doc.version, edits),
            )
        )
    return out


def _deferred(
    server: WfServer, doc: OpenDocument, diag: types.Diagnostic, data: dict[str, Any], k: int
) -> list[types.TextEdit]:
    """The edits of a fix too big to carry in data, from the server's result for that same version."""
    outcome = server.diagnostics.last(doc.uri)
    index = data.get("finding")
    if (
        outcome is None
        or outcome.version != data.get("version")
        or not isinstance(index, int)
        or index >= len(outcome.result.findings)
    ):
        return []
    finding = outcome.result.findings[index]
    if finding.code != diag.code or k >= len(finding.fixes):
        return []
    return fix_edits(finding.fixes[k], PositionMapper(outcome.text, server.encoding))


def _ignores(
    server: WfServer, doc: OpenDocument, diags: list[types.Diagnostic], datas: list[dict[str, Any] | None]
) -> list[types.CodeAction]:
    out = []
    done: set[tuple[str, int | None]] = set()
    for diag, data in zip(diags, datas, strict=True):
        code = str(diag.code or "")
        if code not in RULES or code in _NOT_IGNORABLE:
            continue
        node = data.get("node") if data else None
        node = node if isinstance(node, int) else None
        if (code, node) in done:
            continue
        done.add((code, node))
        try:
            edit = ignore_edit(doc.text, code, node)
        except (
            StopIteration,
            ValueError,
            IndexError,
            RecursionError,
        ):  # text being typed that does not parse there: no action
            continue
        if edit is None:
            continue
        mapper = PositionMapper(doc.text, server.encoding, doc.lines)
        text_edit = types.TextEdit(range=mapper.offsets(edit.start, edit.end), new_text=edit.new_text)
        title = f"Ignore {code} for this node" if node is not None else f"Ignore {code} in this file"
        out.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diag],
                edit=workspace_edit(server.client_capabilities, doc.uri, doc.version, [text_edit]),
            )
        )
    return out


async def _fix_all(server: WfServer, doc: OpenDocument) -> types.CodeAction | None:
    outcome = await server.diagnostics.current(doc.uri)
    if outcome is None or not outcome.workflow or outcome.version != doc.version:
        return None
    if any(f.code in SYNTAX_CODES for f in outcome.result.findings):
        return (
            None  # fix-all applies unverified fixes: not on text the parser had to repair (check --fix verifies them)
        )
    edits = sorted(
        (e for fix in safe_fixes(outcome.result.findings) for e in fix.edits), key=lambda e: (e.start, e.end)
    )
    if not edits:
        return None
    mapper = PositionMapper(outcome.text, server.encoding)
    text_edits = [types.TextEdit(range=mapper.offsets(e.start, e.end), new_text=e.new_text) for e in edits]
    return types.CodeAction(
        title=FIX_ALL_TITLE,
        kind=FIX_ALL,
        edit=workspace_edit(server.client_capabilities, doc.uri, outcome.version, text_edits),
    )
