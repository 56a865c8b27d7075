"""A catalogue file is data from disk: coerce its shape at load so no rule meets a list where it needs an object."""

from __future__ import annotations

from typing import Any

_EMPTY: dict[str, Any] = {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _conditions(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    for key in ("show", "hide"):
        rule = value.get(key)
        if rule is None:
            continue
        if not isinstance(rule, dict):
            value[key] = {}
        elif not all(isinstance(k, str) and isinstance(v, list) for k, v in rule.items()):
            value[key] = {k: v for k, v in rule.items() if isinstance(k, str) and isinstance(v, list)}
    return value


def prop(p: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """One parameter (freshly loaded, changed in place) with every field rules read in the type they expect."""
    if not isinstance(p.get("name"), str):
        p["name"] = str(p.get("name"))
    if "displayOptions" in p:
        p["displayOptions"] = _conditions(p["displayOptions"])
    if "typeOptions" in p and not isinstance(p["typeOptions"], dict):
        p["typeOptions"] = {}
    for key in ("options", "values", "modes"):
        items = p.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or depth > 20:
            p[key] = []
            continue
        if not all(isinstance(v, dict) for v in items):
            items = p[key] = (
                [v if isinstance(v, dict) else {"name": str(v), "value": v} for v in items]
                if key == "options"
                else _dicts(items)
            )
        for v in items:
            if "name" in v or "options" in v or "values" in v or "displayOptions" in v:
                prop(v, depth + 1)
    return p


def description(d: Any) -> dict[str, Any]:
    """One node description: properties, credentials, inputs and outputs in their expected shapes."""
    if not isinstance(d, dict):
        return dict(_EMPTY, properties=[], credentials=[], inputs=[], outputs=[])
    out = d
    out["properties"] = [prop(p) for p in _dicts(d.get("properties"))]
    out["credentials"] = [c for c in _dicts(d.get("credentials")) if isinstance(c.get("name"), str)]
    for key in ("inputs", "outputs"):
        v = d.get(key)
        out[key] = (
            v
            if isinstance(v, str)
            else [x for x in v if isinstance(x, str) or (isinstance(x, dict) and isinstance(x.get("type"), str))]
            if isinstance(v, list)
            else []
        )
    if not isinstance(out.get("features"), dict):
        out["features"] = None
    return out


def types(raw: Any, count: int) -> dict[str, dict[str, Any]]:
    """Type name -> {versions: {version: description index}} keeping only entries that point at a description."""
    out: dict[str, dict[str, Any]] = {}
    if not isinstance(raw, dict):
        return out
    for name, entry in raw.items():
        if not isinstance(name, str) or not isinstance(entry, dict) or not isinstance(entry.get("versions"), dict):
            continue
        versions = {
            str(k): v
            for k, v in entry["versions"].items()
            if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < count and _number(k)
        }
        if versions:
            out[name] = {**entry, "versions": versions}
    return out


def _number(text: Any) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True
