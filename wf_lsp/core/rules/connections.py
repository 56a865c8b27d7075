"""Connection-map rules: sources, output types, indices, targets (the real validator's P3) and key consistency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wf_lsp.core.findings import Anchor, Pointer, Related
from wf_lsp.core.fix import fixes
from wf_lsp.core.js import jsval
from wf_lsp.core.rules import carry, noderefs, retarget
from wf_lsp.core.rules.context import Context, FixPlan
from wf_lsp.core.rules.rule import note, report_walked, rule, walked

_TARGET_TYPES = ("main", "error", "condition")
MAX_REKEY_EDITS = 150


@rule("INVALID_CONNECTION_SOURCE")
def invalid_connection_source(ctx: Context) -> None:
    """A source key that names no node (by the connection-key mode); fixes re-key it by the other convention, or to
    the closest name."""
    _report(ctx, "INVALID_CONNECTION_SOURCE")


@rule("INVALID_CONNECTION_FORMAT")
def invalid_connection_format(ctx: Context) -> None:
    """A source entry, output mapping or target list of the wrong shape."""
    _report(ctx, "INVALID_CONNECTION_FORMAT")


@rule("INVALID_OUTPUT_TYPE")
def invalid_output_type(ctx: Context) -> None:
    """An output type other than main and error."""
    _report(ctx, "INVALID_OUTPUT_TYPE")


@rule("INVALID_OUTPUT_INDEX")
def invalid_output_index(ctx: Context) -> None:
    """An output index that parseInt reads as negative or NaN."""
    _report(ctx, "INVALID_OUTPUT_INDEX")


@rule("INVALID_CONNECTION_TARGET")
def invalid_connection_target(ctx: Context) -> None:
    """A target without a (truthy) `node`; the fix removes it."""
    _report(ctx, "INVALID_CONNECTION_TARGET")


@rule("INVALID_CONNECTION_TARGET_NODE")
def invalid_connection_target_node(ctx: Context) -> None:
    """A target naming no node; fixes retarget it (other convention, closest name) or remove it."""
    _report(ctx, "INVALID_CONNECTION_TARGET_NODE")


def walk(ctx: Context) -> None:
    """Make sure the connection walk ran: the graph's edges, the targets the port rules look at."""
    walked(ctx, _walk)


def _report(ctx: Context, code: str) -> None:
    report_walked(ctx, _walk, code)


def _walk(ctx: Context) -> None:
    """The platform's P3: walk the connection map, resolving keys by the configured mode; collect the graph's edges
    (ctx.edges), the targets the port rules look at, and what the rules above report, with their fixes computed in
    walk order (did-you-mean has a budget per document); an editor's next version takes each source entry the edit
    left alone from the last one's (carry)."""
    carry.walk(ctx, _sources)


def _sources(ctx: Context) -> tuple[Any, carry.WalkOne] | None:
    """The map's (source key, outputs) pairs and what walks one of them (see carry.WalkOne); None: nothing to walk."""
    conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
    if isinstance(conns, dict):
        pairs: Any = conns.items()
    elif jsval.truthy(conns):
        pairs = jsval.entries(conns)
    else:
        return None
    if not pairs:
        return None
    is_list = isinstance(conns, list)
    # `oracle` compares names as the platform does (a JavaScript Set of every node's name, whatever its type).
    name_set = _oracle_name_set(ctx) if ctx.oracle else None
    primary, secondary = noderefs.lookups(ctx.names, ctx.ids, ctx.key_mode)

    def one(src: str, outputs: Any) -> tuple[bool, list[str] | None]:
        if name_set is None:
            src_index = primary.get(src)
            if src_index is None:
                src_index = secondary.get(src)
            if src_index is not None and type(outputs) is dict:
                refs = [src]
                fast = _fast_source(ctx, src, src_index, outputs, primary, secondary, refs)
                if fast is not None:
                    return fast or src not in ctx.names, refs
        else:
            src_index = _oracle_source(ctx, src, name_set)
        sptr: Pointer = ("connections",) if isinstance(conns, str) else ("connections", int(src) if is_list else src)
        if src_index is None:
            fix = retarget.source_fix(ctx, src, sptr)
            note(ctx, "INVALID_CONNECTION_SOURCE", sptr, path=f"connections.{src}", anchor="key", fix=fix, source=src)
        elif not isinstance(outputs, (dict, list)):
            note(ctx, "INVALID_CONNECTION_FORMAT", sptr, path=f"connections.{src}", source=src)
        else:
            _outputs(ctx, src, src_index, sptr, outputs, name_set)
        return _by_id(ctx, src, outputs), None

    return pairs, one


