"""Editor features end to end: hover, completion, definition, references, rename, symbols, inlay hints, code lens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import APPROVAL, BOOT, VARIABLES, Doc, corpus_text, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _ident(doc: Doc) -> t.TextDocumentIdentifier:
    return t.TextDocumentIdentifier(doc.uri)


def _inside(doc: Doc, needle: str, nth: int = 0, after: str | None = None, shift: int = 2) -> t.Position:
    return doc.position(doc.find(needle, nth, after) + shift)


async def _hover(doc: Doc, pos: t.Position) -> str:
    result = await doc.client.text_document_hover_async(t.HoverParams(_ident(doc), pos))
    assert result is not None and isinstance(result.contents, t.MarkupContent)
    return result.contents.value


async def test_hover_shows_the_registry_entry_of_a_node_type(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"type": "config.migrate"', '"type": "logic.if"')
    doc = open_doc(client, workspace / "open" / "hover.json", text)
    shown = await _hover(doc, _inside(doc, '"logic.if"'))
    assert shown.startswith("**logic.if** — Branches the workflow on a condition")
    assert "| `condition` | string | yes |" in shown
    assert "Required: `condition`" in shown and "Outputs: `main`, `error`" in shown
    doc.close()


async def test_hover_explains_a_node_type_of_another_platform(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"type": "config.migrate"', '"type": "n8n-nodes-base.merge"')
    doc = open_doc(client, workspace / "open" / "hover-n8n.json", text)
    shown = await _hover(doc, _inside(doc, '"n8n-nodes-base.merge"'))
    assert shown.startswith(
        "**n8n-nodes-base.merge** — a known node type, but no executor implements it: n8n built-in node type"
    )
    doc.close()


async def test_hover_on_a_connection_target_shows_the_node_it_names(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "hover2.json", corpus_text(APPROVAL))
    shown = await _hover(doc, _inside(doc, '"node": "validate-request"', shift=10))
    assert shown.startswith("**Validate Request Data** (`nodes[1]`)")
    assert "- id: `validate-request`" in shown and "1 in · 2 out · step 2" in shown
    doc.close()


async def test_hover_on_a_diagnostic_shows_the_rule_doc(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "hover3.json", corpus_text(APPROVAL))
    assert await diagnostics(doc)
    shown = await _hover(doc, _inside(doc, '"timeout": 30', shift=12))
    assert "**TIMEOUT_TOO_SHORT** (warning)" in shown and "_Suggestion:_ Increase timeout" in shown
    assert "(https://" in shown  # the rule's documentation link
    doc.close()


async def _complete(doc: Doc, pos: t.Position) -> list[t.CompletionItem]:
    result = await doc.client.text_document_completion_async(t.CompletionParams(_ident(doc), pos))
    assert isinstance(result, t.CompletionList)
    return list(result.items)


async def test_completion_of_node_types_replaces_the_whole_value(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(
        client,
        workspace / "open" / "complete.json",
        corpus_text(BOOT).replace('"type": "config.migrate"', '"type": "logic."'),
    )
    items = await _complete(doc, _inside(doc, '"logic."', shift=7))
    labels = {i.label for i in items}
    assert {"logic.if", "config.load", "string.replace"} <= labels
    item = next(i for i in items if i.label == "logic.if")
    assert isinstance(item.text_edit, t.TextEdit) and item.text_edit.range == doc.range_of(
        "logic.", after='"Migrate Version"'
    )
    doc.close()


async def test_completion_of_targets_parameters_and_enums(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "complete2.json", corpus_text(BOOT))
    targets = {i.label for i in await _complete(doc, _inside(doc, '"Validate Version"', after='"connections"'))}
    assert targets == {"Load Config", "Validate Version", "Migrate Version", "Validate Schema", "Build Runtime Config"}
    doc.close()
    by_id = open_doc(client, workspace / "open" / "complete3.json", corpus_text(APPROVAL))
    ids = {i.label for i in await _complete(by_id, _inside(by_id, '"node": "validate-request"', shift=10))}
    assert "send-for-approval" in ids and "Validate Request Data" not in ids  # this file keys connections by id
    trigger_ids = {i.label for i in await _complete(by_id, _inside(by_id, '"nodeId": "trigger-webhook"', shift=12))}
    assert "trigger-webhook" in trigger_ids
    kinds = {i.label for i in await _complete(by_id, _inside(by_id, '"kind": "webhook"', shift=10))}
    assert {"webhook", "schedule", "manual"} <= kinds
    by_id.close()
    data = json.loads(corpus_text(VARIABLES))
    variables = open_doc(client, workspace / "open" / "complete4.json", json.dumps(data, indent=2))
    types_ = {i.label for i in await _complete(variables, _inside(variables, '"type": "string"', shift=10))}
    assert types_ == {"string", "number", "boolean", "array", "object", "date", "any"}
    scopes = {i.label for i in await _complete(variables, _inside(variables, '"scope": "workflow"', shift=11))}
    assert scopes == {"workflow", "execution", "global"}
    variables.close()


async def test_completion_of_parameter_names_for_the_node_type(client: LanguageClient, workspace: Path) -> None:
    data = json.loads(corpus_text(BOOT))
    data["nodes"][2] = {
        "id": "check",
        "name": "Check",
        "type": "logic.if",
        "parameters": {"then": "x", "": 1},
        "onError": "retry",
    }
    doc = open_doc(client, workspace / "open" / "params.json", json.dumps(data, indent=2))
    items = await _complete(doc, _inside(doc, '"": 1', shift=1))
    assert {i.label for i in items} == {"condition", "else"}  # "then" is already there
    cond = next(i for i in items if i.label == "condition")
    assert cond.detail == "string · required"
    on_error = {i.label for i in await _complete(doc, _inside(doc, '"onError": "retry"', shift=13))}
    assert {"stopWorkflow", "continueRegularOutput", "continueErrorOutput", "retry"} == on_error
    doc.close()


async def test_definition_and_references_between_nodes_and_connections(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "nav.json", corpus_text(APPROVAL))
    target = _inside(doc, '"node": "validate-request"', shift=12)
    found = await client.text_document_definition_async(t.DefinitionParams(_ident(doc), target))
    assert isinstance(found, t.Location) and found.range == doc.range_of('"Validate Request Data"')
    trigger = await client.text_document_definition_async(
        t.DefinitionParams(_ident(doc), _inside(doc, '"nodeId": "trigger-webhook"', shift=13))
    )
    assert isinstance(trigger, t.Location) and trigger.range == doc.range_of('"Approval Request Received"')
    refs = await client.text_document_references_async(
        t.ReferenceParams(
            text_document=_ident(doc),
            position=_inside(doc, '"Validate Request Data"'),
            context=t.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None
    got = [r.range for r in refs]
    assert got[0] == doc.range_of('"Validate Request Data"')
    assert doc.range_of('"validate-request"', after='"connections"') in got  # the connection key
    assert doc.range_of('"validate-request"', nth=1, after='"connections"') in got or len(got) == 3
    doc.close()


async def test_rename_updates_every_connection_key_and_target(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "rename.json", corpus_text(BOOT))
    name = _inside(doc, '"Validate Version"')
    prepared = await client.text_document_prepare_rename_async(t.PrepareRenameParams(_ident(doc), name))
    assert isinstance(prepared, t.PrepareRenamePlaceholder)
    assert prepared.placeholder == "Validate Version" and prepared.range == doc.range_of("Validate Version")
    edit = await client.text_document_rename_async(t.RenameParams(_ident(doc), name, "Check Version"))
    assert edit is not None
    doc.apply(edit)
    data = json.loads(doc.text)
    assert data["nodes"][1]["name"] == "Check Version"
    assert "Check Version" in data["connections"] and "Validate Version" not in data["connections"]
    assert data["connections"]["Load Config"]["main"]["0"][0]["node"] == "Check Version"
    assert await diagnostics(doc) == []
    doc.close()


async def test_prepare_rename_refuses_outside_node_names(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "norename.json", corpus_text(BOOT))
    for needle in ('"config.load"', '"load_config"', '"Validate Version"'):
        after = '"connections"' if needle == '"Validate Version"' else None
        pos = _inside(doc, needle, after=after)
        assert await client.text_document_prepare_rename_async(t.PrepareRenameParams(_ident(doc), pos)) is None
    with pytest.raises(Exception, match="already exists"):
        await client.text_document_rename_async(
            t.RenameParams(_ident(doc), _inside(doc, '"Validate Version"'), "Load Config")
        )
    doc.close()


async def test_symbols_list_triggers_nodes_in_execution_order_and_variables(
    client: LanguageClient, workspace: Path
) -> None:
    doc = open_doc(client, workspace / "open" / "symbols.json", corpus_text(APPROVAL))
    tree = await client.text_document_document_symbol_async(t.DocumentSymbolParams(_ident(doc)))
    assert tree and all(isinstance(s, t.DocumentSymbol) for s in tree)
    groups = {s.name: s for s in tree}  # type: ignore[union-attr]
    assert set(groups) == {"triggers", "nodes", "variables"}
    assert [c.name for c in groups["triggers"].children or []] == ["webhook → trigger-webhook"]
    nodes = groups["nodes"].children or []
    assert [n.name for n in nodes[:3]] == [
        "Approval Request Received",
        "Validate Request Data",
        "Run Parallel Validations",
    ]
    assert nodes[-1].name == "Return Result" and nodes[0].detail == "webhook-trigger · step 1"
    assert all(n.selection_range.start.line >= n.range.start.line for n in nodes)
    assert [v.detail for v in groups["variables"].children or []] == ["string", "number"]
    doc.close()


async def test_inlay_hints_show_the_step_and_code_lens_the_edges(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "hints.json", corpus_text(BOOT))
    whole = t.Range(t.Position(0, 0), doc.position(len(doc.text)))
    hints = await client.text_document_inlay_hint_async(t.InlayHintParams(_ident(doc), whole))
    assert [h.label for h in hints or []] == ["step 1", "step 2", "step 3", "step 4", "step 5"]
    first = (hints or [])[0]
    assert first.position == doc.position(doc.find('"Load Config"') + len('"Load Config"'))
    lenses = await client.text_document_code_lens_async(t.CodeLensParams(_ident(doc)))
    titles = [lens.command.title for lens in lenses or [] if lens.command]
    assert titles == ["0 in · 1 out", "1 in · 1 out", "1 in · 1 out", "1 in · 1 out", "1 in · 0 out"]
    doc.close()


async def test_features_stay_out_of_other_json(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(
        client,
        workspace / "open" / "package.json",
        json.dumps({"name": "x", "nodes": [{"type": "logic.if"}], "connections": {}}),
    )
    assert await client.text_document_hover_async(t.HoverParams(_ident(doc), _inside(doc, '"logic.if"'))) is None
    assert await client.text_document_document_symbol_async(t.DocumentSymbolParams(_ident(doc))) is None
    doc.close()
