"""The connection walk kept for an editor's next version, and taken again when nothing it reads has changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.rules.context import Context

_KEY = "connections.walk"


@dataclass(slots=True)
class _KeptWalk:
    """What one connection walk read (the map by identity, the rest by value) and what it left in the run."""

    connections: Any
    reads: tuple[Any, ...]
    noted: dict[str, list[tuple[Any, dict[str, Any]]]]
    edges: list[tuple[int, int, Any]]
    targets: list[Any] | None
    by_id: bool
    answers: dict[str, str | None]


def _reads(ctx: Context, answers: dict[str, str | None]) -> tuple[Any, ...] | None:
    """Everything the walk reads besides the connection map (answers: the did-you-mean answers before it), or None when
    it cannot be kept (the oracle profile reads every node's name as JavaScript compares it)."""
    if ctx.oracle:
        return None
    if ctx.carried is not None:
        kept = ctx.carried.get(_KEY)
        if kept is not None and kept.reads[0] == "clean" and _clean_reads(ctx) == kept.reads:
            same: tuple[Any, ...] = kept.reads
            return same
    refs = [
        (n.get("name") if type(n.get("name")) is str else None, n.get("id") if type(n.get("id")) is str else None)
        if type(n) is dict
        else None
        for n in ctx.nodes
    ]
    return (ctx.dialect, ctx.key_mode, ctx.names, ctx.ids, refs, answers)


def _clean_reads(ctx: Context) -> tuple[Any, ...]:
    """What a clean walk read: one that noted nothing and found every source and target in the first lookup (so it
    asked neither fixes, nor did-you-mean, nor the second lookup): the dialect, the key mode and that lookup (and the
    names, which say whether a key is a name)."""
    return ("clean", ctx.dialect, ctx.key_mode, ctx.names, ctx.ids if ctx.key_mode == "id" else None)


def _clean(ctx: Context, conns: Any, noted: dict[str, list[tuple[Any, dict[str, Any]]]]) -> bool:
    """Whether the walk that just ran was clean (see _clean_reads)."""
    if any(noted.values()) or not isinstance(conns, dict):
        return False
    first = ctx.ids if ctx.key_mode == "id" else ctx.names
    for src, outputs in conns.items():
        if src not in first or type(outputs) is not dict:
            return False
        for indices in outputs.values():
            for targets in indices.values() if type(indices) is dict else indices if type(indices) is list else ():
                if type(targets) is list:
                    for target in targets:
                        if type(target) is dict and target.get("node") not in first:
                            return False
    return True


def walk(ctx: Context, walk_map: Callable[[Context], None]) -> None:
    """Inside the connection walk (rule.walked): take the last version's when the map is the same object (a splice keeps
    every value the edit did not touch) and everything else it reads is equal, or walk the map and keep what it left
    for the next version of an editor's document."""
    noted: dict[str, list[tuple[Any, dict[str, Any]]]] = ctx.memo["walk:current"][0]
    conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
    wanted = ctx.carry is not None or ctx.carried is not None
    reads = _reads(ctx, dict(ctx.guess.answers)) if wanted else None
    kept: _KeptWalk | None = ctx.carried.get(_KEY) if ctx.carried else None
    if kept is not None and reads is not None and kept.connections is conns and kept.reads == reads:
        for code, found in kept.noted.items():
            noted[code] = list(found)
        ctx.edges.extend(kept.edges)
        if kept.targets is not None:
            ctx.memo["connections.targets"] = list(kept.targets)
        ctx.by_id = kept.by_id
        if kept.reads[0] != "clean":  # (a clean walk asked no did-you-mean: the answers are what they were before it)
            ctx.guess.answers.clear()
            ctx.guess.answers.update(kept.answers)
    else:
        edges = len(ctx.edges)
        walk_map(ctx)
        if ctx.carry is not None and reads is not None:
            if _clean(ctx, conns, noted):
                reads = _clean_reads(ctx)
            targets = ctx.memo.get("connections.targets")
            ctx.carry[_KEY] = _KeptWalk(
                conns, reads, {code: list(items) for code, items in noted.items()}, ctx.edges[edges:],
                list(targets) if targets is not None else None, ctx.by_id, dict(ctx.guess.answers),
            )  # fmt: skip
    if kept is not None and ctx.carry is not None and _KEY not in ctx.carry:
        ctx.carry[_KEY] = kept  # taken again: the next version compares with the same reads


__all__ = ["walk"]
