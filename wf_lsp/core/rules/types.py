"""Registry rules: known node types, required parameters, parameter types and enums, literal secrets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.findings import Pointer
from wf_lsp.core.fix import fixes
from wf_lsp.core.fix.suggest import Suggester, closest
from wf_lsp.core.rules.carry import per_node
from wf_lsp.core.rules.context import Context
from wf_lsp.core.rules.registry import MAX_TYPE_LENGTH, NodeType, Registry
from wf_lsp.core.rules.rule import rule

_SECRET_NAME = re.compile(r"pass(word)?|secret|token|api[_-]?key|private[_-]?key", re.I)
_JSON_TYPES = {"string": str, "boolean": bool, "object": dict, "array": list}
_PLACEHOLDERS: dict[str, Any] = {"string": "", "number": 0, "boolean": False, "object": {}, "array": []}


@rule("UNIMPLEMENTED_NODE_TYPE")
def unimplemented_node_type(ctx: Context) -> None:
    """A node type the registry knows that nothing on the platform runs (information: the file is fine as data)."""
    for _, _, type_id, ptr, entry, _ in _looked_at(ctx):
        if entry is None and ctx.registry.unimplemented_reason(type_id) is not None:
            ctx.report("UNIMPLEMENTED_NODE_TYPE", ptr, type=type_id)


@rule("INVALID_NODE_TYPE")
def invalid_node_type(ctx: Context) -> None:
    """A node type no registry has, with the closest registry type as a did-you-mean and a fix."""
    for _, _, type_id, ptr, entry, _ in _looked_at(ctx):
        if entry is not None or ctx.registry.unimplemented_reason(type_id) is not None:
            continue
        guess = _suggest(ctx, type_id)
        if guess:
            fix = fixes.replace_value(ptr, guess, f"Change type to '{guess}'", safe=False)
            ctx.report("INVALID_NODE_TYPE", ptr, fix=fix, variant="guess", type=type_id, guess=guess)
        else:
            ctx.report("INVALID_NODE_TYPE", ptr, type=type_id)


@rule("MISSING_REQUIRED_FIELD")
def missing_required_field(ctx: Context) -> None:
    """A required parameter (or one of a required group) that a node of a registry type lacks."""
    for i, node, _, _, entry, params in _looked_at(ctx):
        if entry is not None:
            _missing_required(ctx, i, node, entry, params)


@rule("TYPE_MISMATCH")
def type_mismatch(ctx: Context) -> None:
    """A parameter value of another JSON type than the registry declares (expressions pass)."""
    for i, _, _, _, entry, params in _looked_at(ctx):
        if entry is not None:
            _mismatches(ctx, i, entry, params)


@rule("INVALID_ENUM_VALUE")
def invalid_enum_value(ctx: Context) -> None:
    """A parameter value outside the registry's allowed values (case-insensitively; expressions pass)."""
    for i, _, _, _, entry, params in _looked_at(ctx):
        if entry is not None:
            _enum_values(ctx, i, entry, params)


@rule("HARDCODED_SECRET")
def hardcoded_secret(ctx: Context) -> None:
    """A literal value in a parameter the registry marks secret, or whose name says it is one."""
    for i, _, _, _, entry, params in _looked_at(ctx):
        if entry is not None:
            _secrets(ctx, i, entry, params)


#: (node index, node, type id, pointer of the type, registry entry or None when unknown, parameters)
Looked = tuple[int, dict[str, Any], str, Pointer, "NodeType | None", dict[str, Any]]


def _looked_at(ctx: Context) -> list[Looked]:
    """The nodes some registry rule may report, in order (once per run): the common case, a plain registry type
    whose parameters pass as they are, is decided without allocating; an editor's next version keeps each node's
    answer (carry.per_node)."""
    found: list[Looked] | None = ctx.memo.get("types.looked_at")
    if found is not None:
        return found
    shapes = _shapes(ctx.registry)
    secrets = ctx.on("HARDCODED_SECRET")

    def look(i: int, node: dict[str, Any]) -> Looked | None:
        type_id = node.get("type")
        shape = shapes.get(type_id) if isinstance(type_id, str) else None
        if shape is not None and not secrets:
            params = node.get("parameters")
            if shape.passes(params if isinstance(params, dict) else _NO_PARAMS):
                return None
        return _look(ctx, i, node, shapes, secrets)

    items = [(i, node) for i, node in enumerate(ctx.nodes) if isinstance(node, dict)]
    answers = per_node(ctx, "types.looked_at", items, look, (ctx.registry, secrets))
    found = ctx.memo["types.looked_at"] = [looked for looked in answers if looked is not None]
    return found


