"""Code actions end to end: quick fixes from diagnostic data, fix-all, ignore-for-this-node, versioned edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import BOOT, VARIABLES, actions, corpus_text, diagnostics, only, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")

FIX_ALL = "source.fixAll.wf-lsp"


def _versioned(client: LanguageClient) -> bool:
    ws = client.capabilities.workspace if client.capabilities else None
    return bool(ws and ws.workspace_edit and ws.workspace_edit.document_changes)


async def test_fix_all_applies_every_safe_fix(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "fixall.json", corpus_text(VARIABLES))
    before = {str(d.code) for d in await diagnostics(doc)}
    assert {"MISSING_TENANT_ID", "GLOBAL_SCOPE_VARIABLE"} <= before
    found = await actions(doc, [], kinds=[t.CodeActionKind.SourceFixAll])
    assert [a.title for a in found] == ["Fix all safe problems"]
    assert found[0].kind == FIX_ALL and found[0].edit is not None
    if _versioned(client):
        assert found[0].edit.document_changes and found[0].edit.document_changes[0].text_document.version == doc.version
    else:
        assert found[0].edit.changes and doc.uri in found[0].edit.changes
    doc.apply(found[0].edit)
    after = {str(d.code) for d in await diagnostics(doc)}
    assert not after & {"MISSING_TENANT_ID", "GLOBAL_SCOPE_VARIABLE"}
    data = json.loads(doc.text)
    assert data["tenantId"] == "${TENANT_ID}" and data["variables"]["environment"]["scope"] == "workflow"
    assert await actions(doc, [], kinds=[FIX_ALL]) == []  # nothing safe left to fix
    doc.close()


async def test_no_fix_all_on_text_with_syntax_errors(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(VARIABLES).replace("{", "{\n// a comment the parser repairs away", 1)
    doc = open_doc(client, workspace / "open" / "fixall-broken.json", text)
    codes = {str(d.code) for d in await diagnostics(doc)}
    assert {"JSON_SYNTAX_ERROR", "MISSING_TENANT_ID"} <= codes
    assert await actions(doc, [], kinds=[t.CodeActionKind.SourceFixAll]) == []
    doc.close()


async def test_safe_quick_fixes_are_preferred(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "tenant.json", corpus_text(VARIABLES))
    missing = only(await diagnostics(doc), "MISSING_TENANT_ID")
    found = await actions(doc, [missing], kinds=[t.CodeActionKind.QuickFix])
    add = next(a for a in found if a.title == "Add tenantId '${TENANT_ID}'")
    assert add.is_preferred is True and list(add.diagnostics or []) == [missing]
    assert "Ignore MISSING_TENANT_ID in this file" in [a.title for a in found]
    doc.close()


async def test_unsafe_fixes_are_offered_but_not_preferred(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"node": "Validate Schema"', '"node": "Validate Shema"')
    doc = open_doc(client, workspace / "open" / "unsafe.json", text)
    bad = only(await diagnostics(doc), "INVALID_CONNECTION_TARGET_NODE")
    titles = {a.title: a for a in await actions(doc, [bad])}
    assert {"Retarget connection to 'Validate Schema'", "Remove connection target"} <= set(titles)
    assert not titles["Remove connection target"].is_preferred
    doc.close()


async def test_ignore_for_this_node_inserts_the_suppression(client: LanguageClient, workspace: Path) -> None:
    data = json.loads(corpus_text(BOOT))
    data["nodes"][4]["name"] = "Load Config"  # a duplicate name on the last node, its incoming edge by id
    data["connections"]["Validate Schema"]["main"]["0"][0]["node"] = "build_runtime_config"
    doc = open_doc(client, workspace / "open" / "ignore.json", json.dumps(data, indent=2))
    dup = only(await diagnostics(doc), "DUPLICATE_NODE_NAME")
    found = {a.title: a for a in await actions(doc, [dup])}
    assert "Rename duplicate node to 'Load Config 2'" in found
    ignore = found["Ignore DUPLICATE_NODE_NAME for this node"]
    assert ignore.edit is not None
    doc.apply(ignore.edit)
    assert json.loads(doc.text)["nodes"][4]["x-wf-ignore"] == ["DUPLICATE_NODE_NAME"]
    assert "DUPLICATE_NODE_NAME" not in {str(d.code) for d in await diagnostics(doc)}
    doc.close()


async def test_fixes_of_an_older_version_are_not_offered(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"node": "Validate Schema"', '"node": "Validate Shema"')
    doc = open_doc(client, workspace / "open" / "stale.json", text)
    bad = only(await diagnostics(doc), "INVALID_CONNECTION_TARGET_NODE")
    doc.replace(0, 0, " ")  # the editor moved on; the diagnostic in hand is from version 1
    await diagnostics(doc)
    titles = [a.title for a in await actions(doc, [bad])]
    assert "Retarget connection to 'Validate Schema'" not in titles
    doc.close()


async def test_fixes_come_back_when_the_client_drops_data(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"node": "Validate Schema"', '"node": "Validate Shema"')
    doc = open_doc(client, workspace / "open" / "nodata.json", text)
    bad = only(await diagnostics(doc), "INVALID_CONNECTION_TARGET_NODE")
    stripped = t.Diagnostic(
        range=bad.range, message=bad.message, severity=bad.severity, code=bad.code, source=bad.source
    )
    titles = [a.title for a in await actions(doc, [stripped])]
    assert "Retarget connection to 'Validate Schema'" in titles
    doc.close()


async def test_a_fix_too_big_for_data_is_fetched_from_the_server(client: LanguageClient, workspace: Path) -> None:
    names = [f"Step {i}" for i in range(60)]
    nodes = [{"id": f"s{i}", "name": n, "type": "config.load", "parameters": {}} for i, n in enumerate(names)]
    conns = {f"s{i}": {"main": {"0": [{"node": f"s{i + 1}", "type": "main", "index": 0}]}} for i in range(59)}
    conns["Step 0"] = conns.pop("s0")  # one key by name among 58 by id
    doc = open_doc(
        client,
        workspace / "open" / "mixed.json",
        json.dumps({"tenantId": "${TENANT_ID}", "nodes": nodes, "connections": conns}, indent=2),
    )
    mixed = only(await diagnostics(doc), "MIXED_CONNECTION_KEYS")
    by_name = next(f for f in mixed.data["fixes"] if f["title"] == "Key all connections by node name")
    assert by_name["edits"] == [] and by_name["deferred"] > 50  # not carried in every publish
    found = {a.title: a for a in await actions(doc, [mixed])}
    edit = found["Key all connections by node name"].edit
    assert edit is not None
    doc.apply(edit)
    data = json.loads(doc.text)
    assert (
        set(data["connections"]) == set(names[:59])
        and data["connections"]["Step 0"]["main"]["0"][0]["node"] == "Step 1"
    )
    assert "MIXED_CONNECTION_KEYS" not in {str(d.code) for d in await diagnostics(doc)}
    doc.close()
