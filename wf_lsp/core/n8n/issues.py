"""n8n's getNodeParametersIssues over resolved parameters: required values, resource locators, mappers, types."""

from __future__ import annotations

import re
from typing import Any

from wf_lsp.core.n8n import validate
from wf_lsp.core.n8n.display import MISSING, displayed, get_path

_LOCATOR_TYPES = ("resourceLocator", "workflowSelector", "agentSelector")
#: parameter name (or `name.field` for a resource mapper's field) -> messages
Issues = dict[str, list[str]]


def _truthy(value: Any) -> bool:
    return value is not MISSING and bool(value) and value == value


def _valid_locator(value: Any) -> bool:
    if isinstance(value, (dict, list)):
        inner = value.get("value", MISSING) if isinstance(value, dict) else MISSING
        return (isinstance(inner, (int, float)) and not isinstance(inner, bool)) or _truthy(inner)
    return _truthy(value)


def _missing_value(p: dict[str, Any], value: Any) -> bool:
    ptype = p.get("type")
    empty = value == "" or value is MISSING
    if ptype in ("string", "dateTime", "options"):
        return (isinstance(value, str) and empty) or value is MISSING
    if ptype == "multiOptions":
        return isinstance(value, list) and not value
    if ptype in _LOCATOR_TYPES:
        return not _valid_locator(value)
    return False


def _add(issues: Issues, name: str, message: str) -> None:
    issues.setdefault(name, []).append(message)


def issues_for(
    props: list[dict[str, Any]], params: dict[str, Any], node: dict[str, Any], desc: dict[str, Any]
) -> Issues:
    """n8n's getNodeParametersIssues over resolved parameters: parameter name -> messages."""
    issues: Issues = {}
    if node.get("disabled") is True:
        return issues
    for p in props:
        if isinstance(p, dict):
            _issues(p, params, "", node, desc, issues)
    return issues


def _issues(
    p: dict[str, Any], params: dict[str, Any], path: str, node: dict[str, Any], desc: dict[str, Any], issues: Issues
) -> None:
    name, ptype = p.get("name"), p.get("type")
    if not isinstance(name, str):
        return
    here = get_path(params, path) if path else params
    shown = displayed(here, p, node, desc, params)
    value = get_path(params, f"{path}.{name}" if path else name)
    if p.get("required") is True and shown:
        if isinstance(p.get("typeOptions"), dict) and "multipleValues" in p["typeOptions"]:
            if isinstance(value, list):
                for single in value:
                    if _missing_value(p, single):
                        _add(issues, name, f'Parameter "{p.get("displayName")}" is required.')
        elif _missing_value(p, value):
            _add(issues, name, f'Parameter "{p.get("displayName")}" is required.')
    if ptype in _LOCATOR_TYPES and shown:
        _locator(p, value, issues)
    elif ptype == "resourceMapper" and shown:
        _mapper(p, value, issues)
    elif (
        isinstance(p.get("validateType"), str)
        and ptype not in ("resourceMapper", "filter")
        and not _is_expression(value)
    ):
        error = validate.check(name, None if value is MISSING else value, p["validateType"], p.get("options"))
        if error:
            _add(issues, name, error)
    options = p.get("options")
    if not isinstance(options, list):
        return
    base = f"{path}." if path else ""
    children: list[tuple[str, dict[str, Any]]] = []
    if ptype == "collection":
        children = [(base, o) for o in options if isinstance(o, dict)]
    elif ptype == "fixedCollection" and shown:
        base = f"{base}." if base else f"{name}."
        type_options: dict[str, Any] = p["typeOptions"] if isinstance(p.get("typeOptions"), dict) else {}
        for option in options:
            if not isinstance(option, dict):
                continue
            item = get_path(params, base[:-1] + "." + str(option.get("name")))
            count = len(item) if isinstance(item, list) else 0
            need, most = type_options.get("minRequiredFields"), type_options.get("maxAllowedFields")
            error = ""
            if need and count < need:
                error = f"At least {need} {'field is' if need == 1 else 'fields are'} required."
            if most and count > most:
                error = f"At most {most} {'field is' if most == 1 else 'fields are'} allowed."
            if error:
                _add(issues, name, error)
            if item is MISSING:
                continue
            sub = [v for v in option.get("values") or [] if isinstance(v, dict)]
            if type_options.get("multipleValues") is not None:
                if isinstance(item, list):
                    children += [(f"{base}{option.get('name')}[{k}]", v) for k in range(len(item)) for v in sub]
            else:
                children += [(f"{base}{option.get('name')}", v) for v in sub]
    for child_path, child in children:
        _issues(child, params, child_path.rstrip(".") if child_path.endswith(".") else child_path, node, desc, issues)


def _mapper(p: dict[str, Any], value: Any, issues: Issues) -> None:
    """n8n's resource mapper checks: required fields (when the mapper adds records) and each field's type."""
    if (
        not (isinstance(value, dict) and {"mappingMode", "schema", "value"} <= value.keys())
        or value["mappingMode"] == "autoMapInputData"
    ):
        return
    options = p["typeOptions"] if isinstance(p.get("typeOptions"), dict) else {}
    mapper: dict[str, Any] = options["resourceMapper"] if isinstance(options.get("resourceMapper"), dict) else {}
    skip_required = mapper.get("mode") != "add"
    words: dict[str, Any] = mapper["fieldWords"] if isinstance(mapper.get("fieldWords"), dict) else {}
    word = str(words.get("singular") or "Field")
    word = word[:1].upper() + word[1:]
    values = value["value"]
    found: Issues = {}
    for field in value["schema"] if isinstance(value["schema"], list) else []:
        if not isinstance(field, dict):
            continue
        fid = field.get("id")
        field_value = (values.get(fid, MISSING) if isinstance(values, dict) else MISSING) if values else None
        errors: list[str] = []
        if field.get("required") and not skip_required and (values is None or field_value is MISSING):
            errors.append(f'{word} "{_js_string(fid)}" is required')
        if not _is_expression(field_value) and field.get("type"):
            error = validate.check(
                _js_string(fid),
                None if field_value is MISSING else field_value,
                str(field["type"]),
                field.get("options"),
            )
            if error:
                errors.append(error)
        if errors:
            found[f"{p['name']}.{_js_string(fid)}"] = errors
    if found:
        issues.setdefault(p["name"], [])
        issues.update(found)


def _is_expression(value: Any) -> bool:
    """n8n's `value?.toString().startsWith('=')`."""
    return value is not MISSING and value is not None and _js_string(value).startswith("=")


def _locator(p: dict[str, Any], value: Any, issues: Issues) -> None:
    if not (isinstance(value, dict) and "value" in value and "mode" in value):
        return
    mode = next((m for m in p.get("modes") or [] if isinstance(m, dict) and m.get("name") == value.get("mode")), None)
    if mode is None:
        return
    inner = value.get("value")
    text = _js_string(inner) if inner is not None else ""
    if text.startswith("="):
        return
    for rule in mode.get("validation") or []:
        if isinstance(rule, dict) and rule.get("type") == "regex":
            props = rule.get("properties") or {}
            try:
                ok = re.fullmatch(str(props.get("regex")), text) is not None
            except re.error:
                ok = True
            if not ok:
                _add(issues, p["name"], str(props.get("errorMessage")))


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dict, list)):
        return "[object Object]" if isinstance(value, dict) else ",".join(_js_string(v) for v in value)
    return str(value)
