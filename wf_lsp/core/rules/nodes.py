"""Node rules: names, ids, types and parameters (the real validator's P1/P2 passes, plus duplicate ids)."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.findings import Pointer, Related
from wf_lsp.core.fix import fixes
from wf_lsp.core.js import jsval
from wf_lsp.core.rules.carry import per_node
from wf_lsp.core.rules.context import Context, FixPlan
from wf_lsp.core.rules.rule import rule


@rule("DUPLICATE_NODE_NAME")
def duplicate_node_name(ctx: Context) -> None:
    """The platform's P1: names repeated across nodes (Set semantics), reported at the later node."""
    nodes_value = ctx.wf.get("nodes")
    if isinstance(nodes_value, str):
        _string_duplicates(ctx, nodes_value)
    # As many distinct string names as nodes: every node is an object with its own name, so no name repeats.
    elif isinstance(nodes_value, list) and len(ctx.names) != len(nodes_value):
        _duplicate_names(ctx, nodes_value)


@rule("INVALID_NODE")
def invalid_node(ctx: Context) -> None:
    """A node that is null or not an object."""
    for i, node in _irregular(ctx):
        # The platform crashes on a null node only: `oracle` reports a primitive node as the platform reads it.
        if node is None or (not isinstance(node, dict) and not ctx.oracle):
            ctx.report("INVALID_NODE", ("nodes", i), kind=_kind(node))


@rule("MISSING_NODE_ID")
def missing_node_id(ctx: Context) -> None:
    """A node whose id is missing, falsy or only whitespace (as JavaScript reads it)."""
    _missing(ctx, "id", "MISSING_NODE_ID")


@rule("MISSING_NODE_NAME")
def missing_node_name(ctx: Context) -> None:
    """A node whose name is missing, falsy or only whitespace (as JavaScript reads it)."""
    _missing(ctx, "name", "MISSING_NODE_NAME")


@rule("MISSING_NODE_TYPE")
def missing_node_type(ctx: Context) -> None:
    """A node whose type is missing, falsy or only whitespace (as JavaScript reads it)."""
    _missing(ctx, "type", "MISSING_NODE_TYPE")


@rule("INVALID_NODE_FIELD_TYPE")
def invalid_node_field_type(ctx: Context) -> None:
    """A node id, name or type that is truthy but not a string (the platform's trim() throws on it)."""
    for i, node in _irregular(ctx):
        if isinstance(node, dict):
            for field in _FIELDS:
                value = node.get(field)
                if field in node and jsval.truthy(value) and not isinstance(value, str):
                    ctx.report("INVALID_NODE_FIELD_TYPE", ("nodes", i, field), field=field, kind=_kind(value))


@rule("OBJECT_SERIALIZATION_FAILURE")
def object_serialization_failure(ctx: Context) -> None:
    """A top-level parameter whose value is the string "[object Object]"."""
    for _, _key, _value, ptr, path in _parameters(ctx)[0]:
        ctx.report("OBJECT_SERIALIZATION_FAILURE", ptr, path=path)


@rule("NESTED_NODE_ATTRIBUTES")
def nested_node_attributes(ctx: Context) -> None:
    """A node-level attribute (name, typeVersion, position) among the parameters."""
    for _, key, _value, ptr, path in _parameters(ctx)[1]:
        ctx.report("NESTED_NODE_ATTRIBUTES", ptr, path=path, anchor="key", key=key)


@rule("EXCESSIVE_PARAMETER_NESTING")
def excessive_parameter_nesting(ctx: Context) -> None:
    """Parameters wrapped in `parameters` more than twice."""
    for _, _key, value, ptr, path in _parameters(ctx)[2]:
        depth = _nesting_depth(value)
        if depth > 2:
            ctx.report("EXCESSIVE_PARAMETER_NESTING", ptr, path=path, anchor="key", depth=depth)


@rule("TIMEOUT_TOO_SHORT")
def timeout_too_short(ctx: Context) -> None:
    """A node timeout under 1000 ms (as Number() reads it)."""
    for i, t, n in _timeouts(ctx):
        if n < 1000:
            ptr = ("nodes", i, "timeout")
            fix = fixes.replace_value(ptr, 1000, "Raise timeout to 1000 ms", safe=False)
            ctx.report("TIMEOUT_TOO_SHORT", ptr, fix=fix, timeout=jsval.to_str(t))


@rule("TIMEOUT_TOO_LONG")
def timeout_too_long(ctx: Context) -> None:
    """A node timeout over an hour (as Number() reads it)."""
    for i, t, n in _timeouts(ctx):
        if n > 3600000:
            ptr = ("nodes", i, "timeout")
            fix = fixes.replace_value(ptr, 3600000, "Lower timeout to 3600000 ms", safe=False)
            ctx.report("TIMEOUT_TOO_LONG", ptr, fix=fix, timeout=jsval.to_str(t))