def _by_id(ctx: Context, src: str, outputs: Any) -> bool:
    """Whether a source entry names a node by id: its key or a target is an id and no name (as MIXED_CONNECTION_KEYS
    counts them)."""
    names, ids = ctx.names, ctx.ids
    if src in ids and src not in names:
        return True
    return any(type(n) is str and n in ids and n not in names for _, _, n in fixes.iter_targets({src: outputs}))


def _oracle_name_set(ctx: Context) -> set[Any]:
    nodes = ctx.wf.get("nodes") if isinstance(ctx.wf, dict) else None
    out: set[Any] = set()
    if isinstance(nodes, list):
        for node in nodes:
            if isinstance(node, dict):
                out.add(jsval.same_value_zero_key(node.get("name"), "name" in node))
            elif node is not None:
                out.add(jsval.same_value_zero_key(None, False))
    return out


def _oracle_source(ctx: Context, key: str, name_set: set[Any]) -> int | None:
    return ctx.names.get(key, -1) if jsval.same_value_zero_key(key, True) in name_set else None


def _fast_source(
    ctx: Context,
    src: str,
    src_index: int,
    outputs: dict[str, Any],
    primary: dict[str, int],
    secondary: dict[str, int],
    refs: list[str],
) -> bool | None:
    """Resolve one well-formed source's edges without allocating findings (references are looked up in primary, then
    secondary: see noderefs.lookups), adding each target's reference to refs.

    None sends the source down the full path; otherwise, whether a target was found only in secondary (by id).
    """
    found: list[tuple[int, int, Pointer]] = []
    by_id = False
    for otype, indices in outputs.items():
        if otype != "main" and otype != "error":
            return None
        if type(indices) is dict:
            items: Any = indices.items()
        elif type(indices) is list:
            items = enumerate(indices)
        else:
            return None
        for x, targets in items:
            if type(targets) is not list or (type(x) is str and not (x.isascii() and x.isdigit())):
                return None
            for j, target in enumerate(targets):
                if type(target) is not dict:
                    return None
                node = target.get("node")
                if type(node) is not str:
                    return None
                refs.append(node)
                dst = primary.get(node)
                if dst is None:
                    dst = secondary.get(node)
                    if dst is None:
                        return None
                    by_id = True
                t_type, t_index = target.get("type"), target.get("index")
                if t_type not in _TARGET_TYPES or type(t_index) is not int or t_index < 0:
                    return None
                found.append((src_index, dst, ("connections", src, otype, x, j, "node")))
    ctx.edges.extend(found)
    return by_id


def _outputs(ctx: Context, src: str, src_index: int, sptr: Pointer, outputs: Any, name_set: set[Any] | None) -> None:
    is_list = isinstance(outputs, list)
    for otype, indices in jsval.entries(outputs):
        optr = sptr + (int(otype) if is_list else otype,)
        path = f"connections.{src}.{otype}"
        if otype not in ("main", "error"):
            note(ctx, "INVALID_OUTPUT_TYPE", optr, path=path, anchor="key", type=otype)
            continue
        if not isinstance(indices, (dict, list)):
            note(ctx, "INVALID_CONNECTION_FORMAT", optr, path=path, variant="outputs")
            continue
        idx_list = isinstance(indices, list)
        for x, targets in jsval.entries(indices):
            xptr = optr + (int(x) if idx_list else x,)
            xpath = f"{path}.{x}"
            index = 0.0 if x.isascii() and x.isdigit() else jsval.parse_int(x)
            if index != index or index < 0:  # NaN or negative
                note(ctx, "INVALID_OUTPUT_INDEX", xptr, path=xpath, anchor="key", index=x)
                continue
            if not isinstance(targets, list):
                if targets is None and ctx.dialect == "n8n":
                    continue  # n8n writes null for an output with nothing connected
                note(ctx, "INVALID_CONNECTION_FORMAT", xptr, path=xpath, variant="targets")
                continue
            for j, target in enumerate(targets):
                _target(ctx, src, src_index, sptr, xptr, xpath, j, target, name_set)


