"""Node rules: names, ids, types and parameters (the real validator's P1/P2 passes, plus duplicate ids)."""

from __future__ import annotations

from typing import Any

from wf_lsp.core import jsval
from wf_lsp.core.context import Context
from wf_lsp.core.findings import Related
from wf_lsp.core.rules import fixes


def check(ctx: Context) -> None:
    """Run the node checks in the platform's order: duplicate names first, then each node."""
    nodes_value = ctx.wf.get("nodes") if isinstance(ctx.wf, dict) else None
    if isinstance(nodes_value, str):
        _string_nodes(ctx, nodes_value)
        return
    if not isinstance(nodes_value, list):
        return
    # As many distinct string names as nodes: every node is an object with its own name, so no name repeats.
    if len(ctx.names) != len(nodes_value):
        _duplicate_names(ctx, nodes_value)
    for i, node in enumerate(nodes_value):
        if type(node) is dict and _plain(node):
            continue
        _node(ctx, i, node)
    if len(ctx.ids) != len(nodes_value):
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
        # The platform reports nodes.indexOf(node): for a primitive, the first strictly equal element (1 and true differ).
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
        ctx.add(
            "DUPLICATE_NODE_NAME",
            f'Duplicate node name: "{label}"',
            f"nodes[{index}].name",
            ("nodes", index, "name"),
            related=[Related(f'"{label}" is first used by nodes[{first}]', ("nodes", first, "name"))],
            fix=fixes.rename_duplicate(ctx, index, name) if isinstance(name, str) else None,
        )


def _required_string(ctx: Context, i: int, node: dict[str, Any], field: str, code: str, message: str) -> None:
    present = field in node
    value = node.get(field)
    if not jsval.truthy(value):
        ctx.add(code, message, f"nodes[{i}].{field}", ("nodes", i, field))
    elif isinstance(value, str):
        if not jsval.trim(value):
            ctx.add(code, message, f"nodes[{i}].{field}", ("nodes", i, field))
    elif present:
        ctx.add(
            "INVALID_NODE_FIELD_TYPE",
            f"Node {field} must be a string, got {_kind(value)}",
            f"nodes[{i}].{field}",
            ("nodes", i, field),
        )


def _node(ctx: Context, i: int, node: Any) -> None:
    if node is None or not isinstance(node, dict):
        if node is None or ctx.settings.profile != "oracle":
            ctx.add("INVALID_NODE", f"Node must be an object, got {_kind(node)}", f"nodes[{i}]", ("nodes", i))
        if node is None:
            return
        # A primitive node: every property reads as undefined.
        for field, code, msg in _REQUIRED:
            ctx.add(code, msg, f"nodes[{i}].{field}", ("nodes", i))
        return
    for field, code, msg in _REQUIRED:
        _required_string(ctx, i, node, field, code, msg)
    _parameters(ctx, i, node.get("parameters"))
    _timeout(ctx, i, node)


_REQUIRED = (
    ("id", "MISSING_NODE_ID", "Node id is required and cannot be empty"),
    ("name", "MISSING_NODE_NAME", "Node name is required and cannot be empty"),
    ("type", "MISSING_NODE_TYPE", "Node type is required and cannot be empty"),
)


def _parameters(ctx: Context, i: int, params: Any) -> None:
    if not jsval.truthy(params):
        return
    base = f"nodes[{i}].parameters"
    is_list = isinstance(params, list)
    for key, value in jsval.entries(params):
        part: str | int = int(key) if is_list else key
        ptr = ("nodes", i, "parameters", part) if not isinstance(params, str) else ("nodes", i, "parameters")
        if value == "[object Object]" and isinstance(value, str):
            ctx.add(
                "OBJECT_SERIALIZATION_FAILURE",
                'Parameter value is "[object Object]" - object was not properly serialized',
                f"{base}.{key}",
                ptr,
            )
        if key in ("name", "typeVersion", "position"):
            ctx.add(
                "NESTED_NODE_ATTRIBUTES",
                f'Node-level attribute "{key}" found in parameters. This indicates nested parameter wrapping.',
                f"{base}.{key}",
                ptr,
                anchor="key",
            )
        if key == "parameters" and isinstance(value, (dict, list)):
            depth = _nesting_depth(value)
            if depth > 2:
                ctx.add(
                    "EXCESSIVE_PARAMETER_NESTING",
                    f"Parameters are nested too deeply (depth: {depth}). Maximum depth should be 2.",
                    f"{base}.{key}",
                    ptr,
                    anchor="key",
                )


def _nesting_depth(obj: Any) -> int:
    depth = 1
    while isinstance(obj, dict):
        inner = obj.get("parameters")
        if not (jsval.truthy(inner) and isinstance(inner, (dict, list))):
            break
        obj, depth = inner, depth + 1
    return depth


def _timeout(ctx: Context, i: int, node: dict[str, Any]) -> None:
    t = node.get("timeout")
    if not jsval.truthy(t):
        return
    n = jsval.to_number(t)
    ptr = ("nodes", i, "timeout")
    if n < 1000:
        ctx.add(
            "TIMEOUT_TOO_SHORT",
            f"Node timeout is very short ({jsval.to_str(t)}ms). Minimum recommended: 1000ms",
            f"nodes[{i}].timeout",
            ptr,
            fix=fixes.replace_value(ptr, 1000, "Raise timeout to 1000 ms", safe=False),
        )
    if n > 3600000:
        ctx.add(
            "TIMEOUT_TOO_LONG",
            f"Node timeout is very long ({jsval.to_str(t)}ms). Maximum recommended: 3600000ms",
            f"nodes[{i}].timeout",
            ptr,
            fix=fixes.replace_value(ptr, 3600000, "Lower timeout to 3600000 ms", safe=False),
        )


def _duplicate_ids(ctx: Context, nodes: list[Any]) -> None:
    if not ctx.on("DUPLICATE_NODE_ID"):
        return
    first: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict):
            continue
        node_id = node.get("id")
        if not isinstance(node_id, str) or not node_id:
            continue
        if node_id in first:
            ctx.add(
                "DUPLICATE_NODE_ID",
                f'Duplicate node id: "{node_id}"',
                f"nodes[{i}].id",
                ("nodes", i, "id"),
                related=[Related(f'"{node_id}" is first used by nodes[{first[node_id]}]', ("nodes", first[node_id], "id"))],
                fix=fixes.rename_duplicate_id(ctx, i, node_id),
            )
        else:
            first[node_id] = i


def _string_nodes(ctx: Context, text: str) -> None:
    """`nodes` is a string: the platform iterates it without crashing, so `oracle` reports exactly what it reports.

    P1 walks code points (for..of): every name is undefined, so each character after the first collides, reported at
    `nodes.indexOf(char)`, the UTF-16 offset of the character's first occurrence (a lone surrogate also matches half
    of a pair). P2 walks UTF-16 code units: each has no id, name or type.
    """
    if not ctx.oracle:
        ctx.add("INVALID_NODES", 'Workflow "nodes" must be an array, got a string', "nodes", ("nodes",))
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
            ctx.add("DUPLICATE_NODE_NAME", 'Duplicate node name: "undefined"', f"nodes[{first[ch]}].name", ("nodes",))
    for i in range(offset):
        for field, code, msg in _REQUIRED:
            ctx.add(code, msg, f"nodes[{i}].{field}", ("nodes",))


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
