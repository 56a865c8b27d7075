"""Diagnostics end to end: real files and real edits, exact ranges, push or pull, stale-free, cleared on close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import APPROVAL, BOOT, PROFILE, corpus_text, diagnostics, only, open_doc, published, pull_mode

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_clean_corpus_file_has_no_diagnostics(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "clean.json", corpus_text(PROFILE))
    assert [d for d in await diagnostics(doc) if d.severity == t.DiagnosticSeverity.Error] == []
    doc.close()


async def test_a_duplicate_name_typed_in_is_reported_on_that_name(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "dup.json", corpus_text(BOOT))
    assert await diagnostics(doc) == []
    # Select the third node's name and type another node's name over it, key by key.
    start = doc.find('"Migrate Version"') + 1
    doc.replace(start, start + len("Migrate Version"), "")
    doc.type(start, "Load Config")
    diags = await diagnostics(doc)
    dup = only(diags, "DUPLICATE_NODE_NAME")
    assert dup.range == doc.range_of('"Load Config"', nth=1)
    assert dup.severity == t.DiagnosticSeverity.Error
    assert dup.source == "wf-lsp"
    assert dup.message == 'Duplicate node name: "Load Config"'
    assert dup.code_description is not None and dup.code_description.href.endswith("#duplicate_node_name")
    assert dup.related_information and dup.related_information[0].location.range == doc.range_of('"Load Config"')
    assert dup.data["suggestion"] == "Use unique names for all nodes."
    assert [f["title"] for f in dup.data["fixes"]] == ["Rename duplicate node to 'Load Config 2'"]
    assert dup.data["version"] == doc.version
    # The renamed node was a connection source and target: both ends are reported too.
    assert {str(d.code) for d in diags} >= {"INVALID_CONNECTION_SOURCE", "INVALID_CONNECTION_TARGET_NODE"}
    doc.close()


async def test_a_mistyped_target_then_its_quick_fix_clears_it(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "typo.json", corpus_text(BOOT))
    await diagnostics(doc)
    at = doc.find('"node": "Validate Schema"') + len('"node": "Validate S')
    doc.replace(at, at + 1, "")  # "Validate Schema" -> "Validate Shema"
    diags = await diagnostics(doc)
    bad = only(diags, "INVALID_CONNECTION_TARGET_NODE")
    assert bad.range == doc.range_of('"Validate Shema"')
    assert bad.message == 'Target node "Validate Shema" not found in workflow nodes'
    fixes = await actions_for(doc, bad)
    retarget = next(a for a in fixes if a.title == "Retarget connection to 'Validate Schema'")
    assert retarget.kind == t.CodeActionKind.QuickFix
    assert retarget.edit is not None
    doc.apply(retarget.edit)
    assert '"node": "Validate Schema"' in doc.text
    assert await diagnostics(doc) == []
    doc.close()


async def actions_for(doc, diag: t.Diagnostic) -> list[t.CodeAction]:  # type: ignore[no-untyped-def]
    from tests.lsp.kit import actions

    return await actions(doc, [diag])


async def test_unreachable_nodes_are_tagged_unnecessary(client: LanguageClient, workspace: Path) -> None:
    data = json.loads(corpus_text(BOOT))
    data["triggers"] = [{"nodeId": "load_config", "kind": "manual"}]
    data["nodes"].append(
        {
            "id": "orphan",
            "name": "Orphan",
            "type": "config.load",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        }
    )
    doc = open_doc(client, workspace / "open" / "orphan.json", json.dumps(data, indent=2))
    warn = only(await diagnostics(doc), "UNREACHABLE_NODE")
    assert warn.severity == t.DiagnosticSeverity.Warning
    assert list(warn.tags or []) == [t.DiagnosticTag.Unnecessary]
    assert warn.range == doc.range_of('"Orphan"')
    doc.close()


async def test_ranges_use_the_negotiated_encoding(client: LanguageClient, workspace: Path) -> None:
    # Astral characters before the error on the same line: UTF-16 (VS Code) and UTF-8 (Neovim) columns differ.
    text = (
        '{"tenantId": "${TENANT_ID}", "nodes": [\n'
        '  {"id": "a😀", "name": "😀 Start", "type": "config.load", "parameters": {}},\n'
        '  {"id": "b😀😀", "name": "😀 Start", "type": "config.load", "parameters": {}}\n'
        '], "connections": {}}\n'
    )
    doc = open_doc(client, workspace / "open" / "emoji.json", text)
    dup = only(await diagnostics(doc), "DUPLICATE_NODE_NAME")
    assert dup.range == doc.range_of('"😀 Start"', nth=1)
    units = {"utf-16": 26, "utf-8": 30}  # 24 code points
    assert dup.range.start.character == units[doc.enc]
    doc.close()


async def test_broken_json_is_reported_and_still_checked(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "broken.json", corpus_text(BOOT))
    await diagnostics(doc)
    at = doc.find('"Build Runtime Config"', after='"connections"')
    doc.replace(
        at + len('"Build Runtime Config"'), at + len('"Build Runtime Config"') + 1, ""
    )  # drop the comma after the target
    doc.replace(at, at + 1, "")  # and the opening quote
    diags = await diagnostics(doc)
    assert "JSON_SYNTAX_ERROR" in {str(d.code) for d in diags}
    doc.close()


async def test_closing_clears_diagnostics(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')
    doc = open_doc(client, workspace / "open" / "close.json", text)
    assert await diagnostics(doc)
    count = len(client.published)  # type: ignore[attr-defined]
    doc.close()
    if pull_mode(client):
        report = await client.text_document_diagnostic_async(
            t.DocumentDiagnosticParams(t.TextDocumentIdentifier(doc.uri))
        )
        assert list(report.items) == []
    else:
        cleared = await published(client, doc.uri, since=count)
        assert list(cleared.diagnostics) == []


async def test_package_json_and_other_json_get_nothing(client: LanguageClient, workspace: Path) -> None:
    pkg = open_doc(
        client, workspace / "open" / "package.json", json.dumps({"name": "x", "nodes": [1], "connections": 2})
    )
    nested = open_doc(
        client, workspace / "open" / "nested.json", json.dumps({"config": {"nodes": [1], "connections": {}}})
    )
    marker = open_doc(
        client,
        workspace / "open" / "marker.json",
        corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"'),
    )
    assert await diagnostics(marker)  # the workflow opened last is done ...
    if pull_mode(client):
        for doc in (pkg, nested):
            assert await diagnostics(doc) == []
    else:  # ... and nothing was ever published for the others
        assert not [p for p in client.published if p.uri in (pkg.uri, nested.uri)]  # type: ignore[attr-defined]
    for doc in (pkg, nested, marker):
        doc.close()


async def test_pull_result_ids_and_unchanged_reports(client: LanguageClient, workspace: Path) -> None:
    """A pull client gets result ids and `unchanged` reports; a push client is offered no pull at all and gets every
    version's diagnostics pushed, stamped with that version."""
    doc = open_doc(client, workspace / "open" / "pull.json", corpus_text(APPROVAL))
    if not pull_mode(client):
        assert client.init_result.capabilities.diagnostic_provider is None  # type: ignore[attr-defined]
        first = await published(client, doc.uri, version=1)
        assert "TIMEOUT_TOO_SHORT" in {str(d.code) for d in first.diagnostics}
        at = doc.find('"timeout"')
        doc.replace(at, at, '"x": 1, ')
        second = await published(client, doc.uri, version=doc.version)
        assert second.version == doc.version == 2
        assert [str(d.code) for d in second.diagnostics] == [str(d.code) for d in first.diagnostics]
        doc.close()
        return
    ident = t.TextDocumentIdentifier(doc.uri)
    first = await client.text_document_diagnostic_async(t.DocumentDiagnosticParams(ident))
    assert first.kind == "full" and first.result_id
    again = await client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(ident, previous_result_id=first.result_id)
    )
    assert again.kind == "unchanged" and again.result_id == first.result_id
    at = doc.find('"timeout"')
    doc.replace(at, at, '"x": 1, ')
    changed = await client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(ident, previous_result_id=first.result_id)
    )
    assert changed.kind == "full" and changed.result_id != first.result_id
    doc.replace(at, at + len('"x": 1, '), "")  # undo: the same text gives the same result id
    undone = await client.text_document_diagnostic_async(
        t.DocumentDiagnosticParams(ident, previous_result_id=first.result_id)
    )
    assert undone.kind == "unchanged"
    doc.close()


