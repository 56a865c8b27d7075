"""The connection walk kept for an editor's next version, and taken again when nothing it reads has changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import Noted, add_notes, current_notes

_KEY = "connections.walk"
T = TypeVar("T")


def per_node(ctx: Context, key: str, items: list[tuple[int, Any]], answer: Callable[[int, Any], T]) -> list[T]:
    """answer(i, node) for each (i, node); for an editor's next version, a node that is the very object at the same
    index as in the last one keeps the answer it had there (a splice keeps every value the edit did not touch). The
    answer must read nothing but i and the node."""
    kept: dict[int, tuple[Any, T]] = (ctx.carried.get(key) if ctx.carried else None) or {}
    if ctx.carry is None and not kept:
        return [answer(i, node) for i, node in items]
    out: list[T] = []
    keep: dict[int, tuple[Any, T]] = {}
    for i, node in items:
        was = kept.get(i)
        got = was[1] if was is not None and was[0] is node else answer(i, node)
        keep[i] = (node, got)
        out.append(got)
    if ctx.carry is not None:
        ctx.carry[key] = keep
    return out


@dataclass(slots=True)
class _KeptWalk:
    """What one connection walk read (the map by identity, the rest by value) and what it left in the run."""

    connections: Any
    #: a clean walk (see _clean_reads) read less: its reads are those, and it asked no did-you-mean
    clean: bool
    reads: tuple[Any, ...]
    noted: Noted
    edges: list[tuple[int, int, Any]]
    targets: list[Any] | None
    by_id: bool
    answers: dict[str, str | None]


def _reads(ctx: Context, answers: dict[str, str | None]) -> tuple[Any, ...]:
    """Everything the walk reads besides the connection map (answers: the did-you-mean answers before it)."""
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
    return (ctx.dialect, ctx.key_mode, ctx.names, ctx.ids if ctx.key_mode == "id" else None)


def _clean(ctx: Context, conns: Any, noted: Noted) -> bool:
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
    for the next version of an editor's document. The oracle profile always walks (it reads every node's name as
    JavaScript compares it)."""
    noted = current_notes(ctx)
    conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
    answers = dict(ctx.guess.answers)
    kept: _KeptWalk | None = ctx.carried.get(_KEY) if ctx.carried and not ctx.oracle else None
    if (
        kept is not None
        and kept.connections is conns
        and kept.reads == (_clean_reads(ctx) if kept.clean else _reads(ctx, answers))
    ):
        add_notes(noted, kept.noted)
        ctx.edges.extend(kept.edges)
        if kept.targets is not None:
            ctx.memo["connections.targets"] = list(kept.targets)
        ctx.by_id = kept.by_id
        if not kept.clean:
            ctx.guess.answers.clear()
            ctx.guess.answers.update(kept.answers)
        if ctx.carry is not None:
            ctx.carry[_KEY] = kept  # handed on: the next version compares with the same reads
        return
    edges = len(ctx.edges)
    walk_map(ctx)
    if ctx.carry is not None and not ctx.oracle:
        clean = _clean(ctx, conns, noted)
        targets = ctx.memo.get("connections.targets")
        ctx.carry[_KEY] = _KeptWalk(
            conns, clean, _clean_reads(ctx) if clean else _reads(ctx, answers),
            {code: list(items) for code, items in noted.items()}, ctx.edges[edges:],
            list(targets) if targets is not None else None, ctx.by_id, dict(ctx.guess.answers),
        )  # fmt: skip


__all__ = ["per_node", "walk"]