@rule("DUPLICATE_NODE_ID")
def duplicate_node_id(ctx: Context) -> None:
    """Two nodes with the same id (later ones reported, with a fix that gives a fresh id)."""
    nodes_value = ctx.wf.get("nodes")
    if isinstance(nodes_value, list) and len(ctx.ids) != len(nodes_value):
        _duplicate_ids(ctx, nodes_value)


_SPECIAL_PARAMS = frozenset({"name", "typeVersion", "position", "parameters"})
_JS_SPACE = frozenset(jsval._JS_SPACE)


def _plain(node: dict[str, Any]) -> bool:
    """True when the platform's per-node checks cannot fire (the common case, decided without allocating)."""
    for field in ("id", "name", "type"):
        v = node.get(field)
        if type(v) is not str or not v or v[0] in _JS_SPACE:
            return False
    if node.get("timeout") is not None:
        return False
    params = node.get("parameters")
    if params is None:
        return True
    if type(params) is not dict:
        return False
    return "[object Object]" not in params.values() and _SPECIAL_PARAMS.isdisjoint(params)


def _duplicate_names(ctx: Context, nodes: list[Any]) -> None:
    # String names are looked up in the node index (first position per name); other values keep Set semantics here.
    seen: dict[Any, int] = {}
    primitive_first: dict[Any, int] | None = None
    for i, node in enumerate(nodes):
        if node is None:
            continue  # reported as INVALID_NODE; the platform would crash here
        present = isinstance(node, dict) and "name" in node
        name = node.get("name") if isinstance(node, dict) else None
        if isinstance(name, str):
            first = ctx.names[name]
            if first == i:
                continue
        else:
            key = jsval.same_value_zero_key(name, present)
            if key not in seen:
                seen[key] = i
                continue
            first = seen[key]
        # The platform reports nodes.indexOf(node): for a primitive, the first strictly equal element (1 and true
        # differ).
        if isinstance(node, (dict, list)):
            index = i
        else:
            if primitive_first is None:
                primitive_first = {}
                for j, other in enumerate(nodes):
                    if other is not None and not isinstance(other, (dict, list)):
                        primitive_first.setdefault(jsval.same_value_zero_key(other, True), j)
            index = primitive_first[jsval.same_value_zero_key(node, True)]
        label = jsval.to_str(name, missing=not present)
        ctx.report(
            "DUPLICATE_NODE_NAME",
            ("nodes", index, "name"),
            related=[Related(f'"{label}" is first used by nodes[{first}]', ("nodes", first, "name"))],
            fix=_rename_duplicate(ctx, index, name) if isinstance(name, str) else None,
            name=label,
        )


_FIELDS = ("id", "name", "type")


def _irregular(ctx: Context) -> list[tuple[int, Any]]:
    """(index, node) for every node the platform's P2 may report, in order (computed once per run; for an editor's
    next version, each node's answer kept by carry.per_node)."""
    found: list[tuple[int, Any]] | None = ctx.memo.get("nodes.irregular")
    if found is None:
        nodes = ctx.wf.get("nodes")
        items = list(enumerate(nodes)) if isinstance(nodes, list) else []
        plain = per_node(ctx, "nodes.plain", items, lambda _, node: type(node) is dict and _plain(node))
        found = ctx.memo["nodes.irregular"] = [item for item, skip in zip(items, plain, strict=True) if not skip]
    return found


def _missing(ctx: Context, field: str, code: str) -> None:
    nodes = ctx.wf.get("nodes")
    if isinstance(nodes, str):
        # P2 walks a string's UTF-16 code units: none has an id, name or type.
        for i in range(jsval.utf16_len(nodes)):
            ctx.report(code, ("nodes",), path=f"nodes[{i}].{field}")
        return
    for i, node in _irregular(ctx):
        if node is None:
            continue  # the platform crashes here (INVALID_NODE)
        if not isinstance(node, dict):
            ctx.report(code, ("nodes", i), path=f"nodes[{i}].{field}")  # a primitive node: every property is undefined
            continue
        value = node.get(field)
        if not jsval.truthy(value) or (isinstance(value, str) and not jsval.trim(value)):
            ctx.report(code, ("nodes", i, field))


_Entry = tuple[int, str, Any, Pointer, str]
#: per parameter rule (OBJECT_SERIALIZATION_FAILURE, NESTED_NODE_ATTRIBUTES, EXCESSIVE_PARAMETER_NESTING), the
#: top-level parameters it reports (or may: the nesting depth is the rule's to check), in document order
_Hits = tuple[list[_Entry], list[_Entry], list[_Entry]]


