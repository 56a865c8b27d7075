"""Finding spans are the same whichever way they are located: full walk, indentation index or full-scan index."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import corpus_files
from wf_lsp.core import engine
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings

REGISTRY = load_registry(())


def _spans(text: str, monkeypatch: pytest.MonkeyPatch, skeleton_min: int, pointers: int) -> list[Any]:
    monkeypatch.setattr(engine, "SKELETON_MIN", skeleton_min)
    monkeypatch.setattr(engine, "SKELETON_POINTERS", pointers)
    found = engine.analyze(text, Settings(), REGISTRY).findings
    return [(f.code, f.span, [r.span for r in f.related], [x.edits for x in f.fixes]) for f in found]


def _variants(value: dict[str, Any]) -> list[str]:
    value = json.loads(json.dumps(value))
    nodes = value.get("nodes")
    if isinstance(nodes, list) and len(nodes) > 1 and isinstance(nodes[-1], dict) and isinstance(nodes[0], dict):
        nodes[-1]["name"] = nodes[0].get("name")  # a duplicate name at the far end
        nodes[-1]["type"] = "logic.iff"
    return [json.dumps(value, indent=2), json.dumps(value, indent=4), json.dumps(value), json.dumps(value, indent="\t")]


@pytest.mark.parametrize("path", corpus_files()[::6], ids=lambda p: p.stem[:50])
def test_walk_and_both_indexes_place_findings_identically(path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for text in _variants(json.loads(path.read_text())):
        walk = _spans(text, monkeypatch, 10**12, 0)
        assert (
            _spans(text, monkeypatch, 0, 10**6) == walk
        )  # indentation index (or a walk where the layout does not fit)
        assert _spans(text, monkeypatch, 0, 0) == walk  # with the full-scan index allowed