async def test_workspace_diagnostics_cover_files_that_are_not_open(client: LanguageClient, workspace: Path) -> None:
    """A pull client's workspace/diagnostic covers the workflow files that are not open (and no other JSON); a push
    client gets the same files' diagnostics pushed by wf.validateWorkspace."""
    open_one = open_doc(client, (workspace / APPROVAL), corpus_text(APPROVAL))
    if not pull_mode(client):
        since = len(client.published)  # type: ignore[attr-defined]
        await client.workspace_execute_command_async(t.ExecuteCommandParams(command="wf.validateWorkspace"))
        single = (workspace / "workflow__examples__python__single_pass__workflow.json").as_uri()
        pushed = await published(client, single, since=since)
        assert "MISSING_TENANT_ID" in {str(d.code) for d in pushed.diagnostics}
        uris = {p.uri for p in client.published[since:]}  # type: ignore[attr-defined]
        assert (workspace / "package.json").as_uri() not in uris and (workspace / "settings.json").as_uri() not in uris
        open_one.close()
        return
    report = await client.workspace_diagnostic_async(t.WorkspaceDiagnosticParams(previous_result_ids=[]))
    uris = {item.uri for item in report.items}
    assert (workspace / "workflow__examples__python__single_pass__workflow.json").as_uri() in uris
    assert (workspace / "package.json").as_uri() not in uris and (workspace / "settings.json").as_uri() not in uris
    assert open_one.uri not in uris
    single = next(i for i in report.items if i.uri.endswith("single_pass__workflow.json"))
    assert "MISSING_TENANT_ID" in {str(d.code) for d in single.items}
    previous = [t.PreviousResultId(uri=i.uri, value=i.result_id) for i in report.items]
    again = await client.workspace_diagnostic_async(t.WorkspaceDiagnosticParams(previous_result_ids=previous))
    assert {i.kind for i in again.items} == {"unchanged"}
    open_one.close()


async def test_untitled_buffers_are_checked_by_content(client: LanguageClient) -> None:
    doc = open_doc(
        client, "untitled:Untitled-1", corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')
    )
    assert "DUPLICATE_NODE_NAME" in {str(d.code) for d in await diagnostics(doc)}
    doc.close()


async def test_the_server_logs_to_the_client(client: LanguageClient) -> None:
    mode = "pull" if pull_mode(client) else "push"
    assert any(
        m.message.startswith("wf_lsp.lsp.server: wf-lsp ") and f"{mode} diagnostics" in m.message
        for m in client.log_messages
    )