def _parameters(ctx: Context) -> _Hits:
    """The top-level parameters of the irregular nodes that each parameter rule reports, as (node index, key, value,
    pointer, platform path); computed once per run, each node's kept by carry.per_node."""
    found: _Hits | None = ctx.memo.get("nodes.parameters")
    if found is None:
        found = ctx.memo["nodes.parameters"] = ([], [], [])
        for hits in per_node(ctx, "nodes.parameters", _irregular(ctx), _node_parameters):
            for into, more in zip(found, hits, strict=True):
                into.extend(more)
    return found


def _node_parameters(i: int, node: Any) -> _Hits:
    """One node's part of _parameters."""
    hits: _Hits = ([], [], [])
    params = node.get("parameters") if isinstance(node, dict) else None
    if not jsval.truthy(params):
        return hits
    is_list, is_str = isinstance(params, list), isinstance(params, str)
    for key, value in jsval.entries(params):
        serialized = value == "[object Object]" and isinstance(value, str)
        nested = key in ("name", "typeVersion", "position")
        wrapped = key == "parameters" and isinstance(value, (dict, list))
        if serialized or nested or wrapped:
            ptr: Pointer = ("nodes", i, "parameters", int(key) if is_list else key)
            entry = (i, key, value, ("nodes", i, "parameters") if is_str else ptr, f"nodes[{i}].parameters.{key}")
            for kind, hit in enumerate((serialized, nested, wrapped)):
                if hit:
                    hits[kind].append(entry)
    return hits


def _timeouts(ctx: Context) -> list[tuple[int, Any, float]]:
    """(node index, timeout, its Number() value) of every irregular node with a truthy timeout."""
    found: list[tuple[int, Any, float]] | None = ctx.memo.get("nodes.timeouts")
    if found is None:
        found = ctx.memo["nodes.timeouts"] = [
            (i, t, jsval.to_number(t))
            for i, node in _irregular(ctx)
            if isinstance(node, dict) and jsval.truthy(t := node.get("timeout"))
        ]
    return found


def _nesting_depth(obj: Any) -> int:
    depth = 1
    while isinstance(obj, dict):
        inner = obj.get("parameters")
        if not (jsval.truthy(inner) and isinstance(inner, (dict, list))):
            break
        obj, depth = inner, depth + 1
    return depth


def _duplicate_ids(ctx: Context, nodes: list[Any]) -> None:
    first: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue
        node_id = node.get("id")
        if not isinstance(node_id, str) or not node_id:
            continue
        if node_id in first:
            ctx.report(
                "DUPLICATE_NODE_ID",
                ("nodes", i, "id"),
                related=[
                    Related(f'"{node_id}" is first used by nodes[{first[node_id]}]', ("nodes", first[node_id], "id"))
                ],
                fix=_rename_duplicate_id(ctx, i, node_id),
                id=node_id,
            )
        else:
            first[node_id] = i


def _string_duplicates(ctx: Context, text: str) -> None:
    """`nodes` is a string: the platform iterates it without crashing, so `oracle` reports exactly what it reports.

    P1 walks code points (for..of): every name is undefined, so each character after the first collides, reported at
    `nodes.indexOf(char)`, the UTF-16 offset of the character's first occurrence (a lone surrogate also matches half
    of a pair).
    """
    first: dict[str, int] = {}
    offset = 0
    for ch in text:
        first.setdefault(ch, offset)
        if ord(ch) > 0xFFFF:
            (_, high), (_, low) = jsval.entries(ch)
            first[high] = min(first.get(high, offset), offset)
            first[low] = min(first.get(low, offset + 1), offset + 1)
        offset += 2 if ord(ch) > 0xFFFF else 1
    for n, ch in enumerate(text):
        if n:
            ctx.report("DUPLICATE_NODE_NAME", ("nodes",), path=f"nodes[{first[ch]}].name", name="undefined")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _rename_duplicate(ctx: Context, index: int, name: str) -> FixPlan:
    """Rename a later node whose name repeats an earlier one's."""
    new = fixes.free_name(set(ctx.names), name)
    referenced = _name_referenced(ctx, name)
    return fixes.replace_values(
        [(("nodes", index, "name"), "value", new)], f"Rename duplicate node to '{new}'", safe=not referenced
    )


def _rename_duplicate_id(ctx: Context, index: int, node_id: str) -> FixPlan:
    """Give a node whose id repeats an earlier one's a fresh id."""
    n = 2
    while f"{node_id}_{n}" in ctx.ids:
        n += 1
    new = f"{node_id}_{n}"
    return fixes.replace_values([(("nodes", index, "id"), "value", new)], f"Change duplicate id to '{new}'", safe=False)


def _name_referenced(ctx: Context, name: str) -> bool:
    if ctx.referenced is None:
        conns = ctx.wf.get("connections") if isinstance(ctx.wf, dict) else None
        refs: set[str] = set()
        if isinstance(conns, dict):
            refs.update(conns)
            refs.update(t for _, _, t in ctx.targets() if isinstance(t, str))
        ctx.referenced = refs
    return name in ctx.referenced
