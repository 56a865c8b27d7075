"""Execution plans: the order a workflow's DAG runs in, level by level from its triggers (Kahn's algorithm)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wf_lsp.core.fix.fixes import iter_targets
from wf_lsp.core.n8n import dialect as n8n_dialect
from wf_lsp.core.n8n.dialect import STICKY_NOTE
from wf_lsp.core.rules import noderefs
from wf_lsp.core.rules.graph import parameter_references


@dataclass(frozen=True, slots=True)
class Link:
    """One connection as written: its source and target (node indices, None when the reference names no node),
    the references' text, the connection type (`main`, n8n's `ai_tool`, ...; `parameter` for a node's parameters
    naming another), the source's output index and the target's input index."""

    source: int | None
    target: int | None
    source_ref: str
    target_ref: str
    type: str
    output: int | str
    input: int | None = None


@dataclass(slots=True)
class Graph:
    """A workflow's nodes and resolved edges (node indices), and where execution starts."""

    nodes: list[Any]
    edges: list[tuple[int, int]] = field(default_factory=list)
    #: every connection target and parameter reference, resolved or not (edges are the resolved ones)
    links: list[Link] = field(default_factory=list)
    #: node indices the triggers name (starts falls back to nodes without inputs when there are none)
    triggers: list[int] = field(default_factory=list)
    #: the node each entry of the workflow's `triggers` names, in order (None when it names none)
    trigger_refs: list[int | None] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    #: first node index of each string name and id
    names: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    key_mode: str = "auto"
    #: nodes outside the execution graph: n8n sticky notes, and AI sub-nodes that only feed a root node's ai_* inputs
    outside: set[int] = field(default_factory=set)

    def resolve(self, ref: Any) -> int | None:
        """Index of the node a connection key or target names, by the key mode (auto: names first, then ids)."""
        return noderefs.resolve(ref, self.names, self.ids, self.key_mode)

    def label(self, index: int) -> str:
        """A node's name, else its id, else its position."""
        return noderefs.label(self.nodes, index)


@dataclass(slots=True)
class Plan:
    """Levels of node indices (each level may run in parallel), plus nodes no start reaches and nodes on cycles."""

    levels: list[list[int]]
    unreachable: list[int]
    cyclic: list[int]

    def step_of(self) -> dict[int, int]:
        """Node index -> 0-based level."""
        return {i: k for k, level in enumerate(self.levels) for i in level}


def build_graph(workflow: Any, key_mode: str = "auto", dialect: str = "auto") -> Graph:
    """Resolve a parsed workflow's connections and triggers to node indices.

    In the n8n dialect only `main` connections are execution edges (sub-nodes feed their root through `ai_*`
    connections and run when it calls them), connections are keyed by name, and sticky notes are not nodes of the graph.
    """
    wf = workflow if isinstance(workflow, dict) else {}
    n8n = n8n_dialect.resolve(dialect, wf) == "n8n"
    raw_nodes = wf.get("nodes")
    graph = Graph(nodes=list(raw_nodes) if isinstance(raw_nodes, list) else [], key_mode="name" if n8n else key_mode)
    noderefs.index_nodes(graph.nodes, graph.names, graph.ids)
    conns = wf.get("connections")
    feeds: dict[int, bool] = {}  # n8n: source index -> whether it has a main output edge
    if isinstance(conns, dict):
        for list_ptr, j, target in iter_targets(conns):
            src_ref, otype, out = list_ptr[1], list_ptr[2], list_ptr[3]
            src, dst = graph.resolve(src_ref), graph.resolve(target)
            entry = conns[src_ref][otype][out][j]
            port = entry.get("index")
            graph.links.append(
                Link(
                    src,
                    dst,
                    str(src_ref),
                    _ref_text(target),
                    str(otype),
                    _output(out),
                    port if type(port) is int else None,
                )
            )
            if src is None or dst is None:
                continue
            if n8n and otype != "main":
                feeds.setdefault(src, False)
                continue
            feeds[src] = True
            graph.edges.append((src, dst))
    if n8n:
        graph.outside = {i for i, main in feeds.items() if not main}
        graph.outside |= {
            i for i, node in enumerate(graph.nodes) if isinstance(node, dict) and node.get("type") == STICKY_NOTE
        }
    for src, dst in parameter_edges(graph):
        graph.edges.append((src, dst))
        graph.links.append(Link(src, dst, graph.label(src), graph.label(dst), "parameter", 0))
    triggers = wf.get("triggers")
    for trig in triggers if isinstance(triggers, list) else []:
        ref = trig.get("nodeId") if isinstance(trig, dict) else None
        index = graph.ids.get(ref) if isinstance(ref, str) else None
        if index is None and isinstance(ref, str) and key_mode != "id":
            index = graph.names.get(ref)
        graph.trigger_refs.append(index)
        if not isinstance(trig, dict) or trig.get("enabled", True) is False:
            continue
        if index is not None and index not in graph.starts:
            graph.starts.append(index)
    graph.triggers = list(graph.starts)
    if n8n:  # n8n has no trigger list: its trigger nodes are those of a trigger type (drawn as such)
        graph.triggers = [
            i
            for i, node in enumerate(graph.nodes)
            if isinstance(node, dict) and n8n_dialect.is_trigger_type(node.get("type"))
        ]
    if not graph.starts:
        incoming = {dst for _, dst in graph.edges}
        graph.starts = [
            i
            for i, node in enumerate(graph.nodes)
            if isinstance(node, dict) and i not in incoming and i not in graph.outside
        ]
    return graph


