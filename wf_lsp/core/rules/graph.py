"""Graph rules over resolved connections: cycles, trigger targets and nodes no start can reach."""

from __future__ import annotations

from typing import Any, get_args

from wf_lsp.core.findings import Related
from wf_lsp.core.fix import fixes
from wf_lsp.core.fix.suggest import closest
from wf_lsp.core.js import jsval
from wf_lsp.core.n8n.dialect import STICKY_NOTE
from wf_lsp.core.n8n.rules import LOOP_TYPES
from wf_lsp.core.rules.connections import walk
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import rule
from wf_lsp.core.rules.vocab import TriggerKind

TRIGGER_KINDS = frozenset(get_args(TriggerKind))
MAX_CYCLES = 10
#: what an editor's next version takes from the last one's: each node's referenced_ids, by index (see _unreachable)
_REFERENCES = "graph.references"


@rule("CIRCULAR_DEPENDENCY")
def circular_dependency(ctx: Context) -> None:
    """Cycles among the edges the connection walk resolved (up to MAX_CYCLES, each with its nodes)."""
    walk(ctx)
    adjacency = _shared_adjacency(ctx) if ctx.nodes else None
    if adjacency is not None:
        _cycles(ctx, adjacency)


@rule("INVALID_TRIGGER_NODE")
def invalid_trigger_node(ctx: Context) -> None:
    """A trigger whose nodeId names no node (by id, or by name unless keys are ids), with a did-you-mean."""
    for t, trig, index in _triggers(ctx):
        if index is not None:
            continue
        node_id = trig.get("nodeId")
        guess = closest(node_id, _id_list(ctx), ctx.guess) if isinstance(node_id, str) else None
        shown = jsval.to_str(node_id, missing="nodeId" not in trig)
        tptr = ("triggers", t, "nodeId")
        if guess:
            fix = fixes.replace_value(tptr, guess, f"Point trigger at '{guess}'", safe=False)
            ctx.report("INVALID_TRIGGER_NODE", tptr, fix=fix, variant="guess", node=shown, guess=guess)
        else:
            ctx.report("INVALID_TRIGGER_NODE", tptr, node=shown)


@rule("INVALID_TRIGGER_KIND")
def invalid_trigger_kind(ctx: Context) -> None:
    """A trigger `kind` outside TRIGGER_KINDS."""
    for t, trig, _ in _triggers(ctx):
        kind = trig.get("kind")
        if "kind" in trig and not (isinstance(kind, str) and kind in TRIGGER_KINDS):
            ctx.report("INVALID_TRIGGER_KIND", ("triggers", t, "kind"), kind=jsval.to_str(kind))


@rule("UNREACHABLE_NODE")
def unreachable_node(ctx: Context) -> None:
    """Nodes that no enabled trigger (else no node without incoming edges) reaches."""
    walk(ctx)
    if ctx.nodes:
        starts = [
            index for _, trig, index in _triggers(ctx) if index is not None and trig.get("enabled", True) is not False
        ]
        _unreachable(ctx, _shared_adjacency(ctx), starts)


Adjacency = list[list[tuple[int, tuple[Any, ...]]]]


def _shared_adjacency(ctx: Context) -> Adjacency | None:
    """The edges by source node, built once per run; None when every edge points to a later node (no cycle there:
    workflows are usually written in order)."""
    if "graph.adjacency" not in ctx.memo:
        forward = all(src < dst for src, dst, _ in ctx.edges)
        ctx.memo["graph.adjacency"] = None if forward else _adjacency(ctx)
    found: Adjacency | None = ctx.memo["graph.adjacency"]
    return found


def _adjacency(ctx: Context) -> Adjacency:
    adjacency: Adjacency = [[] for _ in ctx.nodes]
    for src, dst, ptr in ctx.edges:
        adjacency[src].append((dst, ptr))
    return adjacency


