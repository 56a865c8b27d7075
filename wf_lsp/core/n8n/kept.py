"""The n8n walk kept for an editor's next version: each node's findings and description, and the connection checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.rules.context import Context

_KEY = "n8n.export"

#: what a walk noted: code -> [(pointer, report options)] (rule.note)
Noted = dict[str, list[tuple[Any, dict[str, Any]]]]

#: A node's part of the walk: what it noted, and its description (None: the node has none, or it is not kept)
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


def _collect(ctx: Context, into: Noted, work: Callable[[], Any]) -> tuple[Noted, Any]:
    """Run work with its notes going to a fresh record; add them to `into` (in order) and return both."""
    current = ctx.memo["walk:current"]
    fresh: Noted = {}
    ctx.memo["walk:current"] = (fresh, current[1])
    try:
        out = work()
    finally:
        ctx.memo["walk:current"] = current
    for code, items in fresh.items():
        into.setdefault(code, []).extend(items)
    return fresh, out


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
    noted: Noted = ctx.memo["walk:current"][0]
    kept: _KeptExport | None = ctx.carried.get(_KEY) if ctx.carried else None
    if kept is not None and (kept.catalogue is not catalogue or kept.enabled != ctx.enabled or ctx.oracle):
        kept = None
    keep = ctx.carry is not None and not ctx.oracle
    nodes = ctx.nodes
    parts: list[Part | None] = [None] * len(nodes)
    descs: dict[int, dict[str, Any]] = {}
    old_nodes = kept.nodes if kept is not None else []
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue
        part = kept.parts[i] if kept is not None and i < len(old_nodes) and old_nodes[i] is node else None
        if part is None:
            fresh, desc = _collect(ctx, noted, functools.partial(check_node, i, node))
            part = (fresh, desc)
            if guessing in fresh:
                parts[i] = None
                if desc is not None:
                    descs[i] = desc
                continue
        else:
            for code, items in part[0].items():
                noted.setdefault(code, []).extend(items)
        parts[i] = part
        if part[1] is not None:
            descs[i] = part[1]
    conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
    # What the connection checks read of each node (a description is the catalogue's own object, kept alive by it).
    types = [(n.get("type") if isinstance(n, dict) else None, id(descs.get(i))) for i, n in enumerate(nodes)]
    if kept is not None and kept.connections is conns and kept.names == ctx.names and kept.types == types:
        links = kept.links
        for code, items in links.items():
            noted.setdefault(code, []).extend(items)
    else:
        links = _collect(ctx, noted, lambda: check_links(descs))[0]
    if keep:
        assert ctx.carry is not None
        ctx.carry[_KEY] = _KeptExport(catalogue, ctx.enabled, list(nodes), parts, conns, ctx.names, types, links)


__all__ = ["export"]
