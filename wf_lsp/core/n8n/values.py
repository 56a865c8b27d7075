"""Parameter values n8n's editor rejects: a value outside an options list, or of the wrong type (expressions pass)."""

from __future__ import annotations

from typing import Any

from wf_lsp.core.n8n.display import displayed

#: typeOptions that make a parameter's options dynamic (loaded from the service): any value may be valid
_DYNAMIC = ("loadOptionsMethod", "loadOptions", "loadOptionsDependsOn")


def _expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _static_options(p: dict[str, Any]) -> list[Any] | None:
    type_options = p.get("typeOptions")
    if isinstance(type_options, dict) and any(k in type_options for k in _DYNAMIC):
        return None
    options = p.get("options")
    if not isinstance(options, list) or not options or not all(isinstance(o, dict) and "value" in o for o in options):
        return None
    return [o["value"] for o in options]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def problems(
    props: list[Any], given: dict[str, Any], resolved: dict[str, Any], node: dict[str, Any], desc: dict[str, Any]
) -> list[tuple[str, str]]:
    """(parameter name, message) for every top-level value the node sets that n8n's editor would not accept."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for p in props:
        if not isinstance(p, dict):
            continue
        name = p.get("name")
        if not isinstance(name, str) or name not in given or name in seen or not displayed(resolved, p, node, desc):
            continue
        seen.add(name)
        value = given[name]
        if _expression(value) and p.get("noDataExpression") and not str(value).startswith("={{ $fromAI("):
            out.append(
                (name, f'"{p.get("displayName")}" does not accept an expression (n8n reads it as the text after "=")')
            )
            continue
        if value is None or _expression(value):
            continue
        ptype = p.get("type")
        if ptype == "options":
            allowed = _static_options(p)
            if allowed is not None and not any(_same(value, a) for a in allowed):
                out.append((name, f'The value {_describe(value)} is not supported for "{p.get("displayName")}"'))
        elif ptype == "multiOptions":
            allowed = _static_options(p)
            if allowed is not None and isinstance(value, list):
                for item in value:
                    if not _expression(item) and not any(_same(item, a) for a in allowed):
                        out.append((name, f'The value {_describe(item)} is not supported for "{p.get("displayName")}"'))
        elif ptype == "boolean" and not isinstance(value, bool):
            out.append((name, f'"{p.get("displayName")}" expects a boolean but got {_describe(value)}'))
        elif ptype == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            out.append((name, f'"{p.get("displayName")}" expects a number but got {_describe(value)}'))
        elif ptype in ("collection", "fixedCollection") and not isinstance(value, (dict, list)):
            out.append((name, f'"{p.get("displayName")}" expects an object but got {_describe(value)}'))
    return out
