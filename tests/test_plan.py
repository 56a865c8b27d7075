"""Execution plans: Kahn levels from the triggers, over name- or id-keyed connections and parameter references."""

from __future__ import annotations

import json

from tests.helpers import CORPUS
from wf_lsp.core.plan import build_graph, execution_plan


def _wf(nodes: list[str], edges: list[tuple[str, str]], triggers: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    conns: dict = {}  # type: ignore[type-arg]
    for src, dst in edges:
        conns.setdefault(src, {"main": {"0": []}})["main"]["0"].append({"node": dst, "type": "main", "index": 0})
    wf = {"nodes": [{"id": n.lower(), "name": n, "type": "x"} for n in nodes], "connections": conns}
    if triggers is not None:
        wf["triggers"] = [{"nodeId": t, "kind": "manual"} for t in triggers]
    return wf


def test_levels_put_a_join_after_all_its_inputs() -> None:
    plan = execution_plan(_wf(["A", "B", "C", "D"], [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")]))
    assert plan.levels == [[0], [1, 2], [3]] and plan.unreachable == [] and plan.cyclic == []


def test_triggers_choose_the_start_and_the_rest_is_unreachable() -> None:
    plan = execution_plan(_wf(["A", "B", "C"], [("A", "B")], triggers=["b"]))
    assert plan.levels == [[1]] and plan.unreachable == [0, 2]


def test_cycles_are_left_out_of_the_levels() -> None:
    plan = execution_plan(_wf(["A", "B", "C"], [("A", "B"), ("B", "C"), ("C", "B")], triggers=["a"]))
    assert plan.levels == [[0]] and plan.cyclic == [1, 2]


def test_key_modes() -> None:
    wf = _wf(["A", "B"], [("a", "b")])
    assert execution_plan(wf, "name").levels == [[0, 1]]  # ids do not resolve by name: two unconnected starts
    assert execution_plan(wf, "id").levels == [[0], [1]]
    assert build_graph(wf, "name").edges == [] and build_graph(wf, "id").edges == [(0, 1)]


def test_a_real_parallel_workflow() -> None:
    wf = json.loads((CORPUS / "packages__examples__workflows__complex_approval_flow.workflow.json").read_text())
    graph = build_graph(wf)
    plan = execution_plan(wf)
    names = [[graph.label(i) for i in level] for level in plan.levels]
    assert names[0] == ["Approval Request Received"] and names[-1] == ["Return Result"]
    assert {"Check Available Budget", "Verify User Permissions", "Run Fraud Detection"} <= set(names[3])
    assert plan.unreachable == [] and sum(map(len, names)) == len(wf["nodes"])


def test_n8n_plan_follows_main_connections_only() -> None:
    """n8n: AI sub-nodes feed their root through ai_* connections and are not steps; sticky notes are not nodes."""
    wf = {
        "meta": {"instanceId": "x"},
        "nodes": [
            {"name": "Chat", "type": "@n8n/n8n-nodes-langchain.chatTrigger"},
            {"name": "Agent", "type": "@n8n/n8n-nodes-langchain.agent"},
            {"name": "Model", "type": "@n8n/n8n-nodes-langchain.lmChatOpenAi"},
            {"name": "Note", "type": "n8n-nodes-base.stickyNote"},
            {"name": "Reply", "type": "n8n-nodes-base.set"},
        ],
        "connections": {
            "Chat": {"main": [[{"node": "Agent", "type": "main", "index": 0}]]},
            "Model": {"ai_languageModel": [[{"node": "Agent", "type": "ai_languageModel", "index": 0}]]},
            "Agent": {"main": [[{"node": "Reply", "type": "main", "index": 0}], None]},
        },
    }
    plan = execution_plan(wf)
    assert plan.levels == [[0], [1], [4]] and plan.unreachable == [] and plan.cyclic == []
    as_metabuilder = execution_plan(wf, dialect="metabuilder")
    assert as_metabuilder.levels[0] == [0, 2, 3]
