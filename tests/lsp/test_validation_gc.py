"""A worker converts thousands of findings with the cyclic collector paused, and leaves it as it found it."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from lsprotocol.converters import get_converter

from wf_lsp.core import loader
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import validation
from wf_lsp.lsp.convert import DiagnosticStyle
from wf_lsp.lsp.validation import ValidationJob, validate


def _errors_everywhere(n: int) -> str:
    nodes = [{"id": f"n{i}", "name": f"Node {i}", "type": "", "typeVersion": 1, "position": [0, 0]} for i in range(n)]
    return json.dumps({"name": "w", "nodes": nodes, "connections": {}}, indent=2)


def _job(text: str) -> ValidationJob:
    return ValidationJob(
        "file:///w.json", 1, text, None, True, True, WorkflowLoader(Settings(max_diagnostics=0)), "utf-16",
        DiagnosticStyle(), 0, converter=get_converter(),
    )  # fmt: skip


def _watch(monkeypatch: pytest.MonkeyPatch, name: str, seen: list[tuple[str, bool]]) -> None:
    real = getattr(validation, name)

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append((name, gc.isenabled()))
        return real(*args, **kwargs)

    monkeypatch.setattr(validation, name, watched)


def test_conversion_runs_without_the_collector_and_it_is_back_after(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, bool]] = []
    _watch(monkeypatch, "to_diagnostics", seen)
    _watch(monkeypatch, "to_payload", seen)
    done = validate(_job(_errors_everywhere(3000)))
    assert seen == [("to_payload", False)]  # a push client's diagnostics: JSON only, LSP objects not made yet
    assert gc.isenabled()
    assert len(done.diagnostics) >= 3000  # made on first use (a code action, a pull), also with the collector paused
    assert done.payload is not None and len(done.payload) == len(done.diagnostics)
    assert seen == [("to_payload", False), ("to_diagnostics", False)]
    assert done.diagnostics is done.diagnostics  # made once
    assert gc.isenabled()


def test_a_paused_caller_stays_paused() -> None:
    gc.disable()
    try:
        validate(_job(_errors_everywhere(3)))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_summary_reads_the_parsed_value_without_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run keeps its parsed value for the summary; no collection walks that tree before it is dropped."""
    seen: list[bool] = []
    real = loader.summarize

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "summarize", watched)
    result = WorkflowLoader(Settings()).validate_text(_errors_everywhere(50))
    assert seen == [False]
    assert result.findings
    assert gc.isenabled()
