"""n8n's parameter issues (the editor's warning triangles): defaults resolved by display rules, then required checks."""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

import orjson

from wf_lsp.core.findings import Related
from wf_lsp.core.n8n import values as value_rules
from wf_lsp.core.n8n.display import MISSING, displayed
from wf_lsp.core.n8n.issues import Issues, issues_for
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.rule import note

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
    if (
        prop.get("noDataExpression")
        and isinstance(value, str)
        and value.startswith("=")
        and not _FROM_AI_ONLY.match(value)
    ):
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
                out[name] = (
                    copy.deepcopy(values[name])
                    if name in values
                    else (copy.deepcopy(p["default"]) if isinstance(p.get("default"), list) else [])
                )
            elif name in values:
                out[name] = resolve(options, values[name], node, desc, root, "collection", memo)
            else:
                out[name] = copy.deepcopy(p.get("default"))
        elif ptype == "fixedCollection":
            out[name] = _fixed(p, values, node, desc, root, memo)
        else:
            out[name] = _loaded(p, values)
    return out


def _fixed(
    p: dict[str, Any], values: dict[str, Any], node: dict[str, Any], desc: dict[str, Any], root: Any, memo: _Memo | None
) -> dict[str, Any]:
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
                out[item] = [
                    resolve(sub, e, node, desc, root, "fixedCollection", memo) for e in entries if isinstance(e, dict)
                ]
        else:
            temp = resolve(sub, entries, node, desc, root, "fixedCollection", memo)
            if temp:
                out[item] = temp
    return out


def node_report(node: dict[str, Any], desc: dict[str, Any], store: dict[str, Any] | None = None) -> NodeReport:
    """Everything about one node's parameters (memoised per type version and parameters in `store`, a catalogue's
    memo)."""
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


def check_node(
    ctx: Context, i: int, node: dict[str, Any], desc: dict[str, Any], store: dict[str, Any] | None = None
) -> None:
    """Report a node's parameter findings: n8n's issues on the parameter (or `parameters`), rejected values, unknown
    names."""
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
            ptr = (
                ("nodes", i, "parameters", top)
                if top in values
                else ("nodes", i, "parameters")
                if isinstance(given, dict)
                else ("nodes", i)
            )
            for message in messages:
                note(
                    ctx,
                    "N8N_PARAMETER_ISSUE",
                    ptr,
                    path=f"nodes[{i}].parameters.{name}",
                    anchor="key" if ptr[-1] == "parameters" or ptr == ("nodes", i) else "value",
                    related=[Related(label, ("nodes", i, "type"))],
                    issue=message,
                    node=node.get("name"),
                )
    if active and problems and ctx.on("N8N_INVALID_PARAMETER_VALUE"):
        for name, message in problems:
            ptr = ("nodes", i, "parameters", name)
            related = [Related(label, ("nodes", i, "type"))]
            note(
                ctx,
                "N8N_INVALID_PARAMETER_VALUE",
                ptr,
                path=f"nodes[{i}].parameters.{name}",
                related=related,
                problem=message,
            )
    if unknown and ctx.on("N8N_UNKNOWN_PARAMETER"):
        for key in unknown:
            note(ctx, "N8N_UNKNOWN_PARAMETER", ("nodes", i, "parameters", key), anchor="key", name=key, label=label)
