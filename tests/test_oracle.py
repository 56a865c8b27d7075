"""Profile `oracle` reproduces the real MetaBuilder validator on all 91 corpus files (spec/oracle-verdicts.json)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import SPEC, corpus_files
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings

VERDICTS = json.loads((SPEC / "oracle-verdicts.json").read_text())
LOADER = WorkflowLoader(Settings(profile="oracle", connection_keys="name"))


def test_every_corpus_file_has_a_verdict() -> None:
    assert sorted(p.name for p in corpus_files()) == sorted(VERDICTS)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem[:60])
def test_oracle_profile_matches_the_real_validator(path: Path) -> None:
    verdict = VERDICTS[path.name]
    result = LOADER.validate_text(path.read_bytes(), str(path))
    want = Counter((e["code"], e["path"], "error", e["message"]) for e in verdict["errors"])
    want += Counter((w["code"], w["path"], "warning", w["message"]) for w in verdict["warnings"])
    got = Counter((f.code, f.path, f.severity.label, f.message) for f in result.findings)
    assert got == want
    assert result.valid is verdict["valid"]
    assert all(f.span is not None for f in result.findings)


def test_the_real_validators_crash_inputs_become_structural_diagnostics() -> None:
    cases = {
        '{"tenantId": "t", "connections": {}}': "INVALID_NODES",
        '{"tenantId": "t", "nodes": [null], "connections": {}}': "INVALID_NODE",
        '{"tenantId": "t", "nodes": [{"id": 7, "name": "a", "type": "x"}], "connections": {}}': (
            "INVALID_NODE_FIELD_TYPE"
        ),
        (
            '{"tenantId": "t", "nodes": [{"id": "a", "name": "A", "type": "x"}], '
            '"connections": {"A": {"main": {"0": [null]}}}}'
        ): "INVALID_CONNECTION_TARGET",
        '{"tenantId": "t", "nodes": [], "connections": {}, "variables": {"v": null}}': "INVALID_VARIABLE_DEFINITION",
        (
            '{"tenantId": "t", "nodes": [], "connections": {}, '
            '"variables": {"v": {"type": "string", "validation": {"pattern": 3}}}}'
        ): "INVALID_VARIABLE_VALIDATION",
    }
    for text, code in cases.items():
        assert code in {f.code for f in LOADER.validate_text(text).findings}, text
