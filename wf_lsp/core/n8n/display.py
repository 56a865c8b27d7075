"""n8n's display rules: whether a parameter is shown for a node's values and version (`displayOptions` show/hide)."""

from __future__ import annotations

import re
from typing import Any

_PATH = re.compile(r"[^.\[\]]+")
_MISSING = object()


def get_path(obj: Any, path: str) -> Any:
    """A value by a dotted path with [index] parts (lodash `get`); _MISSING when absent."""
    for part in _PATH.findall(path):
        if isinstance(obj, dict):
            if part not in obj:
                return _MISSING
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return _MISSING
    return obj


def missing(value: Any) -> bool:
    """True for the marker of an absent value (JavaScript's undefined)."""
    return value is _MISSING


MISSING = _MISSING


def js_equal(a: Any, b: Any) -> bool:
    """Deep equality as lodash isEqual / SameValueZero: booleans never equal numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(js_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(js_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _compare(a: Any, b: Any, op: str) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or a is _MISSING or a is None:
        return False
    try:
        if op == "gte":
            return bool(a >= b)
        if op == "lte":
            return bool(a <= b)
        if op == "gt":
            return bool(a > b)
        return bool(a < b)
    except TypeError:
        return False


def _condition(key: str, target: Any, value: Any) -> bool:
    if key == "eq":
        return js_equal(value, target)
    if key == "not":
        return not js_equal(value, target)
    if key in ("gte", "lte", "gt", "lt"):
        return _compare(value, target, key)
    if key == "between":
        return (
            isinstance(target, dict)
            and _compare(value, target.get("from"), "gte")
            and _compare(value, target.get("to"), "lte")
        )
    if key in ("includes", "startsWith", "endsWith", "regex"):
        if not isinstance(value, str) or not isinstance(target, str):
            return False
        if key == "includes":
            return target in value
        if key == "startsWith":
            return value.startswith(target)
        if key == "endsWith":
            return value.endswith(target)
        try:
            return re.search(target, value) is not None
        except re.error:
            return False
    if key == "exists":
        return value is not None and value is not _MISSING and value != ""
    return False


def check_conditions(conditions: Any, values: list[Any]) -> bool:
    """Whether any condition matches the values (a plain value: membership; `_cnd`: an operator over every value)."""
    if not isinstance(conditions, list):
        return False
    for cond in conditions:
        if isinstance(cond, dict) and len(cond) == 1 and isinstance(cond.get("_cnd"), dict) and cond["_cnd"]:
            key, target = next(iter(cond["_cnd"].items()))
            if not values:
                if key == "not":
                    return True
                continue
            if all(_condition(key, target, v) for v in values):
                return True
        elif any(js_equal(v, cond) for v in values if v is not _MISSING):
            return True
    return False


def _property_values(values: Any, name: str, node: dict[str, Any], desc: dict[str, Any], root: Any) -> list[Any]:
    if name.startswith("/"):
        value = get_path(root, name[1:])
    elif name == "@version":
        v = node.get("typeVersion")
        value = v if v else 0
    elif name == "@tool":
        value = str(desc.get("name") or "").endswith("Tool")
    elif name == "@feature":
        return _features(desc.get("features"), node.get("typeVersion"))
    else:
        value = get_path(values, name)
    if isinstance(value, dict) and value.get("__rl"):
        value = value.get("value", _MISSING)
    return list(value) if isinstance(value, list) else [value]


def _features(defs: Any, version: Any) -> list[Any]:
    if not isinstance(defs, dict) or not version:
        return []
    return [
        name
        for name, cond in defs.items()
        if isinstance(cond, dict) and check_conditions(cond.get("@version"), [version])
    ]


def displayed(values: Any, prop: dict[str, Any], node: dict[str, Any], desc: dict[str, Any], root: Any = None) -> bool:
    """Whether n8n shows a parameter: every `show` rule matches (an expression shows it) and no `hide` rule does."""
    opts = prop.get("displayOptions")
    if not opts or not isinstance(opts, dict):
        return True
    root = values if root is None else root
    show, hide = opts.get("show"), opts.get("hide")
    if isinstance(show, dict):
        for name, conds in show.items():
            vals = _property_values(values, name, node, desc, root)
            if any(isinstance(v, str) and v.startswith("=") for v in vals):
                return True
            if not check_conditions(conds, vals):
                return False
    if isinstance(hide, dict):
        for name, conds in hide.items():
            vals = _property_values(values, name, node, desc, root)
            if vals and check_conditions(conds, vals):
                return False
    return True
