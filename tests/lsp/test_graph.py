"""The graph over the real server: the `wf.graph` command (model, node ranges, Mermaid) and hover's graph place."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import APPROVAL, BOOT, Doc, command, corpus_text, diagnostics, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _hover(doc: Doc, needle: str, shift: int = 3) -> str:
    pos = doc.position(doc.find(needle) + shift)
    result = await doc.client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(doc.uri), pos))
    assert result is not None and isinstance(result.contents, t.MarkupContent)
    return result.contents.value


async def test_graph_of_an_open_document_marks_the_planted_problem(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"node": "Validate Schema"', '"node": "Validate Schemaa"')
    doc = open_doc(client, workspace / "open" / "graph1.json", text)
    assert await diagnostics(doc)
    out = await command(client, "wf.graph", doc.uri)
    assert out["errors"] == [] and out["valid"] is False and out["version"] == 1
    nodes = out["graph"]["nodes"]
    # cut off from its input, "Validate Schema" starts a second chain: nodes come in plan order
    order = [(n["name"], n["step"]) for n in nodes]
    assert order == [
        ("Load Config", 1),
        ("Validate Schema", 1),
        ("Validate Version", 2),
        ("Build Runtime Config", 2),
        ("Migrate Version", 3),
    ]
    bad = next(n for n in nodes if n["name"] == "Migrate Version")
    assert bad["severity"] == "error" and [f["code"] for f in bad["findings"]] == ["INVALID_CONNECTION_TARGET_NODE"]
    # the dangling edge and its stand-in, in the model and in the Mermaid text
    assert any(e["targetRef"] == "Validate Schemaa" and e["target"] is None for e in out["graph"]["edges"])
    assert (
        out["mermaid"].startswith("flowchart LR\n")
        and "class n2 error" in out["mermaid"]
        and "? Validate Schemaa" in out["mermaid"]
    )
    # every node carries its range in the client's encoding: the name range covers the name's string
    name_range = bad["nameRange"]
    start = doc.offset(t.Position(**name_range["start"]))
    end = doc.offset(t.Position(**name_range["end"]))
    assert doc.text[start:end] == '"Migrate Version"'
    rng = bad["range"]
    assert (
        doc.text[doc.offset(t.Position(**rng["start"]))] == "{"
        and doc.text[doc.offset(t.Position(**rng["end"])) - 1] == "}"
    )
    doc.close()


async def test_graph_follows_unsaved_edits(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "graph2.json", corpus_text(BOOT))
    first = await command(client, "wf.graph", doc.uri)
    assert first["valid"] is True and "error" not in first["mermaid"]
    at = doc.find('"name": "Migrate Version"') + len('"name": "')
    doc.replace(at, at + len("Migrate Version"), "Load Config")
    second = await command(client, "wf.graph", {"uri": doc.uri})
    assert second["version"] == 2 and second["valid"] is False
    dup = [n for n in second["graph"]["nodes"] if "DUPLICATE_NODE_NAME" in [f["code"] for f in n["findings"]]]
    assert [n["index"] for n in dup] == [2]
    error_line = next(line for line in second["mermaid"].splitlines() if line.endswith(" error") and "class " in line)
    assert "n2" in error_line.split()[1].split(",")
    doc.close()


async def test_graph_of_a_file_on_disk(client: LanguageClient, workspace: Path) -> None:
    out = await command(client, "wf.graph", (workspace / APPROVAL).as_uri())
    g = out["graph"]
    assert out["valid"] is True and g["triggers"] == [0] and g["nodes"][0]["trigger"] is True
    assert [n["step"] for n in g["nodes"]] == sorted(n["step"] for n in g["nodes"])
    fraud = next(n for n in g["nodes"] if n["name"] == "Run Fraud Detection")
    assert fraud["severity"] == "warning" and fraud["range"] is not None
    assert {(e["type"], e["source"], e["target"]) for e in g["edges"]} >= {("error", 1, 9), ("parameter", 2, 5)}
    assert "class n5 warning" in out["mermaid"]


async def test_graph_refuses_without_a_document(client: LanguageClient, workspace: Path) -> None:
    for args in ([], [42], [(workspace / "nope.json").as_uri()]):
        out = await command(client, "wf.graph", *args)
        assert out["graph"] is None and out["errors"][0]["code"] == "NO_DOCUMENT"


async def test_hover_on_a_node_shows_its_inputs_outputs_and_plan_step(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "graph3.json", corpus_text(APPROVAL))
    shown = await _hover(doc, '"Validate Request Data"')
    assert "- Inputs: `Approval Request Received`" in shown
    assert "- Outputs: `Run Parallel Validations`, `Notify on Validation Failure` (error)" in shown
    assert "- Plan: step 2 of 7" in shown
    parallel = await _hover(doc, '"Run Parallel Validations"')
    assert "`Check Available Budget` (parameter)" in parallel and "- Plan: step 3 of 7" in parallel
    doc.close()


async def test_hover_shows_cycles_and_missing_targets(client: LanguageClient, workspace: Path) -> None:
    text = corpus_text(BOOT).replace('"node": "Validate Schema"', '"node": "Validate Version"')
    doc = open_doc(client, workspace / "open" / "graph4.json", text)
    shown = await _hover(doc, '"name": "Migrate Version"', shift=10)
    assert "on a cycle" in shown and "- Outputs: `Validate Version`" in shown and "- Plan:" not in shown
    doc.close()
    text = corpus_text(BOOT).replace('"node": "Validate Schema"', '"node": "No `such` node"')
    doc = open_doc(client, workspace / "open" / "graph5.json", text)
    shown = await _hover(doc, '"name": "Migrate Version"', shift=10)
    assert "- Outputs: ``No `such` node (no such node)``" in shown
    doc.close()
