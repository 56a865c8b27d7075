"""The seed guide's own workflow-loader-v2.test.ts examples, under the default profile."""

from __future__ import annotations

import threading
from pathlib import Path

from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import CacheSettings, Settings


def _wf(**over: object) -> dict:
    base = {
        "id": "wf-1",
        "tenantId": "tenant-1",
        "name": "Test Workflow",
        "nodes": [{"id": "node-1", "name": "Start", "type": "trigger", "parameters": {}}],
        "connections": {},
        "triggers": [],
        "variables": {},
    }
    base.update(over)
    return base


def _loader() -> WorkflowLoader:
    return WorkflowLoader(Settings(cache=CacheSettings(ttl_seconds=60)))


def test_validates_a_valid_workflow() -> None:
    result = _loader().validate_workflow(_wf())
    assert result.valid and result.errors == []


def test_catches_duplicate_node_names() -> None:
    nodes = [
        {"id": "n-1", "name": "Start", "type": "trigger", "parameters": {}},
        {"id": "n-2", "name": "Start", "type": "action", "parameters": {}},
    ]
    result = _loader().validate_workflow(_wf(nodes=nodes))
    assert not result.valid
    assert any(e.code == "DUPLICATE_NODE_NAME" for e in result.errors)


def test_uses_cache_on_repeat_validation() -> None:
    loader = _loader()
    first = loader.validate_workflow(_wf())
    second = loader.validate_workflow(_wf())
    assert first.cache_hit is False and second.cache_hit is True
    assert second.summary["metrics"]["cacheHit"] is True and loader.stats()["hits"] == 1


def test_invalidates_cache_when_asked() -> None:
    loader = _loader()
    text = '{"id": "wf-1", "tenantId": "tenant-1", "nodes": [], "connections": {}}'
    loader.validate_text(text)
    assert loader.invalidate(text) == 1
    assert loader.validate_text(text).cache_hit is False


def test_validates_a_batch() -> None:
    import json

    wfs = [_wf(id="wf-1", name="Test 1"), _wf(id="wf-2", name="Test 2")]
    results = _loader().validate_batch([(None, json.dumps(w)) for w in wfs])
    assert len(results) == 2 and all(r.valid for r in results)


def test_returns_workflow_diagnostics() -> None:
    wf = _wf(
        nodes=[
            {"id": "n-1", "name": "Start", "type": "trigger", "parameters": {}},
            {"id": "n-2", "name": "Action", "type": "action", "parameters": {}},
        ],
        connections={"n-1": {"main": {"0": [{"node": "n-2"}]}}},
        variables={"var1": {"type": "string", "defaultValue": "test"}},
    )
    import json

    d = _loader().get_diagnostics(json.dumps(wf))
    assert d["workflowId"] == "wf-1" and d["nodeCount"] == 2 and d["connectionCount"] == 1 and d["variableCount"] == 1
    assert d["validation"]["valid"] is True  # id-keyed connections are fine under the default `auto` keys


def test_concurrent_requests_for_the_same_text_share_one_run() -> None:
    loader = _loader()
    text = (Path(__file__).parent / "data" / "ok" / "valid_default.json").read_text()
    barrier = threading.Barrier(8)
    results = []

    def go() -> None:
        barrier.wait()
        results.append(loader.validate_text(text))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = loader.stats()
    assert len(results) == 8 and stats["validations"] == 1
    assert stats["hits"] + stats["inflightShared"] == 7
