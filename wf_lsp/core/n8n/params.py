"""n8n's parameter issues (the editor's warning triangles): defaults resolved under display rules, then required checks."""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

import orjson

from wf_lsp.core.context import Context
from wf_lsp.core.findings import Related
from wf_lsp.core.n8n import validate
from wf_lsp.core.n8n import values as value_rules
from wf_lsp.core.n8n.display import MISSING, displayed, get_path, js_equal

_LOCATOR_TYPES = ("resourceLocator", "workflowSelector", "agentSelector")
Issues = dict[str, list[str]]
#: What one node's parameters give: n8n's issues, values the editor rejects, parameter names the node does not have.
NodeReport = tuple[Issues, list[tuple[str, str]], list[str]]


class _Memo:
    """Per-node results of one catalogue, keyed by type version and canonical parameters (editing one node recomputes
    only that node), plus each property list's resolve order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: bounded by clearing when full (a dict lookup is what a node costs on every keystroke; an LRU's bookkeeping
        #: would cost more than the lookup)
        self.issues: dict[tuple[Any, ...], NodeReport] = {}
        self.plans: dict[int, tuple[dict[str, list[str]], list[int], set[Any]]] = {}


MEMO_NODES = 50_000


def _plan(props: list[dict[str, Any]], memo: _Memo | None) -> tuple[dict[str, list[str]], list[int], set[Any]]:
    hit = memo.plans.get(id(props)) if memo is not None else None
    if hit is not None:
        return hit
    deps = _dependencies(props)
    names = [p.get("name") for p in props if isinstance(p, dict)]
    dupes = {n for n in names if names.count(n) > 1} if len(set(names)) != len(names) else set()
    plan = (deps, _order(props, deps), dupes)
    if memo is not None:
        with memo.lock:
            memo.plans[id(props)] = plan
    return plan


def _dependencies(props: list[dict[str, Any]]) -> dict[str, list[str]]:
    deps: dict[str, list[str]] = {}
    for p in props:
        if not isinstance(p, dict):
            continue
        name = p.get("name")
        mine = deps.setdefault(name, [])  # type: ignore[arg-type]
        opts = p.get("displayOptions")
        if not isinstance(opts, dict):
            continue
        for rule in opts.values():
            if isinstance(rule, dict):
                mine.extend(k for k in rule if k not in mine and not k.startswith("@"))
    return deps


def _order(props: list[dict[str, Any]], deps: dict[str, list[str]]) -> list[int]:
    """The order that resolves each parameter after the parameters its display rules name (n8n's resolve order)."""
    todo = [i for i, p in enumerate(props) if isinstance(p, dict)]
    done: set[Any] = set()
    out: list[int] = []
    guard = 0
    while todo and guard < 10 * len(props) + 10:
        guard += 1
        i = todo.pop(0)
        name = props[i].get("name")
        if any(d not in done and d in deps for d in deps.get(name, [])):  # type: ignore[arg-type]
            todo.append(i)
            continue
        out.append(i)
        done.add(name)
    return out + todo


_FROM_AI_ONLY = re.compile(r"^=\{\{\s*\$fromAI\(.*\)\s*;?\s*\}\}$", re.DOTALL)


def _loaded(prop: dict[str, Any], values: dict[str, Any]) -> Any:
    """A simple parameter's value as n8n loads it: its value or default; a parameter that takes no expression reads
    an expression as the text after its "="."""
    value = _value_or_default(prop, values)
    if prop.get("noDataExpression") and isinstance(value, str) and value.startswith("=") and not _FROM_AI_ONLY.match(value):
        return value[1:]
    return value


def _value_or_default(prop: dict[str, Any], values: dict[str, Any]) -> Any:
    name = prop.get("name")
    given = values.get(name, MISSING) if isinstance(name, str) else MISSING
    if given is not MISSING and given is not None:
        return copy.deepcopy(given)
    if given is None and prop.get("type") in ("boolean", "number", "options", "resourceLocator"):
        return None
    default = prop.get("default")
    if prop.get("type") == "resourceLocator" and isinstance(default, dict) and given is MISSING:
        return {"__rl": True, **default}
    return copy.deepcopy(default) if given is MISSING or given is None else given


def resolve(
    props: list[dict[str, Any]],
    values: Any,
    node: dict[str, Any],
    desc: dict[str, Any],
    root: Any = None,
    parent: str | None = None,
    memo: _Memo | None = None,
) -> dict[str, Any]:
    """The node's parameters as n8n loads them: defaults filled in, parameters that are not displayed dropped."""
    if not isinstance(values, dict):
        return {}
    _deps, order, dupes = _plan(props, memo)
    # First pass: every simple parameter with its value or default, to evaluate display rules against.
    full: dict[str, Any] = {}
    for i in order:
        p = props[i]
        name = p.get("name")
        if not isinstance(name, str) or p.get("type") in ("collection", "fixedCollection"):
            continue
        if name not in values and parent == "collection":
            continue
        if name in dupes and not displayed(full, p, node, desc, root if root is not None else full):
            continue
        full[name] = _loaded(p, values)
    check = full
    root = check if root is None else root
    out: dict[str, Any] = {}
    for i in order:
        p = props[i]
        name, ptype = p.get("name"), p.get("type")
        if not isinstance(name, str):
            continue
        if name not in values and parent == "collection":
            continue
        if not displayed(check, p, node, desc, root):
            continue
        if ptype == "collection":
            options: list[Any] = p["options"] if isinstance(p.get("options"), list) else []
            if (p.get("typeOptions") or {}).get("multipleValues") is True:
                out[name] = copy.deepcopy(values[name]) if name in values else (copy.deepcopy(p["default"]) if isinstance(p.get("default"), list) else [])
            elif name in values:
                out[name] = resolve(options, values[name], node, desc, root, "collection", memo)
            else:
                out[name] = copy.deepcopy(p.get("default"))
        elif ptype == "fixedCollection":
            out[name] = _fixed(p, values, node, desc, root, memo)
        else:
            out[name] = _loaded(p, values)
    return out


def _fixed(p: dict[str, Any], values: dict[str, Any], node: dict[str, Any], desc: dict[str, Any], root: Any, memo: _Memo | None) -> dict[str, Any]:
    name = p["name"]
    given = values.get(name, MISSING)
    items = copy.deepcopy(p.get("default")) if given is MISSING or given is None else given
    options = [o for o in p.get("options") or [] if isinstance(o, dict)]
    multiple = (p.get("typeOptions") or {}).get("multipleValues") is True
    out: dict[str, Any] = {}
    if not isinstance(items, dict):
        return out
    for item, entries in items.items():
        option = next((o for o in options if o.get("name") == item), None)
        if option is None:
            continue
        sub = option["values"] if isinstance(option.get("values"), list) else []
        if multiple:
            if isinstance(entries, list):
                out[item] = [resolve(sub, e, node, desc, root, "fixedCollection", memo) for e in entries if isinstance(e, dict)]
        else:
            temp = resolve(sub, entries, node, desc, root, "fixedCollection", memo)
            if temp:
                out[item] = temp
    return out


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


def issues_for(props: list[dict[str, Any]], params: dict[str, Any], node: dict[str, Any], desc: dict[str, Any]) -> Issues:
    """n8n's getNodeParametersIssues over resolved parameters: parameter name -> messages."""
    issues: Issues = {}
    if node.get("disabled") is True:
        return issues
    for p in props:
        if isinstance(p, dict):
            _issues(p, params, "", node, desc, issues)
    return issues


def _issues(p: dict[str, Any], params: dict[str, Any], path: str, node: dict[str, Any], desc: dict[str, Any], issues: Issues) -> None:
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
    elif isinstance(p.get("validateType"), str) and ptype not in ("resourceMapper", "filter") and not _is_expression(value):
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


def node_report(node: dict[str, Any], desc: dict[str, Any], store: dict[str, Any] | None = None) -> NodeReport:
    """Everything about one node's parameters (memoised per type version and parameters in `store`, a catalogue's memo)."""
    memo: _Memo | None = None
    key: tuple[Any, ...] | None = None
    if store is not None:
        memo = store.get("params")
        if memo is None:
            memo = store.setdefault("params", _Memo())
        try:
            key = (id(desc), node.get("typeVersion"), orjson.dumps(node.get("parameters"), option=orjson.OPT_SORT_KEYS))
        except (TypeError, orjson.JSONEncodeError):
            key = None
        if key is not None:
            hit = memo.issues.get(key)
            if hit is not None:
                return hit
    props = desc.get("properties") or []
    given = node.get("parameters")
    values = given if isinstance(given, dict) else {}
    resolved = resolve(props, values, node, desc, memo=memo)
    issues = issues_for(props, resolved, node, desc)
    problems = value_rules.problems(props, values, resolved, node, desc)
    known = {p.get("name") for p in props if isinstance(p, dict)}
    if desc.get("tool"):
        known |= TOOL_PARAMETERS
    unknown = [k for k in values if k not in known]
    found: NodeReport = (issues, problems, unknown)
    if memo is not None and key is not None:
        with memo.lock:
            if len(memo.issues) >= MEMO_NODES:
                memo.issues.clear()
            memo.issues[key] = found
    return found


def node_issues(node: dict[str, Any], desc: dict[str, Any], store: dict[str, Any] | None = None) -> Issues:
    """n8n's parameter issues of one node (getNodeParametersIssues after getNodeParameters)."""
    return node_report(node, desc, store)[0]


#: parameters n8n adds to every AI-tool variant (they are not in the base node's description)
TOOL_PARAMETERS = frozenset({"toolDescription", "descriptionType"})


def check_node(ctx: Context, i: int, node: dict[str, Any], desc: dict[str, Any], store: dict[str, Any] | None = None) -> None:
    """Report a node's parameter findings: n8n's issues on the parameter (or `parameters`), rejected values, unknown names."""
    given = node.get("parameters")
    values = given if isinstance(given, dict) else {}
    issues, problems, unknown = node_report(node, desc, store)
    if not (issues or problems or unknown):
        return
    active = node.get("disabled") is not True
    label = f"{node.get('type')} v{node.get('typeVersion', 1)}"
    if active and issues and ctx.on("N8N_PARAMETER_ISSUE"):
        for name, messages in issues.items():
            top = name.split(".", 1)[0]
            ptr = ("nodes", i, "parameters", top) if top in values else ("nodes", i, "parameters") if isinstance(given, dict) else ("nodes", i)
            for message in messages:
                ctx.add(
                    "N8N_PARAMETER_ISSUE",
                    f'{message} (node "{node.get("name")}")',
                    f"nodes[{i}].parameters.{name}",
                    ptr,
                    anchor="key" if ptr[-1] == "parameters" or ptr == ("nodes", i) else "value",
                    related=[Related(label, ("nodes", i, "type"))],
                )
    if active and problems and ctx.on("N8N_INVALID_PARAMETER_VALUE"):
        for name, message in problems:
            ptr = ("nodes", i, "parameters", name)
            ctx.add("N8N_INVALID_PARAMETER_VALUE", message, f"nodes[{i}].parameters.{name}", ptr, related=[Related(label, ("nodes", i, "type"))])
    if unknown and ctx.on("N8N_UNKNOWN_PARAMETER"):
        for key in unknown:
            ctx.add(
                "N8N_UNKNOWN_PARAMETER", f'Unknown parameter "{key}" for {label}', f"nodes[{i}].parameters.{key}", ("nodes", i, "parameters", key), anchor="key"
            )


def equal(a: Any, b: Any) -> bool:
    """Deep equality as n8n compares parameter values."""
    return js_equal(a, b)
