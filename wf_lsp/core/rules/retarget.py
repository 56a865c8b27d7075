"""Fix plans for connection keys and targets that name no node: the other naming convention, or the closest name."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.findings import Pointer
from wf_lsp.core.fix import fixes
from wf_lsp.core.fix.suggest import closest
from wf_lsp.core.rules.context import Context, FixPlan


def candidates(ctx: Context) -> list[str]:
    """What a reference may have meant: the names (the ids in id mode), one list per run."""
    key = "ids" if ctx.key_mode == "id" else "names"
    cached = ctx.candidate_lists.get(key)
    if cached is None:
        cached = ctx.candidate_lists[key] = list(ctx.ids if key == "ids" else ctx.names)
    return cached


def source_fix(ctx: Context, src: str, sptr: Pointer) -> FixPlan | None:
    """For a source key that names no node: re-key it by the other convention, or to the closest name."""
    # An id where a name is expected (or the reverse): exact, so safe.
    other = ctx.ids if ctx.key_mode in ("name", "auto") else ctx.names
    if src in other and ctx.key_mode != "auto":
        label = counterpart(ctx, other[src])
        if label is not None:
            # Re-key the entry and its targets together: they were written in the same (other) convention.
            edits: list[tuple[Pointer, str, Any]] = [(sptr, "key", label)]
            outputs = ctx.wf["connections"].get(src)
            for lptr, j, node in fixes.iter_targets({src: outputs}):
                if (
                    isinstance(node, str)
                    and node in other
                    and node not in (ctx.names if ctx.key_mode == "name" else ctx.ids)
                ):
                    new = counterpart(ctx, other[node])
                    if new is not None:
                        edits.append((("connections",) + lptr[1:] + (j, "node"), "value", new))
            return fixes.replace_values(
                edits, f"Key connection by {'name' if ctx.key_mode == 'name' else 'id'} '{label}'", safe=True
            )
    guess = closest(src, candidates(ctx), ctx.guess)
    # Never onto a key the map has already: the two entries would be one duplicate key, and one of them lost.
    if guess is not None and guess != src and guess not in ctx.wf["connections"]:
        return fixes.replace_values([(sptr, "key", guess)], f"Change source to '{guess}'", safe=False)
    return None


def counterpart(ctx: Context, index: int) -> str | None:
    """A node's name (its id in id mode), when it has a non-empty one."""
    node = ctx.nodes[index]
    field = "name" if ctx.key_mode == "name" else "id"
    value = node.get(field) if isinstance(node, dict) else None
    return value if isinstance(value, str) and value else None


def target_fix(ctx: Context, node: Any, xptr: Pointer, j: int) -> FixPlan | None:
    """For a target naming no node: retarget it by the other convention or to the closest name, or remove it."""
    nptr = xptr + (j, "node")
    remove = fixes.remove_item(xptr, j, "Remove connection target", safe=False)
    if not isinstance(node, str):
        return remove
    other = ctx.ids if ctx.key_mode in ("name", "auto") else ctx.names
    if node in other and ctx.key_mode != "auto":
        label = counterpart(ctx, other[node])
        if label is not None:
            return fixes.combine(
                fixes.replace_value(nptr, label, f"Retarget connection to '{label}'", safe=True), remove
            )
    guess = closest(node, candidates(ctx), ctx.guess)
    # Never at the connection's own source: a guess that makes a node feed itself is a cycle, not a repair.
    if guess is not None and guess != node and guess != xptr[1]:
        return fixes.combine(fixes.replace_value(nptr, guess, f"Retarget connection to '{guess}'", safe=False), remove)
    return remove


__all__ = ["candidates", "counterpart", "source_fix", "target_fix"]
