"""Node types classified by namespace, and did-you-mean for unknown ones: once per distinct value, bounded in work."""

from __future__ import annotations

import difflib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.rules import types
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings

N8N_CORPUS = ROOT.parent / "shared" / "corpus" / "n8n"


def _doc(node_types: list[str], names: list[str] | None = None, connections: dict[str, Any] | None = None) -> str:
    names = names or [f"N{i}" for i in range(len(node_types))]
    nodes = [
        {"id": f"n{i}", "name": name, "type": t, "typeVersion": 1, "position": [0, 0], "parameters": {}}
        for i, (t, name) in enumerate(zip(node_types, names, strict=True))
    ]
    return json.dumps({"name": "w", "tenantId": "acme", "nodes": nodes, "connections": connections or {}}, indent=2)


def _type_findings(text: str, loader: WorkflowLoader | None = None) -> list[tuple[str, str, str]]:
    result = (loader or WorkflowLoader()).validate_text(text)
    return [
        (f.code, f.severity.label, f.message)
        for f in result.findings
        if f.code in ("INVALID_NODE_TYPE", "UNIMPLEMENTED_NODE_TYPE")
    ]


def _n8n_corpus_types() -> set[str]:
    files = sorted(N8N_CORPUS.glob("*.json"))
    assert len(files) == 174, f"expected the n8n corpus at {N8N_CORPUS}"
    found: set[str] = set()
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # two exports are not valid JSON as published
        for node in data.get("nodes", []) if isinstance(data, dict) else []:
            if isinstance(node, dict) and isinstance(node.get("type"), str):
                found.add(node["type"])
    return found


def test_every_n8n_namespace_type_is_information_never_an_error() -> None:
    """The README's promise: n8n's node types (built-in, AI, community) are known, just not runnable, seen before or
    not."""
    seen = sorted(_n8n_corpus_types())
    assert len(seen) > 150 and "n8n-nodes-base.set" in seen
    made_up = [
        "n8n-nodes-base.set",
        "n8n-nodes-base.code",
        "n8n-nodes-base.if",
        "n8n-nodes-base.merge",
        "n8n-nodes-base.someFutureNode",
    ]
    made_up += [
        "@n8n/n8n-nodes-langchain.agent",
        "n8n-nodes-acme.widget",
        "@acme/n8n-nodes-tools.doThing",
        "metabuilder.somethingNew",
    ]
    all_types = seen + made_up
    findings = _type_findings(_doc(all_types))
    assert [(code, severity) for code, severity, _ in findings] == [("UNIMPLEMENTED_NODE_TYPE", "information")] * len(
        all_types
    )


@pytest.mark.parametrize(
    "type_id",
    [
        "n8n-nodes-base.",
        "n8n-nodes-base.has space",
        "n8n-nodes-base",
        "N8N-NODES-BASE.set",
        "n8n-nodes-.x",
        "metabuilder.",
        "@n8n/.agent",
        "custom.widget",
    ],
)
def test_malformed_or_foreign_types_outside_the_namespaces_are_errors(type_id: str) -> None:
    assert [code for code, _, _ in _type_findings(_doc([type_id]))] == ["INVALID_NODE_TYPE"]


def test_the_oracle_profile_reports_no_type_findings() -> None:
    """The real validator checks only that `type` is a non-empty string (spec §2.1 N4)."""
    text = _doc(["n8n-nodes-base.set", "custom.widget", "logic.iff"])
    assert _type_findings(text, WorkflowLoader(Settings(profile="oracle"))) == []


def test_did_you_mean_is_computed_once_per_distinct_type_and_within_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1000-node document of 10 distinct unknown types compares each distinct one with the registry once (it used to
    run difflib over every registry id for every node); all distinct: only the first TYPE_GUESS_BUDGET get a guess."""
    compared: list[str] = []
    real = difflib.SequenceMatcher.set_seq1

    def counting(self: difflib.SequenceMatcher[str], a: str) -> None:
        compared.append(a)
        real(self, a)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", counting)
    registry_size = len(load_registry().types)
    few = [f"logic.iff{k}" for k in range(10)]
    findings = _type_findings(_doc([few[i % 10] for i in range(1000)]), WorkflowLoader(registry=_fresh_registry()))
    assert len(findings) == 1000 and all("did you mean 'logic.if'?" in m for _, _, m in findings)
    assert len(compared) <= 10 * registry_size
    compared.clear()
    distinct = [f"logic.if{i:04d}" for i in range(1000)]
    findings = _type_findings(_doc(distinct), WorkflowLoader(registry=_fresh_registry()))
    hinted = [m for _, _, m in findings if "did you mean" in m]
    assert len(findings) == 1000 and len(hinted) == types.TYPE_GUESS_BUDGET
    assert all("logic.if0" in m for m in hinted)  # the first ones, in document order
    assert len(compared) <= types.TYPE_GUESS_BUDGET * registry_size


def test_suggestions_do_not_depend_on_what_was_validated_before() -> None:
    """The per-registry memory only saves work: the same document gets the same findings in a fresh and a warm run."""
    first = _doc([f"string.concat{i:03d}" for i in range(60)])
    second = _doc([f"string.concat{i:03d}" for i in reversed(range(60))])
    warm = WorkflowLoader(registry=_fresh_registry())
    warm.validate_text(first)
    assert _type_findings(second, warm) == _type_findings(second, WorkflowLoader(registry=_fresh_registry()))


def test_huge_look_alike_names_with_a_dangling_target_validate_fast() -> None:
    """Three 200 kB node names and a target naming none of them took 7 s (40 s on a loaded machine) in the
    did-you-mean subsequence filter, whose cost is the product of the lengths; words over 256 characters get none."""
    big = "A" * 200_000
    names = [big + str(i) for i in range(3)]
    text = _doc(["logic.if"] * 3, names, {names[0]: {"main": {"0": [{"node": big + "9", "type": "main", "index": 0}]}}})
    start = time.perf_counter()
    result = WorkflowLoader().validate_text(text)
    seconds = time.perf_counter() - start
    dangling = [f for f in result.findings if f.code == "INVALID_CONNECTION_TARGET_NODE"]
    assert len(dangling) == 1 and "did you mean" not in dangling[0].message
    assert seconds < 2.0, seconds


def test_a_huge_unknown_type_gets_no_suggestion_and_costs_little() -> None:
    start = time.perf_counter()
    findings = _type_findings(_doc(["logic.if" + "f" * 300_000, "n8n-nodes-base." + "a" * 300_000]))
    assert [code for code, _, _ in findings] == ["INVALID_NODE_TYPE", "INVALID_NODE_TYPE"]
    assert not any("did you mean" in m for _, _, m in findings)
    assert time.perf_counter() - start < 2.0


def _fresh_registry() -> Any:
    """A registry with nothing remembered yet (load_registry's is shared by the whole process)."""
    from wf_lsp.core.rules.registry import Registry

    shared = load_registry()
    return Registry(
        types=shared.types, unimplemented=shared.unimplemented, categories=shared.categories, digest=shared.digest
    )


def test_namespaces_are_documented() -> None:
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for namespace in ("n8n-nodes-base", "@n8n/n8n-nodes-langchain", "n8n-nodes-<name>", "metabuilder"):
        assert namespace in doc, namespace
    assert Path(ROOT / "README.md").read_text(encoding="utf-8").count("n8n-nodes-base") >= 1