def _target(
    ctx: Context,
    src: str,
    src_index: int,
    sptr: Pointer,
    xptr: Pointer,
    xpath: str,
    j: int,
    target: Any,
    name_set: set[Any] | None,
) -> None:
    tptr = xptr + (j,)
    if not isinstance(target, dict) or not jsval.truthy(target.get("node")):
        fix = fixes.remove_item(xptr, j, "Remove connection target", safe=False)
        note(ctx, "INVALID_CONNECTION_TARGET", tptr, path=xpath, fix=fix)
        return
    node = target["node"]
    if name_set is not None:
        found = jsval.same_value_zero_key(node, True) in name_set
        dst = ctx.names.get(node) if isinstance(node, str) else None
    else:
        dst = ctx.resolve(node)
        found = dst is not None
    if not found:
        note(
            ctx,
            "INVALID_CONNECTION_TARGET_NODE",
            tptr + ("node",),
            path=xpath,
            related=[Related(f'Connection from "{src}"', sptr, "key")],
            fix=retarget.target_fix(ctx, node, xptr, j),
            node=jsval.to_str(node),
        )
    elif dst is not None and src_index >= 0:
        ctx.edges.append((src_index, dst, tptr + ("node",)))
    _walked(ctx).append((target, tptr, xpath))


def _walked(ctx: Context) -> list[tuple[dict[str, Any], Pointer, str]]:
    """(target, pointer, platform path) of every target object the walk checked one by one (the others passed its fast
    path: a well-formed source whose targets all have a valid type and index)."""
    found: list[tuple[dict[str, Any], Pointer, str]] | None = ctx.memo.get(carry.TARGETS)
    if found is None:
        found = ctx.memo[carry.TARGETS] = []
    return found


@rule("INVALID_CONNECTION_TARGET_PORT")
def invalid_connection_target_port(ctx: Context) -> None:
    """A target `type` other than main, error or condition, or an `index` that is not a non-negative integer."""
    walk(ctx)
    for target, tptr, xpath in _walked(ctx):
        if "type" in target and target["type"] not in _TARGET_TYPES:
            fix = fixes.replace_value(tptr + ("type",), "main", "Set target type to 'main'", safe=False)
            ctx.report(
                "INVALID_CONNECTION_TARGET_PORT",
                tptr + ("type",),
                path=xpath,
                fix=fix,
                type=fixes.dumps(target["type"]),
            )
        if "index" in target:
            idx = target["index"]
            if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
                ctx.report(
                    "INVALID_CONNECTION_TARGET_PORT",
                    tptr + ("index",),
                    path=xpath,
                    variant="index",
                    index=fixes.dumps(idx),
                )


@rule("MISSING_CONNECTION_TARGET_PORT")
def missing_connection_target_port(ctx: Context) -> None:
    """A target without a `type` or an `index`."""
    walk(ctx)
    for target, tptr, xpath in _walked(ctx):
        if "type" not in target or "index" not in target:
            missing = " and ".join(k for k in ("type", "index") if k not in target)
            ctx.report("MISSING_CONNECTION_TARGET_PORT", tptr, path=xpath, missing=missing)


@rule("MIXED_CONNECTION_KEYS")
def mixed_connection_keys(ctx: Context) -> None:
    """In auto mode, report a map that uses names for some references and ids for others."""
    walk(ctx)
    conns = ctx.wf.get("connections")
    if ctx.key_mode != "auto" or not isinstance(conns, dict) or not ctx.by_id:
        return
    kept, keep = carry.after_walk(ctx, _MIXED)
    found = kept[0] if kept is not None else _mixed(ctx, conns)
    keep(found)
    if found is not None:
        at, anchor, fix, names, ids = found
        ctx.report("MIXED_CONNECTION_KEYS", at, path="connections", anchor=anchor, fix=fix, names=names, ids=ids)


#: what an editor's next version takes from the last one's when the walk took every entry from it (see carry.after_walk)
_MIXED = "connections.mixed"