_NO_PARAMS: dict[str, Any] = {}


def _look(ctx: Context, i: int, node: dict[str, Any], shapes: dict[str, _Shape], secrets: bool) -> Looked | None:
    type_id = node.get("type")
    if not isinstance(type_id, str) or not type_id.strip():
        return None
    field = "type"
    if type_id in ctx.registry.categories:
        # v3 shape: `type` is a category and the plugin id sits in `nodeType`.
        type_id = node.get("nodeType")
        if not isinstance(type_id, str) or not type_id:
            return None
        field = "nodeType"
    entry = ctx.registry.get(type_id)
    if entry is None:
        return (i, node, type_id, ("nodes", i, field), None, _NO_PARAMS)
    params = node.get("parameters")
    if not isinstance(params, dict):
        params = {}
    shape = shapes.get(type_id) or _Shape.of(entry)
    if type_id not in ctx.registry.categories:
        shapes[type_id] = shape  # only plain types: _looked_at looks shapes up by `type`
    if secrets or not shape.passes(params):
        return (i, node, type_id, ("nodes", i, field), entry, params)
    return None


#: a parameter a registry type checks: (name, the Python types that pass without a look at expressions (None: any),
#: allowed values)
Checked = tuple[str, tuple[type, ...] | None, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class _Shape:
    """What a registry type asks of a node's parameters, compiled once per registry so that the common case (nothing
    to report) is decided without allocating; anything else goes to the parameter rules, which say exactly what is
    wrong."""

    required: tuple[str, ...]
    checked: tuple[Checked, ...]
    one_of: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, entry: NodeType) -> _Shape:
        checked: list[Checked] = []
        for name, spec in entry.params.items():
            kinds = _EXACT_TYPES.get(spec.type)
            if kinds is not None or spec.enum:
                checked.append((name, kinds, spec.enum))
        required = tuple(name for name, spec in entry.params.items() if spec.required)
        return cls(required, tuple(checked), entry.required_one_of)

    def passes(self, params: dict[str, Any]) -> bool:
        """True when the parameter rules would report nothing (False may still turn out fine: an expression, a
        case-folded enum)."""
        for name in self.required:
            if name not in params:
                return False
        for name, kinds, enum in self.checked:
            if name in params:
                value = params[name]
                if kinds is not None and type(value) not in kinds:
                    return False
                if enum and value not in enum:
                    return False
        return not self.one_of or all(any(name in params for name in group) for group in self.one_of)


