"""Fix plans: text edits against the validated text, computed once the spans they need are known."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from wf_lsp.core.findings import Fix, Pointer, TextEdit
from wf_lsp.core.parse.locate import Found, value_end

Build = Callable[[dict[Pointer, Found], str], list[Fix]]


class FixPlan(NamedTuple):
    """A fix plan: the pointers whose spans it needs, a function from those spans (and the text) to fixes, and what
    the fixes are made of besides (equal keys with the same spans and text build the same fixes)."""

    pointers: tuple[Pointer, ...]
    build: Build
    key: tuple[Any, ...]


_WS = re.compile(r"[ \t\r\n]*")


def dumps(value: Any) -> str:
    """JSON text for a value, keeping non-ASCII characters as they are."""
    if type(value) is str:
        return encode_basestring(
            value
        )  # what json.dumps(value, ensure_ascii=False) returns for a string, minus its setup
    return json.dumps(value, ensure_ascii=False)


def _plan(pointers: tuple[Pointer, ...], build: Build, *key: Any) -> FixPlan:
    return FixPlan(pointers, build, (build.__qualname__, *key))


def _written(value: Any) -> Any:
    """A value as a plan's key holds it: the JSON text the fix writes (True, 1 and 1.0 write differently)."""
    return value if type(value) is str else dumps(value)


def replace_value(ptr: Pointer, value: Any, title: str, safe: bool) -> FixPlan:
    """Replace the value at ptr with a new JSON value."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if ptr not in spans:
            return []
        start, end = spans[ptr][1][0], value_end(text, spans[ptr])
        return [Fix(title, (TextEdit(start, end, dumps(value)),), safe)]

    return _plan((ptr,), build, ptr, _written(value), title, safe)


def replace_values(edits: list[tuple[Pointer, str, Any]], title: str, safe: bool) -> FixPlan:
    """Replace several values or keys at once: (pointer, 'value'|'key', new value)."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        out: list[TextEdit] = []
        for ptr, part, value in edits:
            if ptr not in spans:
                return []
            key_span = spans[ptr][0]
            span = key_span if part == "key" else (spans[ptr][1][0], value_end(text, spans[ptr]))
            if span is None:
                return []
            out.append(TextEdit(span[0], span[1], dumps(value)))
        return [Fix(title, tuple(sorted(out, key=lambda e: e.start)), safe)] if out else []

    key = tuple((ptr, part, _written(value)) for ptr, part, value in edits)
    return _plan(tuple(p for p, _, _ in edits), build, key, title, safe)


def insert_member(obj_ptr: Pointer, key: str, value: Any, title: str, safe: bool) -> FixPlan:
    """Add `"key": value` as the first member of the object at obj_ptr, matching its indentation."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if obj_ptr not in spans:
            return []
        start, end = spans[obj_ptr][1][0], value_end(text, spans[obj_ptr])
        if text[start] != "{":
            return []
        first = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
        member = f"{dumps(key)}: {dumps(value)}"
        if text[first] == "}":
            edit = TextEdit(start, end, "{" + member + "}")
        else:
            gap = text[start + 1 : first]
            edit = TextEdit(first, first, member + "," + (gap or " "))
        return [Fix(title, (edit,), safe)]

    return _plan((obj_ptr,), build, obj_ptr, key, _written(value), title, safe)


def remove_item(container: Pointer, index: int, title: str, safe: bool) -> FixPlan:
    """Remove one array element with its separating comma."""
    item = container + (index,)

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if item not in spans or container not in spans:
            return []
        return [Fix(title, (_removal(text, spans[item][1][0], value_end(text, spans[item])),), safe)]

    return _plan((item, container), build, container, index, title, safe)


def remove_member(ptr: Pointer, title: str, safe: bool) -> FixPlan:
    """Remove an object member (key and value) with its separating comma."""

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        if ptr not in spans or spans[ptr][0] is None:
            return []
        return [Fix(title, (_removal(text, spans[ptr][0][0], value_end(text, spans[ptr])),), safe)]  # type: ignore[index]

    return _plan((ptr,), build, ptr, title, safe)


def _removal(text: str, start: int, end: int) -> TextEdit:
    """Delete text[start:end] (an item or a member) together with the comma that separates it from a neighbour."""
    after = _WS.match(text, end).end()  # type: ignore[union-attr]
    if text[after : after + 1] == ",":
        return TextEdit(start, _WS.match(text, after + 1).end(), "")  # type: ignore[union-attr]
    i = start - 1
    while i >= 0 and text[i] in " \t\r\n":
        i -= 1
    if i >= 0 and text[i] == ",":
        return TextEdit(i, end, "")
    if i >= 0 and text[i] in "[{" and text[after : after + 1] in ("]", "}"):  # the only one: close up, `[]` / `{}`
        return TextEdit(i + 1, after, "")
    return TextEdit(start, end, "")


def combine(*plans: FixPlan | None) -> FixPlan | None:
    """Several alternative fixes for one finding."""
    real = [p for p in plans if p is not None]
    if not real:
        return None
    pointers = tuple(ptr for p in real for ptr in p.pointers)

    def build(spans: dict[Pointer, Found], text: str) -> list[Fix]:
        return [fix for p in real for fix in p.build(spans, text)]

    return _plan(pointers, build, tuple(p.key for p in real))


def free_name(taken: set[str], base: str) -> str:
    """`base 2`, `base 3`, ... : the first that is not taken."""
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


def iter_targets(conns: dict[str, Any]) -> list[tuple[Pointer, int, Any]]:
    """Every (pointer of a target list, position, target node value) in a connection map."""
    out: list[tuple[Pointer, int, Any]] = []
    for src, outputs in conns.items():
        if not isinstance(outputs, dict):
            continue
        for otype, indices in outputs.items():
            items = (
                indices.items()
                if isinstance(indices, dict)
                else enumerate(indices)
                if isinstance(indices, list)
                else ()
            )
            for x, targets in items:
                if isinstance(targets, list):
                    for j, t in enumerate(targets):
                        if isinstance(t, dict):
                            out.append((("connections", src, otype, x), j, t.get("node")))
    return out
