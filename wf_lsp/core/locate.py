"""Exact spans of JSON pointers, found in one pass that descends only where a pointer leads."""

from __future__ import annotations

import contextlib
import json
import json.decoder
import json.scanner
import re
from collections.abc import Iterable
from typing import Any

from wf_lsp.core.findings import Pointer

_WS = re.compile(r"[ \t\n\r]*")
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (C speedup, untyped)
_scan_once: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


class _Trie:
    __slots__ = ("children", "wanted")

    def __init__(self) -> None:
        self.children: dict[str | int, _Trie] = {}
        self.wanted = False


class _Done(Exception):
    """Every wanted pointer is found: stop scanning."""


#: Spans found for a pointer: (key_start, key_end) or None for array items, and (value_start, value_end).
#: value_end is -1 when the value is an object or array whose end was not needed.
Found = tuple[tuple[int, int] | None, tuple[int, int]]


def locate(
    text: str,
    pointers: Iterable[Pointer],
    early_exit: bool = True,
    skeleton: dict[Pointer, Found] | None = None,
) -> dict[Pointer, Found]:
    """Key and value spans (offsets of `text`) of each pointer that exists; missing ones are left out.

    With duplicate keys in the text, pass early_exit=False so the last occurrence (the parsed one) wins. With a
    skeleton (spans of the top two levels, from the parser), each search starts at its node or entry, not at the top.
    """
    wanted = set(pointers)
    if skeleton is None:
        return _locate_from(text, wanted, (), None, early_exit)
    out: dict[Pointer, Found] = {}
    groups: dict[Pointer, set[Pointer]] = {}
    for ptr in wanted:
        if len(ptr) <= 2:
            if ptr in skeleton:
                out[ptr] = skeleton[ptr]
            elif ptr == ():
                start = _WS.match(text, 0).end()  # type: ignore[union-attr]
                out[()] = (None, (start, len(text.rstrip())))
        elif ptr[:2] in skeleton:
            groups.setdefault(ptr[:2], set()).add(ptr)
    for base, group in groups.items():
        out.update(_locate_from(text, group, base, skeleton[base], early_exit))
    return out


def _locate_from(text: str, pointers: set[Pointer], base: Pointer, at: Found | None, early_exit: bool) -> dict[Pointer, Found]:
    """Locate pointers below `base`, whose value starts at `at` (the document's top when at is None)."""
    root = _Trie()
    remaining = 0
    depth = len(base)
    for ptr in pointers:
        node = root
        for part in ptr[depth:]:
            node = node.children.setdefault(part, _Trie())
        if not node.wanted:
            node.wanted = True
            remaining += 1
    out: dict[Pointer, Found] = {}
    start = at[1][0] if at is not None else _WS.match(text, 0).end()  # type: ignore[union-attr]
    if start >= len(text):
        return out
    if root.wanted:
        out[base] = at if at is not None else (None, (start, len(text.rstrip())))
        remaining -= 1
    if remaining <= 0:
        return out
    counter = [remaining if early_exit else 1 << 60]
    with contextlib.suppress(_Done, StopIteration, ValueError, IndexError, RecursionError):
        _visit(text, start, root, base, out, counter)
    return out


def _skip(text: str, pos: int) -> int:
    return int(_scan_once(text, pos)[1])


def value_end(text: str, found: Found) -> int:
    """The end offset of a located value (computing it when the locator did not need it)."""
    start, end = found[1]
    if end >= 0:
        return end
    try:
        return _skip(text, start)
    except (StopIteration, ValueError, IndexError, RecursionError):
        return start + 1  # text that no longer parses here (mid-edit): the first character stands for the value


def _member(text: str, j: int, child: _Trie, ptr: Pointer, key_span: tuple[int, int] | None, out: dict[Pointer, Found], counter: list[int]) -> int:
    """Handle one object member or array item that the trie wants or descends into; returns its value's end."""
    if child.wanted:
        out[ptr] = (key_span, (j, -1))
        if not child.children and text[j] not in "{[":
            end = _skip(text, j)
            out[ptr] = (key_span, (j, end))
            counter[0] -= 1
            if counter[0] <= 0:
                raise _Done
            return end
        counter[0] -= 1
        if counter[0] <= 0 and not child.children:
            raise _Done
    end = _visit(text, j, child, ptr, out, counter) if child.children else _skip(text, j)
    if child.wanted:
        out[ptr] = (key_span, (j, end))
    return end


def _visit(text: str, pos: int, node: _Trie, prefix: Pointer, out: dict[Pointer, Found], counter: list[int]) -> int:
    """Walk the value at pos, recording wanted descendants; returns the value's end offset."""
    if not node.children:
        return _skip(text, pos)
    ch = text[pos]
    ws = _WS.match
    if ch == "{":
        i = ws(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "}":
            return i + 1
        while True:
            key, kend = _scanstring(text, i + 1)
            kstart = i
            j = ws(text, kend).end()  # type: ignore[union-attr]
            j = ws(text, j + 1).end()  # type: ignore[union-attr]
            child = node.children.get(key)
            vend = _member(text, j, child, prefix + (key,), (kstart, kend), out, counter) if child is not None else _skip(text, j)
            i = ws(text, vend).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
                continue
            return i + 1
    if ch == "[":
        i = ws(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "]":
            return i + 1
        index = 0
        last = max((k for k in node.children if isinstance(k, int)), default=-1)
        while True:
            child = node.children.get(index)
            if child is not None:
                vend = _member(text, i, child, prefix + (index,), None, out, counter)
            elif index > last:
                return _skip(text, pos)  # nothing more wanted in this array
            else:
                vend = _skip(text, i)
            i = ws(text, vend).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
                index += 1
                continue
            return i + 1
    return _skip(text, pos)


def path_at(text: str, offset: int) -> tuple[Pointer, str, tuple[int, int]] | None:
    """The innermost member at a text offset: its pointer, whether the offset is on the 'key' or 'value', and that span."""
    ws = _WS.match
    pos = ws(text, 0).end()  # type: ignore[union-attr]
    prefix: Pointer = ()
    best: tuple[Pointer, str, tuple[int, int]] | None = None
    try:
        while pos < len(text):
            ch = text[pos]
            if ch not in "{[":
                end = _skip(text, pos)
                if pos <= offset <= end:
                    best = (prefix, "value", (pos, end))
                return best
            end = _skip(text, pos)
            if not pos <= offset <= end:
                return best
            best = (prefix, "value", (pos, end))
            i = ws(text, pos + 1).end()  # type: ignore[union-attr]
            descended = False
            index = 0
            while i < end - 1 and text[i] not in "}]":
                if ch == "{":
                    key, kend = _scanstring(text, i + 1)
                    if i <= offset <= kend:
                        return (prefix + (key,), "key", (i, kend))
                    j = ws(text, kend).end()  # type: ignore[union-attr]
                    j = ws(text, j + 1).end()  # type: ignore[union-attr]
                    part: str | int = key
                else:
                    j = i
                    part = index
                vend = _skip(text, j)
                if j <= offset <= vend:
                    prefix = prefix + (part,)
                    pos = j
                    descended = True
                    break
                i = ws(text, vend).end()  # type: ignore[union-attr]
                if text[i] == ",":
                    i = ws(text, i + 1).end()  # type: ignore[union-attr]
                index += 1
            if not descended:
                return best
    except (StopIteration, ValueError, IndexError, RecursionError):
        return best
    return best
