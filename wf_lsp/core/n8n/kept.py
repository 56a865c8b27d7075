"""The n8n walk kept for an editor's next version: each node's findings and description, and each connection entry's."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from operator import is_not, ne
from typing import Any

from wf_lsp.core.rules.carry import renamed
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import Noted, add_notes, current_notes, noting

_KEY = "n8n.export"

#: A node's part of the walk: what it noted, and its description (None: the node has none)
Part = tuple[Noted, "dict[str, Any] | None"]


#: checks one entry of the connection map (source key, value) and gives the names it looked up
CheckEntry = Callable[[str, Any], list[str]]


@dataclass(slots=True)
class _KeptLinks:
    """The connection checks entry by entry: each entry's value (by identity), the names it looked up, what it noted
    (None: nothing), and the positions of the entries that noted something."""

    connections: dict[str, Any]
    keys: list[str]
    values: list[Any]
    refs: list[list[str]]
    noted: list[Noted | None]
    noting: list[int]


@dataclass(slots=True)
class _KeptExport:
    """One n8n walk: what it read (the catalogue and the enabled rules, each node object (its name), each node's type
    and description by value) and what it noted."""

    catalogue: Any
    enabled: frozenset[str]
    nodes: list[Any]
    #: per node index: its part, or None when it cannot be taken again (it asked did-you-mean, whose per-document
    #: budget depends on the nodes before it)
    parts: list[Part | None]
    types: list[tuple[Any, int]]
    links: _KeptLinks | None


def export(
    ctx: Context,
    catalogue: Any,
    check_node: Callable[[int, dict[str, Any]], dict[str, Any] | None],
    check_entry: Callable[[dict[int, dict[str, Any]], str, Any], list[str]],
    guessing: str,
) -> None:
    """Check every node (check_node: its description or None) and then each entry of the connection map
    (check_entry), taking from the last version of an editor's document every node that is the very same object at
    the same index (a splice keeps each value the edit did not touch), and every entry that is the same object and
    whose names name the same nodes, of the same types and descriptions. A node whose notes include `guessing` (a
    did-you-mean) is always checked."""
    descs: dict[int, dict[str, Any]] = {}
    conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
    if ctx.carry is None or ctx.oracle:  # a text no editor changes: nothing to take, nothing to keep
        for i, node in ctx.iter_nodes():
            desc = check_node(i, node)
            if desc is not None:
                descs[i] = desc
        for src, outputs in conns.items() if isinstance(conns, dict) else ():
            check_entry(descs, src, outputs)
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
    # What the connection checks read of each node (a description is the catalogue's own object, kept alive by it).
    types = [(n.get("type") if isinstance(n, dict) else None, id(descs.get(i))) for i, n in enumerate(nodes)]
    links = None
    if isinstance(conns, dict):
        again = _again(ctx, kept, conns, types) if kept is not None else None
        links = _links(ctx, kept.links if kept is not None and again is not None else None, conns, again,
                       functools.partial(check_entry, descs))  # fmt: skip
    ctx.carry[_KEY] = _KeptExport(catalogue, ctx.enabled, list(nodes), parts, types, links)


def _again(ctx: Context, kept: _KeptExport, conns: dict[str, Any], types: list[tuple[Any, int]]) -> set[int] | None:
    """The entries of the connection map to check again; None: all of them."""
    old = kept.links
    if old is None or len(kept.types) != len(types):
        return None
    same_map = old.connections is conns
    if not same_map and (len(old.keys) != len(conns) or old.keys != list(conns)):
        return None
    again = set() if same_map else set(compress(range(len(old.values)), map(is_not, old.values, conns.values())))
    retyped = set(compress(range(len(types)), map(ne, kept.types, types)))
    changed = renamed(kept.nodes, ctx.nodes)
    if retyped or changed:
        names = ctx.names
        again.update(p for p, refs in enumerate(old.refs) if any(r in changed or names.get(r) in retyped for r in refs))
    return again


def _links(
    ctx: Context, old: _KeptLinks | None, conns: dict[str, Any], again: set[int] | None, check: CheckEntry
) -> _KeptLinks:
    """Check the entries in again (all of them without old), and take the others' notes from old."""
    n = len(conns)
    keys, values = list(conns), list(conns.values())
    refs: list[list[str]] = list(old.refs) if old is not None else [[]] * n
    parts: list[Noted | None] = list(old.noted) if old is not None else [None] * n
    todo = sorted(again.union(old.noting)) if old is not None and again is not None else range(n)
    noted, outer = current_notes(ctx), ctx.memo["walk:current"]
    part: Noted = {}
    ctx.memo["walk:current"] = (part, outer[1])  # each entry notes into a part of its own
    reshaped = old is None
    try:
        for p in todo:
            was = parts[p]
            if old is not None and again is not None and p not in again:
                if was is not None:
                    add_notes(noted, was)
                continue
            refs[p] = check(keys[p], values[p])
            parts[p] = part or None
            if part:
                add_notes(noted, part)
                part = {}
                ctx.memo["walk:current"] = (part, outer[1])
            reshaped = reshaped or (was is None) != (parts[p] is None)
    finally:
        ctx.memo["walk:current"] = outer
    noting_at = [p for p, x in enumerate(parts) if x is not None] if reshaped or old is None else old.noting
    return _KeptLinks(conns, keys, values, refs, parts, noting_at)


__all__ = ["export"]
