"""The n8n walk kept for an editor's next version: each node's findings and description, and the connection checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import Noted, add_notes, current_notes, noting

_KEY = "n8n.export"

#: A node's part of the walk: what it noted, and its description (None: the node has none)
Part = tuple[Noted, "dict[str, Any] | None"]


@dataclass(slots=True)
class _KeptExport:
    """One n8n walk: what it read (the catalogue and the enabled rules, each node object, the connection map by
    identity; names and each node's type and description by value) and what it noted."""

    catalogue: Any
    enabled: frozenset[str]
    nodes: list[Any]
    #: per node index: its part, or None when it cannot be taken again (it asked did-you-mean, whose per-document
    #: budget depends on the nodes before it)
    parts: list[Part | None]
    connections: Any
    names: dict[str, int]
    types: list[tuple[Any, int]]
    links: Noted


def export(
    ctx: Context,
    catalogue: Any,
    check_node: Callable[[int, dict[str, Any]], dict[str, Any] | None],
    check_links: Callable[[dict[int, dict[str, Any]]], None],
    guessing: str,
) -> None:
    """Check every node (check_node: its description or None) and then the connections (check_links), taking from the
    last version of an editor's document every node that is the very same object at the same index (a splice keeps
    each value the edit did not touch), and the connection checks when the map is the same object and the names, types
    and descriptions they read are equal. A node whose notes include `guessing` (a did-you-mean) is always checked."""
    descs: dict[int, dict[str, Any]] = {}
    if ctx.carry is None or ctx.oracle:  # a text no editor changes: nothing to take, nothing to keep
        for i, node in ctx.iter_nodes():
            desc = check_node(i, node)
            if desc is not None:
                descs[i] = desc
        check_links(descs)
        return
    noted = current_notes(ctx)
    kept: _KeptExport | None = ctx.carried.get(_KEY) if ctx.carried else None
    if kept is not None and (kept.catalogue is not catalogue or kept.enabled != ctx.enabled):
        kept = None
    nodes = ctx.nodes
    parts: list[Part | None] = [None] * len(nodes)
    old_nodes = kept.nodes if kept is not None else []
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue
        part = kept.parts[i] if kept is not None and i < len(old_nodes) and old_nodes[i] is node else None
        if part is None:
            part = noting(ctx, functools.partial(check_node, i, node))
            if guessing not in part[0]:
                parts[i] = part
        else:
            add_notes(noted, part[0])
            parts[i] = part
        if part[1] is not None:
            descs[i] = part[1]
    conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
    # What the connection checks read of each node (a description is the catalogue's own object, kept alive by it).
    types = [(n.get("type") if isinstance(n, dict) else None, id(descs.get(i))) for i, n in enumerate(nodes)]
    if kept is not None and kept.connections is conns and kept.names == ctx.names and kept.types == types:
        links = kept.links
        add_notes(noted, links)
    else:
        links = noting(ctx, functools.partial(check_links, descs))[0]
    ctx.carry[_KEY] = _KeptExport(catalogue, ctx.enabled, list(nodes), parts, conns, ctx.names, types, links)


__all__ = ["export"]
