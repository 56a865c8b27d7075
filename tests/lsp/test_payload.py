"""Diagnostics written as JSON field by field equal the converter's output, keys and order included, and cost less."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.protocol import default_converter

from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.lsp.convert import DiagnosticStyle, over_limit, to_diagnostics, to_payload
from wf_lsp.lsp.payload import diagnostics_json

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
CONVERTER = default_converter()
STYLES = [DiagnosticStyle(), DiagnosticStyle(tags=False, related=False)]


def _texts() -> list[str]:
    files = sorted((CORPUS / "metabuilder").glob("*.json"))[::3] + sorted((CORPUS / "n8n").glob("*.json"))[::8]
    assert files, f"corpus not found at {CORPUS}"
    return [f.read_text(encoding="utf-8") for f in files]


def _same(diags: list[types.Diagnostic]) -> None:
    fast = diagnostics_json(diags, CONVERTER)
    slow = CONVERTER.unstructure(diags, list[types.Diagnostic])
    assert fast == slow
    assert json.dumps(fast) == json.dumps(slow)  # the same keys in the same order


@pytest.mark.parametrize("style", STYLES)
def test_corpus_diagnostics_are_written_as_the_converter_writes_them(style: DiagnosticStyle) -> None:
    loader = WorkflowLoader()
    seen = 0
    for text in _texts():
        diags = to_diagnostics(loader.validate_text(text), text, "file:///w.json", 3, "utf-16", style)
        _same(diags)
        seen += len(diags)
    assert seen > 100


def test_every_field_and_the_over_limit_diagnostic() -> None:
    rng = types.Range(types.Position(1, 2), types.Position(3, 4))
    full = types.Diagnostic(
        range=rng,
        message="m",
        severity=types.DiagnosticSeverity.Warning,
        code="X",
        code_description=types.CodeDescription(href="https://example.com/x"),
        source="wf-lsp",
        tags=[types.DiagnosticTag.Unnecessary, types.DiagnosticTag.Deprecated],
        related_information=[types.DiagnosticRelatedInformation(types.Location("file:///a", rng), "here")],
        data={"fixes": [{"title": "t", "edits": []}], "node": None},
    )
    bare = types.Diagnostic(range=rng, message="only")
    numbered = types.Diagnostic(range=rng, message="n", code=7)
    _same([full, bare, numbered])
    loader = WorkflowLoader()
    rest = loader.validate_text('{"nodes": [{}, {}], "connections": {}}').findings
    _same([over_limit(rest, 1, 5)])


def test_a_diagnostic_of_another_shape_goes_through_the_converter() -> None:
    rng = types.Range(types.Position(0, 0), types.Position(0, 1))
    odd = types.Diagnostic(range=rng, message="m", data=["a list", {"x": 1}])
    assert diagnostics_json([odd], CONVERTER) == CONVERTER.unstructure([odd], list[types.Diagnostic])


def test_a_thousand_diagnostics_cost_a_fraction_of_the_converter() -> None:
    nodes = [{"id": f"n{i}", "name": f"N{i}", "type": "no.such"} for i in range(1000)]
    text = json.dumps({"tenantId": "t", "nodes": nodes}, indent=2)
    result = WorkflowLoader().validate_text(text)
    diags = to_diagnostics(result, text, "file:///w.json", 1, "utf-16", DiagnosticStyle())
    assert len(diags) >= 1000

    def best(fn: object) -> float:
        times = []
        for _ in range(5):
            t0 = time.process_time()
            fn()  # type: ignore[operator]
            times.append(time.process_time() - t0)
        return min(times)

    fast = best(lambda: diagnostics_json(diags, CONVERTER))
    slow = best(lambda: CONVERTER.unstructure(diags, list[types.Diagnostic]))
    assert fast < slow / 2, (fast, slow)


def _payload_matches(text: str, style: DiagnosticStyle, encoding: str = "utf-16", limit: int = 0) -> int:
    result = WorkflowLoader().validate_text(text)
    objects = to_diagnostics(result, text, "file:///w.json", 4, encoding, style, limit=limit)
    direct = to_payload(result, text, "file:///w.json", 4, encoding, style, limit=limit)
    expected = CONVERTER.unstructure(objects, list[types.Diagnostic])
    assert direct == expected
    assert json.dumps(direct) == json.dumps(expected)  # the same keys in the same order
    return len(direct)


@pytest.mark.parametrize("style", STYLES)
def test_the_payload_written_from_findings_is_the_converters_json_of_the_diagnostics(style: DiagnosticStyle) -> None:
    """What a push client receives is built without LSP objects; it must be exactly what those objects convert to."""
    seen = sum(_payload_matches(text, style) for text in _texts())
    assert seen > 100


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_the_payload_counts_columns_in_the_clients_encoding_and_keeps_the_limit(encoding: str) -> None:
    nodes = [
        {"id": f"n{i}", "name": f"😀 é N{i}", "type": "no.such", "parameters": {"t": "𝄞" * (i % 3)}} for i in range(300)
    ]
    links = {
        f"😀 é N{i}": {"main": {"0": [{"node": f"gone {i}", "type": "main", "index": 0}]}} for i in range(0, 300, 7)
    }
    text = json.dumps({"tenantId": "t", "nodes": nodes, "connections": links}, indent=2, ensure_ascii=False)
    assert _payload_matches(text, DiagnosticStyle(), encoding) > 300
    assert _payload_matches(text, DiagnosticStyle(), encoding, limit=50) == 51  # 50, and one for the rest


@pytest.mark.parametrize("shape", ["errors_every", "errors10", "unknown_few"])
def test_the_payload_of_an_edited_document_reuses_what_did_not_move_and_equals_a_fresh_one(shape: str) -> None:
    """Typing in a document validated by real workers (findings travel as the server's held ones, moved): each
    version's payload equals the converter's JSON of freshly converted diagnostics, in a client encoding where
    columns differ (UTF-16, with astral characters typed); and most diagnostics take their JSON from the last payload
    (the same range object)."""
    import random

    from bench.gen import make
    from tests.lsp.test_workers import _typed
    from wf_lsp.lsp.workers import ProcessAnalyzer

    analyzer = ProcessAnalyzer(workers=1)
    loader = WorkflowLoader(analyzer=analyzer)
    rng = random.Random(shape)
    text, uri, path = make(300, shape), f"file:///ws/{shape}.json", f"/ws/{shape}.json"
    style = DiagnosticStyle()
    last: set[int] = set()
    reused = total = 0
    try:
        for version in range(40):
            if version:
                text = _typed(text, rng)
            result = loader.validate_text(text, path)
            payload = to_payload(result, text, uri, version, "utf-16", style, limit=250)
            fresh = to_diagnostics(result, text, uri, version, "utf-16", style, limit=250)
            expected = CONVERTER.unstructure(fresh, list[types.Diagnostic])
            assert payload == expected
            assert json.dumps(payload) == json.dumps(expected)
            reused += sum(id(d["range"]) in last for d in payload)
            total += len(payload)
            last = {id(d["range"]) for d in payload}
    finally:
        analyzer.shutdown()
    assert reused > total // 3, (reused, total)


def test_a_moved_finding_whose_fix_edit_is_on_the_edited_line_is_converted_anew() -> None:
    """A finding moved by an edit that added no line keeps its last JSON only when each fix edit is before the edit or
    on a line after it; one on the edit's own line, after it, has another column now."""
    from wf_lsp.core.findings import Finding, Fix, Position, Span, TextEdit
    from wf_lsp.core.result import Result
    from wf_lsp.core.reuse import Edit
    from wf_lsp.lsp import convert

    text = "0123456789\n" * 6  # lines of 11 characters
    edit = Edit(start=13, old_end=13, new_end=14, lines=0, plain_lines=True)  # one character typed on line 1

    def moved_pair(fix_at: int) -> tuple[Finding, Finding]:
        span = Span(Position(4, 2, 46), Position(4, 5, 49))
        old = Finding("X", "m", "p", ("nodes", 1), span=span, fixes=[Fix("t", (TextEdit(fix_at, fix_at + 1, "y"),))])
        moved = edit.moved(old)
        assert moved is not None
        return old, moved

    for fix_at, kept in ((16, False), (3, True), (35, True)):  # line 1 after the edit; line 0; line 3
        old, moved = moved_pair(fix_at)
        mapper = convert.PositionMapper(text, "utf-16")
        last = {id(old): convert._new_parts(old, mapper, "file:///t.json", DiagnosticStyle())}
        result = Result([moved], True, "", {}, 0.0, False, (edit, {id(moved): old}))
        got = convert._Same(result, text, last).parts(moved)
        assert (got is not None) is kept, fix_at