#: parameter types a value passes by its Python type alone; "any", "options" and unknown type words pass anything
_EXACT_TYPES: dict[str, tuple[type, ...]] = {
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def _shapes(registry: Registry) -> dict[str, _Shape]:
    shapes = registry.memo.get("types.shapes")
    if shapes is None:
        shapes = registry.memo["types.shapes"] = {}
    return shapes


#: distinct unknown types a document gets did-you-means for (the first ones, in document order); the rest get none
TYPE_GUESS_BUDGET = 50
#: distinct answers remembered per registry, across documents
_MEMO_LIMIT = 4096
#: difflib.get_close_matches' cutoff for type ids (stricter than for names: ids share namespaces)
_TYPE_CUTOFF = 0.75


def _suggest(ctx: Context, type_id: str) -> str | None:
    """The closest registry type id, once per distinct unknown value: per document (up to TYPE_GUESS_BUDGET values,
    decided by the document alone) and per registry (the answer is remembered across documents)."""
    seen = ctx.type_guesses
    if type_id in seen:
        return seen[type_id]
    guess = None
    if len(seen) < TYPE_GUESS_BUDGET:
        memo: dict[str, str | None] = ctx.registry.memo.setdefault("types.guesses", {})
        if type_id in memo:
            guess = memo[type_id]
        else:
            suggester = ctx.registry.memo.get("types.suggester")
            if suggester is None:
                suggester = ctx.registry.memo["types.suggester"] = Suggester(ctx.registry.ids())
            guess = suggester.by_ratio(type_id, _TYPE_CUTOFF) if len(type_id) <= MAX_TYPE_LENGTH else None
            if len(memo) < _MEMO_LIMIT:
                memo[type_id] = guess
    seen[type_id] = guess
    return guess


def _is_expression(value: Any) -> bool:
    r"""A `{{ ... }}` template or a `$name` reference: what `\{\{.*\}\}|^\$[A-Za-z_]` matches, in linear time (the
    regex backtracked from every `{{`): a `}}` anywhere after the first `{{`."""
    if not isinstance(value, str):
        return False
    if (
        len(value) > 1
        and value[0] == "$"
        and (value[1] == "_" or ("a" <= value[1].lower() <= "z" and value[1].isascii()))
    ):
        return True
    start = value.find("{{")
    return start >= 0 and value.find("}}", start + 2) >= 0


def _type_ok(value: Any, expected: str) -> bool:
    if expected in ("any", "options"):
        return True
    if expected == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        py = _JSON_TYPES.get(expected)
        ok = py is None or (isinstance(value, py) and not (py is not bool and isinstance(value, bool)))
    return ok or _is_expression(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _missing_required(ctx: Context, i: int, node: dict[str, Any], entry: NodeType, params: dict[str, Any]) -> None:
    base = f"nodes[{i}].parameters"
    for name, spec in entry.params.items():
        if name in params or not spec.required:
            continue
        value = (
            spec.default
            if spec.default is not None
            else (spec.enum[0] if spec.enum else _PLACEHOLDERS.get(spec.type, ""))
        )
        target: Pointer = ("nodes", i, "parameters") if isinstance(node.get("parameters"), dict) else ("nodes", i)
        key, val = (name, value) if target[-1] == "parameters" else ("parameters", {name: value})
        ctx.report(
            "MISSING_REQUIRED_FIELD",
            target,
            path=f"{base}.{name}",
            anchor="key",
            fix=fixes.insert_member(target, key, val, f"Add parameter '{name}'", safe=False),
            node=ctx.node_label(i),
            type=entry.id,
            param=name,
        )
    for group in entry.required_one_of:
        if not any(name in params for name in group):
            ctx.report(
                "MISSING_REQUIRED_FIELD",
                ("nodes", i, "parameters"),
                anchor="key",
                variant="one_of",
                node=ctx.node_label(i),
                type=entry.id,
                params=", ".join(f'"{g}"' for g in group),
            )


def _checked(entry: NodeType, params: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, value, spec) of every given parameter whose type or allowed values the registry declares."""
    return [
        (name, params[name], spec)
        for name, spec in entry.params.items()
        if name in params and not (spec.type in ("any", "options") and not spec.enum)
    ]


def _mismatches(ctx: Context, i: int, entry: NodeType, params: dict[str, Any]) -> None:
    for name, value, spec in _checked(entry, params):
        if not _type_ok(value, spec.type):
            pptr = ("nodes", i, "parameters", name)
            ctx.report("TYPE_MISMATCH", pptr, param=name, type=entry.id, expected=spec.type, actual=_json_type(value))


def _enum_values(ctx: Context, i: int, entry: NodeType, params: dict[str, Any]) -> None:
    for name, value, spec in _checked(entry, params):
        if (
            spec.enum
            and _type_ok(value, spec.type)
            and not _is_expression(value)
            and value not in spec.enum
            and not (isinstance(value, str) and value.upper() in [str(e).upper() for e in spec.enum])
        ):
            pptr = ("nodes", i, "parameters", name)
            allowed = ", ".join(fixes.dumps(e) for e in spec.enum)
            close = closest(str(value), [str(e) for e in spec.enum])
            fix = fixes.replace_value(pptr, close, f"Change to {fixes.dumps(close)}", safe=False) if close else None
            ctx.report("INVALID_ENUM_VALUE", pptr, fix=fix, param=name, type=entry.id, allowed=allowed)


def _secrets(ctx: Context, i: int, entry: NodeType, params: dict[str, Any]) -> None:
    for name, value in params.items():
        known = entry.params.get(name)
        secret = (known is not None and known.secret) or bool(_SECRET_NAME.search(name))
        if secret and isinstance(value, str) and value and not _is_expression(value):
            ctx.report("HARDCODED_SECRET", ("nodes", i, "parameters", name), name=name)