def _ref_text(ref: Any) -> str:
    """A connection reference as text (a non-string target shows as JSON would write it)."""
    if isinstance(ref, str):
        return ref
    try:
        return json.dumps(ref, ensure_ascii=False, default=str)[:200]
    except (TypeError, ValueError, RecursionError):
        return type(ref).__name__


def _output(key: str | int) -> int | str:
    """An output index: array positions and digit keys as numbers, anything else as written."""
    if isinstance(key, int):
        return key
    return int(key) if key.isascii() and key.isdigit() and len(key) < 10 else key


def parameter_edges(graph: Graph) -> list[tuple[int, int]]:
    """Edges a node declares in its parameters by node id (a parallel node's `tasks[].nodeId`, a router's targets)."""
    return [
        (i, dst)
        for i, node in enumerate(graph.nodes)
        if isinstance(node, dict)
        for dst in parameter_references(node, graph.ids)
    ]


def plan_levels(graph: Graph) -> Plan:
    """Kahn's algorithm over the part of the graph the starts reach, one level at a time."""
    n = len(graph.nodes)
    adjacency: list[list[int]] = [[] for _ in range(n)]
    for src, dst in graph.edges:
        adjacency[src].append(dst)
    reached = [False] * n
    todo = list(graph.starts)
    for s in todo:
        reached[s] = True
    while todo:
        for dst in adjacency[todo.pop()]:
            if not reached[dst]:
                reached[dst] = True
                todo.append(dst)
    indegree = [0] * n
    for src, dst in graph.edges:
        if reached[src] and reached[dst]:
            indegree[dst] += 1
    level = [i for i in range(n) if reached[i] and indegree[i] == 0]
    levels: list[list[int]] = []
    placed = [False] * n
    while level:
        levels.append(level)
        nxt: set[int] = set()
        for u in level:
            placed[u] = True
            for v in adjacency[u]:
                if reached[v]:
                    indegree[v] -= 1
                    if indegree[v] == 0:
                        nxt.add(v)
        level = sorted(nxt)
    unreachable = [
        i for i, node in enumerate(graph.nodes) if isinstance(node, dict) and not reached[i] and i not in graph.outside
    ]
    cyclic = [i for i in range(n) if reached[i] and not placed[i]]
    return Plan(levels, unreachable, cyclic)


def execution_plan(workflow: Any, key_mode: str = "auto", dialect: str = "auto") -> Plan:
    """The plan of a parsed workflow."""
    return plan_levels(build_graph(workflow, key_mode, dialect))
