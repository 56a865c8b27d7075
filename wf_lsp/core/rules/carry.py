"""What an editor's next version takes from the last one's rule work: node answers, and connection walk entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, compress, count, islice
from operator import is_, is_not
from typing import Any, TypeVar

from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import Noted, add_notes, current_notes

_KEY = "connections.walk"
T = TypeVar("T")


def per_node(
    ctx: Context, key: str, items: list[tuple[int, Any]], answer: Callable[[int, Any], T], reads: tuple[Any, ...] = ()
) -> list[T]:
    """answer(i, node) for each (i, node); for an editor's next version, a node that is the very object at the same
    index as in the last one keeps the answer it had there (a splice keeps every value the edit did not touch). The
    answer must read nothing but i, the node and `reads` (compared by identity: another object answers every node
    anew)."""
    was: tuple[tuple[Any, ...], dict[int, tuple[Any, T]]] | None = ctx.carried.get(key) if ctx.carried else None
    kept = was[1] if was is not None and len(was[0]) == len(reads) and all(map(is_, was[0], reads)) else {}
    if ctx.carry is None and not kept:
        return [answer(i, node) for i, node in items]
    out: list[T] = []
    keep: dict[int, tuple[Any, T]] = {}
    for i, node in items:
        had = kept.get(i)
        got = had[1] if had is not None and had[0] is node else answer(i, node)
        keep[i] = (node, got)
        out.append(got)
    if ctx.carry is not None:
        ctx.carry[key] = (reads, keep)
    return out


#: walks one source entry of the connection map, adding its edges to ctx.edges and noting what it finds: whether it may
#: name a node by id, and the references it looked up when it took the fast path (it noted nothing, asked no
#: did-you-mean and left no target to check one by one), else None (the slow path)
WalkOne = Callable[[str, Any], tuple[bool, "list[str] | None"]]

#: the targets a walk leaves for the port rules to check one by one (connections._walked)
TARGETS = "connections.targets"


@dataclass(slots=True)
class _Part:
    """What walking one source entry the slow way left in the run besides its edges."""

    noted: Noted
    targets: list[Any]
    #: the did-you-mean answers it added, in order
    answers: list[tuple[str, str | None]]


@dataclass(slots=True)
class _Walked:
    """One walk of a connection map (a dict) entry by entry: what each entry read and what it left in the run."""

    connections: dict[str, Any]
    #: what every entry reads: the dialect and key mode, the nodes its lookups came from (a node that is the same
    #: object has the same name and id), and the did-you-mean answers before the walk
    mode: tuple[str, str]
    nodes: list[Any]
    answers: dict[str, str | None]
    keys: list[str]
    values: list[Any]
    #: per entry: the references a fast entry looked up (all it read besides its value), or None for a slow one
    refs: list[list[str] | None]
    #: per entry: what a slow one left, and whether the entry may name a node by id
    parts: list[_Part | None]
    by_id: list[bool]
    #: per entry: how many edges it added; all the edges, in walk order; the slow entries' positions
    counts: list[int]
    edges: list[tuple[int, int, Any]]
    slow: list[int]
    #: this walk's number, and the number of the last version's when every entry was taken from it (else -1)
    serial: int = 0
    same_as: int = -1


def renamed(old: list[Any], new: list[Any]) -> set[str]:
    """The names and ids that may now resolve to another node (lists of the same length): those a node that is not the
    same object had or has, where its name or id changed."""
    out: set[str] = set()
    for i in compress(range(len(new)), map(is_not, old, new)):
        a, b = old[i], new[i]
        for field in ("name", "id"):
            x = a.get(field) if isinstance(a, dict) else None
            y = b.get(field) if isinstance(b, dict) else None
            if type(x) is not type(y) or x != y:
                if type(x) is str:
                    out.add(x)
                if type(y) is str:
                    out.add(y)
    return out


def _again(
    ctx: Context, kept: _Walked, conns: dict[str, Any], answers: dict[str, str | None]
) -> tuple[set[int], bool] | None:
    """The entries to walk again, besides the slow ones after a changed did-you-mean answer (see walk), and whether
    every name and id is the same; None: walk them all."""
    if kept.mode != (ctx.dialect, ctx.key_mode) or len(kept.nodes) != len(ctx.nodes):
        return None
    same_map = kept.connections is conns
    if not same_map and (len(kept.keys) != len(conns) or kept.keys != list(conns)):
        return None
    again = set() if same_map else set(compress(range(len(kept.values)), map(is_not, kept.values, conns.values())))
    changed = renamed(kept.nodes, ctx.nodes)
    if changed:
        again.update(p for p, refs in enumerate(kept.refs) if refs is not None and not changed.isdisjoint(refs))
    if changed or answers != kept.answers:
        again.update(kept.slow)  # what they note, did-you-mean included, may read any name
    return again, not changed


def walk(ctx: Context, sources: Callable[[Context], tuple[Any, WalkOne] | None]) -> None:
    """The connection walk (rule.walked), entry by entry with the function sources gives. An editor's next version
    takes from the last one's each entry that is the same object and reads the same: a fast one (see WalkOne) whose
    references are no name or id the edit changed; a slow one when no name or id changed and did-you-mean's answers
    before it are the same (it has a budget per document). The oracle profile always walks it all (it reads every
    node's name as JavaScript compares it)."""
    got = sources(ctx)
    if got is None:
        return
    pairs, one = got
    conns = ctx.wf.get("connections")
    if ctx.carry is None or ctx.oracle or type(conns) is not dict:
        by_id = False
        for src, outputs in pairs:
            if one(src, outputs)[0]:
                by_id = True
        ctx.by_id = by_id
        return
    answers = dict(ctx.guess.answers)
    kept: _Walked | None = ctx.carried.get(_KEY) if ctx.carried else None
    found = _again(ctx, kept, conns, answers) if kept is not None else None
    if kept is None or found is None:
        n = len(conns)
        kept = _Walked(conns, ("", ""), [], {}, list(conns), [], [None] * n, [None] * n, [False] * n, [0] * n, [], [])
        found = set(range(n)), False
    again, same_names = found
    walked = _entries(ctx, kept, conns, one, again, len(again) == len(conns))
    if not same_names:
        walked.same_as = -1
    walked.answers, walked.serial = answers, next(_SERIALS)
    ctx.by_id = any(walked.by_id)
    ctx.carry[_KEY] = walked


def _entries(
    ctx: Context, kept: _Walked, conns: dict[str, Any], one: WalkOne, again: set[int], everything: bool
) -> _Walked:
    """Walk the entries in again (everything: all of them), and the slow ones after an entry whose did-you-mean answers
    changed; take every other entry from kept. What this walk keeps for the next version."""
    keys, values = kept.keys, list(conns.values())
    refs, parts, by_id, counts = list(kept.refs), list(kept.parts), list(kept.by_id), list(kept.counts)
    edges, old, guess = ctx.edges, kept.edges, ctx.guess.answers
    noted, outer = current_notes(ctx), ctx.memo["walk:current"]
    targets: list[Any] = ctx.memo.setdefault(TARGETS, [])
    ends = [0, *accumulate(kept.counts)]
    start, done, diverged, reshaped, walked_none = len(edges), 0, False, everything, not everything
    part: Noted = {}
    ctx.memo["walk:current"] = (part, outer[1])  # each entry notes into a part of its own
    try:
        for p in sorted(again.union(kept.slow)):
            edges.extend(old[ends[done] : ends[p]])  # the entries between, as they were
            done = p + 1
            was = parts[p]
            if was is not None and not diverged and p not in again:
                add_notes(noted, was.noted)
                targets.extend(was.targets)
                guess.update(was.answers)
                edges.extend(old[ends[p] : ends[p + 1]])
                continue
            n_edges, n_targets, n_asked, walked_none = len(edges), len(targets), len(guess), False
            by_id[p], found = one(keys[p], values[p])
            counts[p] = len(edges) - n_edges
            reshaped = reshaped or (found is None) != (refs[p] is None)
            refs[p] = found
            now = None
            if found is None:
                now = _Part(part, targets[n_targets:], list(islice(guess.items(), n_asked, None)))
            diverged = diverged or (now.answers if now else []) != (was.answers if was else [])
            parts[p] = now
            if now is not None:
                add_notes(noted, part)
                part = {}
                ctx.memo["walk:current"] = (part, outer[1])
        edges.extend(old[ends[done] :])
        same_as = kept.serial if walked_none else -1
    finally:
        ctx.memo["walk:current"] = outer
    slow = [p for p, r in enumerate(refs) if r is None] if reshaped else kept.slow
    mode = (ctx.dialect, ctx.key_mode)
    nodes = list(ctx.nodes)
    return _Walked(conns, mode, nodes, {}, keys, values, refs, parts, by_id, counts, edges[start:], slow, 0, same_as)


_SERIALS = count(1)


def after_walk(ctx: Context, key: str) -> tuple[tuple[Any] | None, Callable[[Any], None]]:
    """For work that reads nothing but the connection map, the key mode and the names and ids its references resolve
    to (and the nodes they name): what it kept for the last version of an editor's document, in a 1-tuple, when this
    version's walk took every entry from that one's (else None), and what keeps its answer for the next version."""
    walked: _Walked | None = ctx.carry.get(_KEY) if ctx.carry is not None else None
    if walked is None:
        return None, lambda answer: None
    kept = ctx.carried.get(key) if ctx.carried else None
    assert ctx.carry is not None
    carry = ctx.carry

    def keep(answer: Any) -> None:
        carry[key] = (walked.serial, answer)

    return ((kept[1],) if kept is not None and kept[0] == walked.same_as else None), keep


__all__ = ["TARGETS", "WalkOne", "after_walk", "per_node", "renamed", "walk"]