def _mixed(ctx: Context, conns: dict[str, Any]) -> tuple[Pointer, Anchor, FixPlan | None, int, int] | None:
    """Where MIXED_CONNECTION_KEYS reports (the first reference of the less used convention), its fix and counts."""
    names, ids = ctx.names, ctx.ids
    n_name = n_id = 0
    first_id: Pointer | None = None
    first_name: Pointer | None = None
    for src in conns:
        if src in names:
            if src not in ids:
                n_name += 1
                first_name = first_name or ("connections", src)
        elif src in ids:
            n_id += 1
            first_id = first_id or ("connections", src)
    for lptr, j, node in ctx.targets():
        if not isinstance(node, str):
            continue
        if node in names:
            if node not in ids:
                n_name += 1
                first_name = first_name or lptr + (j, "node")
        elif node in ids:
            n_id += 1
            first_id = first_id or lptr + (j, "node")
    if not n_name or not n_id:
        return None
    at = first_id if n_id <= n_name else first_name
    assert at is not None
    return at, "key" if at[-1] != "node" else "value", fixes.combine(*_rekey_plans(ctx, conns)), n_name, n_id


def _rekey_plans(ctx: Context, conns: dict[str, Any]) -> list[FixPlan | None]:
    """Rewrites of the references that use the other convention, to node names and to node ids (only those: usually
    the few odd ones out), from one pass over the references."""
    edits: dict[str, list[tuple[Pointer, str, Any]] | None] = {"name": [], "id": []}
    # A reference that resolves as a name names its node by that very name: only a rewrite to ids can concern it.
    names_first = ctx.key_mode != "id"
    for ref, lptr, j in _references(ctx, conns):
        if names_first and edits["id"] is None and ref in ctx.names:
            continue
        index = ctx.resolve(ref)
        node = ctx.nodes[index] if index is not None else None
        if not isinstance(node, dict):
            continue
        for style, found in edits.items():
            new = node.get(style)
            if found is None or not isinstance(new, str) or not new or new == ref:
                continue
            found.append((("connections", ref), "key", new) if lptr is None else (lptr + (j, "node"), "value", new))
            if len(found) > MAX_REKEY_EDITS:
                edits[style] = None  # a rewrite this large is a job for `check --fix` per file, not one editor action
        if edits["name"] is None and edits["id"] is None:
            break
    return [
        fixes.replace_values(found, f"Key all connections by node {style}", safe=True) if found else None
        for style, found in edits.items()
    ]


def _references(ctx: Context, conns: dict[str, Any]) -> Iterator[tuple[str, Pointer | None, int]]:
    """(reference, target-list pointer, position) for every source key (pointer None) and every string target."""
    for src in conns:
        yield src, None, 0
    for lptr, j, node in ctx.targets():
        if isinstance(node, str):
            yield node, lptr, j


@rule("DUPLICATE_CONNECTION")
def duplicate_connection(ctx: Context) -> None:
    """One output that lists the same target (node, type, index) twice; the fix removes the repeat."""
    conns = ctx.wf.get("connections")
    if not isinstance(conns, dict):
        return
    for src, outputs in conns.items():
        if type(outputs) is not dict:
            continue
        for otype, indices in outputs.items():
            items = indices.items() if type(indices) is dict else enumerate(indices) if type(indices) is list else ()
            for x, targets in items:
                # Most lists hold one target, or several to distinct nodes: only a repeated node needs a closer look.
                if type(targets) is list and len(targets) > 1:
                    named = [t["node"] for t in targets if type(t) is dict and type(t.get("node")) is str]
                    if len(set(named)) < len(named):
                        _repeated_targets(ctx, ("connections", src, otype, x), targets)


def _repeated_targets(ctx: Context, lptr: Pointer, targets: list[Any]) -> None:
    seen: set[tuple[Any, ...]] = set()
    for j, target in enumerate(targets):
        if type(target) is not dict or type(target.get("node")) is not str:
            continue
        key = tuple((k, v) for k, v in sorted(target.items()) if isinstance(v, (str, int, float, bool)) or v is None)
        if len(key) != len(target):
            continue  # a nested value: not compared
        if key in seen:
            fix = fixes.remove_item(lptr, j, "Remove the repeated connection", safe=False)
            ctx.report("DUPLICATE_CONNECTION", lptr + (j,), path=".".join(map(str, lptr)), fix=fix, node=target["node"])
        seen.add(key)
