"""The workflow graph as one model for pictures and editors: nodes in plan order, typed edges, triggers, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from wf_lsp.core.findings import Finding, Severity
from wf_lsp.core.n8n.dialect import STICKY_NOTE
from wf_lsp.core.plan import Graph, Link, Plan, build_graph, plan_levels
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings


@dataclass(frozen=True, slots=True)
class NodeFinding:
    """A finding as a graph node carries it."""

    code: str
    severity: Severity
    message: str

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {"code": self.code, "severity": self.severity.label, "message": self.message}


@dataclass(slots=True)
class GraphNode:
    """One node: where it sits in `nodes`, what it is called, its type, its plan step and its findings."""

    index: int
    name: str
    id: str | None
    type: str | None
    #: 1-based step of the execution plan (nodes with the same step may run in parallel); None when not planned
    step: int | None
    trigger: bool = False
    start: bool = False
    unreachable: bool = False
    cyclic: bool = False
    findings: list[NodeFinding] = field(default_factory=list)

    @property
    def severity(self) -> Severity | None:
        """The worst severity among its findings."""
        return min((f.severity for f in self.findings), default=None)

    @property
    def codes(self) -> list[str]:
        """Distinct codes of its error and warning findings, worst first, in order of appearance."""
        out: list[str] = []
        for f in sorted(self.findings, key=lambda f: f.severity):
            if f.severity <= Severity.WARNING and f.code not in out:
                out.append(f.code)
        return out

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        worst = self.severity
        return {
            "index": self.index,
            "name": self.name,
            "id": self.id,
            "type": self.type,
            "step": self.step,
            "trigger": self.trigger,
            "start": self.start,
            "unreachable": self.unreachable,
            "cyclic": self.cyclic,
            "severity": worst.label if worst is not None else None,
            "findings": [f.to_json() for f in self.findings],
        }


@dataclass(slots=True)
class WorkflowGraph:
    """Nodes in plan order (levels, then nodes on cycles, then unreachable nodes), every link, and what is off."""

    nodes: list[GraphNode]
    links: list[Link]
    levels: list[list[int]]
    triggers: list[int]
    unreachable: list[int]
    cyclic: list[int]
    #: findings that belong to no node (the workflow's tenant, a syntax error, ...)
    workflow_findings: list[NodeFinding]
    key_mode: str = "auto"

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form of `wf-lsp graph --format json` and the `wf.graph` command."""
        cyclic = set(self.cyclic)
        return {
            "keyMode": self.key_mode,
            "nodes": [n.to_json() for n in self.nodes],
            "edges": [
                {
                    "source": link.source,
                    "target": link.target,
                    "sourceRef": link.source_ref,
                    "targetRef": link.target_ref,
                    "type": link.type,
                    "output": link.output,
                    "input": link.input,
                    "resolved": link.source is not None and link.target is not None,
                    "cyclic": link.source in cyclic and link.target in cyclic,
                }
                for link in self.links
            ],
            "levels": self.levels,
            "triggers": self.triggers,
            "unreachable": self.unreachable,
            "cyclic": self.cyclic,
            "workflowFindings": [f.to_json() for f in self.workflow_findings],
        }


def key_mode_of(profile: str, connection_keys: str) -> str:
    """The key mode of a profile and a connectionKeys setting, as `Settings.key_mode` decides it."""
    return Settings(profile=cast(Any, profile), connection_keys=cast(Any, connection_keys)).key_mode


def build(
    value: Any,
    result: Result | None = None,
    key_mode: str = "auto",
    resolved: tuple[Graph, Plan] | None = None,
) -> WorkflowGraph:
    """The graph of a parsed workflow, with the findings of its validation result on the nodes they concern
    (`resolved`: the value's graph and plan, when the caller has them already)."""
    graph, plan = resolved if resolved is not None else (build_graph(value, key_mode), None)
    plan = plan if plan is not None else plan_levels(graph)
    steps = plan.step_of()
    triggers, starts = set(graph.triggers), set(graph.starts)
    unreachable, cyclic = set(plan.unreachable), set(plan.cyclic)
    by_index: dict[int, GraphNode] = {}
    # n8n sub-nodes (joined to their root by `ai_*` connections) are outside the plan, but drawn: after the plan's.
    sub_nodes = [
        i
        for i in sorted(graph.outside)
        if isinstance(graph.nodes[i], dict) and graph.nodes[i].get("type") != STICKY_NOTE
    ]
    for i in [i for level in plan.levels for i in level] + plan.cyclic + plan.unreachable + sub_nodes:
        node = graph.nodes[i]
        if i in by_index or not isinstance(node, dict):
            continue
        by_index[i] = GraphNode(
            index=i,
            name=graph.label(i),
            id=_text(node.get("id")),
            type=_text(node.get("nodeType")) or _text(node.get("type")),
            step=steps[i] + 1 if i in steps else None,
            trigger=i in triggers,
            start=i in starts,
            unreachable=i in unreachable,
            cyclic=i in cyclic,
        )
    loose: list[NodeFinding] = []
    for f in result.findings if result is not None else []:
        owner = _owner(f, graph, by_index)
        (by_index[owner].findings if owner is not None else loose).append(NodeFinding(f.code, f.severity, f.message))
    return WorkflowGraph(
        nodes=list(by_index.values()),
        links=graph.links,
        levels=plan.levels,
        triggers=[i for i in graph.triggers if i in by_index],
        unreachable=plan.unreachable,
        cyclic=plan.cyclic,
        workflow_findings=loose,
        key_mode=key_mode,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _owner(f: Finding, graph: Graph, nodes: dict[int, GraphNode]) -> int | None:
    """The node a finding concerns: the node it sits in, the source of the connection it sits in, a trigger's node."""
    ptr = f.pointer
    if len(ptr) >= 2 and ptr[0] == "nodes" and isinstance(ptr[1], int):
        return ptr[1] if ptr[1] in nodes else None
    if len(ptr) >= 2 and ptr[0] == "connections":
        index = graph.resolve(ptr[1])
        return index if index in nodes else None
    if len(ptr) >= 2 and ptr[0] == "triggers" and isinstance(ptr[1], int):
        index = graph.trigger_refs[ptr[1]] if ptr[1] < len(graph.trigger_refs) else None
        return index if index in nodes else None
    return None


def of_text(
    text: str, result: Result | None = None, key_mode: str = "auto", max_bytes: int | None = None
) -> WorkflowGraph:
    """The graph of a workflow text (parsed leniently, as the engine does: broken text is repaired first)."""
    from wf_lsp.core.parse.document import parse

    return build(parse(text, max_bytes).value, result, key_mode)