def _cycles(ctx: Context, adjacency: Adjacency) -> None:
    color = [0] * len(adjacency)  # 0 new, 1 on stack, 2 done
    reported = 0
    for root in range(len(adjacency)):
        if color[root]:
            continue
        stack: list[tuple[int, int]] = [(root, 0)]
        path: list[int] = [root]
        color[root] = 1
        while stack:
            node, k = stack[-1]
            if k < len(adjacency[node]):
                stack[-1] = (node, k + 1)
                nxt, ptr = adjacency[node][k]
                if color[nxt] == 0:
                    color[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
                elif color[nxt] == 1 and reported < MAX_CYCLES:
                    cycle = path[path.index(nxt) :]
                    names = [ctx.node_label(n) for n in cycle]
                    reported += 1
                    if ctx.dialect == "n8n" and any(_type_of(ctx, n) in LOOP_TYPES for n in cycle):
                        continue  # how n8n iterates or polls: a cycle through a node built to loop (still counted)
                    ctx.report(
                        "CIRCULAR_DEPENDENCY",
                        ptr,
                        path="connections",
                        cycle=" -> ".join(names + [names[0]]),
                        related=[
                            Related(f"{ctx.node_label(n)} is part of the cycle", ("nodes", n, "name")) for n in cycle
                        ],
                    )
            else:
                color[node] = 2
                stack.pop()
                path.pop()


def _triggers(ctx: Context) -> list[tuple[int, dict[str, Any], int | None]]:
    """(position, trigger, index of the node its nodeId names or None) for every trigger object (once per run)."""
    found: list[tuple[int, dict[str, Any], int | None]] | None = ctx.memo.get("graph.triggers")
    if found is not None:
        return found
    found = ctx.memo["graph.triggers"] = []
    triggers = ctx.wf.get("triggers")
    if not ctx.nodes or not isinstance(triggers, list):
        return found
    for t, trig in enumerate(triggers):
        if not isinstance(trig, dict):
            continue
        node_id = trig.get("nodeId")
        index = ctx.ids.get(node_id) if isinstance(node_id, str) else None
        if index is None and isinstance(node_id, str) and ctx.key_mode != "id":
            index = ctx.names.get(node_id)
        found.append((t, trig, index))
    return found


def _id_list(ctx: Context) -> list[str]:
    found = ctx.candidate_lists.get("ids")
    if found is None:
        found = ctx.candidate_lists["ids"] = list(ctx.ids)
    return found


def parameter_references(node: dict[str, Any], ids: dict[str, int]) -> list[int]:
    """Nodes a node names in its parameters by id (a parallel node's `tasks[].nodeId`, a router's targets)."""
    return [ids[ref] for ref in referenced_ids(node) if ref in ids]


def referenced_ids(node: dict[str, Any]) -> list[str]:
    """The strings a node's parameters give where they name a node by id (`nodeId`, `node`, `targetNode`)."""
    out: list[str] = []
    stack: list[tuple[Any, int]] = [(node.get("parameters"), 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("nodeId", "node", "targetNode") and isinstance(inner, str):
                    out.append(inner)
                elif depth < 4 and isinstance(inner, (dict, list)):
                    stack.append((inner, depth + 1))
        elif isinstance(value, list) and depth < 4:
            stack.extend((v, depth + 1) for v in value[:200] if isinstance(v, (dict, list)))
    return out


def _reach(adjacency: Adjacency, seen: list[bool], todo: list[int]) -> None:
    while todo:
        n = todo.pop()
        for dst, _ in adjacency[n]:
            if not seen[dst]:
                seen[dst] = True
                todo.append(dst)


def _unreachable(ctx: Context, adjacency: Adjacency | None, starts: list[int]) -> None:
    """Nodes no start reaches; adjacency is None when every edge points to a later node."""
    incoming = [False] * len(ctx.nodes)
    for _, dst, _ptr in ctx.edges:
        incoming[dst] = True
    if not starts:
        starts = [i for i, has in enumerate(incoming) if not has and isinstance(ctx.nodes[i], dict)]
    if adjacency is None:
        # Edges all point forward: by induction over positions, every node that is a start or has an incoming edge
        # is reachable.
        for s in starts:
            incoming[s] = True
        if all(incoming):
            return
        adjacency = _adjacency(ctx)
    seen = [False] * len(adjacency)
    for s in starts:
        seen[s] = True
    _reach(adjacency, seen, list(starts))
    if not all(seen):
        # Only now pay for reading parameters: references like a parallel node's tasks count as edges. What a node's
        # parameters name is its own: an editor's next version takes it for each node that is the same object.
        kept: dict[int, tuple[Any, list[str]]] = (ctx.carried.get(_REFERENCES) if ctx.carried else None) or {}
        keep: dict[int, tuple[Any, list[str]]] = {}
        scanned = [False] * len(adjacency)
        changed = True
        while changed:
            changed = False
            for i, node in ctx.iter_nodes():
                if seen[i] and not scanned[i]:
                    scanned[i] = True
                    was = kept.get(i)
                    refs = was[1] if was is not None and was[0] is node else referenced_ids(node)
                    keep[i] = (node, refs)
                    for ref in refs:
                        to = ctx.ids.get(ref)
                        if to is None:
                            continue
                        adjacency[i].append((to, ()))
                        if not seen[to]:
                            seen[to] = True
                            _reach(adjacency, seen, [to])
                            changed = True
        if ctx.carry is not None:
            ctx.carry[_REFERENCES] = keep
    for i, node in ctx.iter_nodes():
        if not seen[i] and node.get("disabled") is not True:
            if ctx.dialect == "n8n" and _type_of(ctx, i) == STICKY_NOTE:
                continue  # a sticky note is not a node of n8n's graph
            f = ctx.report("UNREACHABLE_NODE", ("nodes", i, "name"), path=f"nodes[{i}]", node=ctx.node_label(i))
            if f is not None:
                f.tags = ("unnecessary",)


def _type_of(ctx: Context, index: int) -> str | None:
    node = ctx.nodes[index]
    kind = node.get("type") if isinstance(node, dict) else None
    return kind if isinstance(kind, str) else None
