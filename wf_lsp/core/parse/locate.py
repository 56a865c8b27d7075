"""Exact spans of JSON pointers, found in one pass that descends only where a pointer leads."""

# The walk's steps are those of the JSON grammar (scanstring for keys, the C scanner for values it skips); a member in
# the common layout (a key without escapes) is read by one regex match instead, which applies exactly when the general
# steps would read the same key and offsets. tests/test_locate_speedpaths.py keeps the plain walk and checks both agree.

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from collections.abc import Iterable, Mapping
from typing import Any

from wf_lsp.core.findings import Pointer

_WS = re.compile(r"[ \t\n\r]*")
#: an object's opening brace and first member up to its value: `{ "key" :` (keys without escapes or control characters,
#: which scanstring decodes to exactly the characters between the quotes); anything else takes the general steps
_KEY = r'("[^"\\\x00-\x1f]*")[ \t\n\r]*:[ \t\n\r]*'
_FIRST_MEMBER = re.compile(r"\{[ \t\n\r]*" + _KEY)
#: after a member's value: `, "key" :` up to the next value
_NEXT_MEMBER = re.compile(r"[ \t\n\r]*,[ \t\n\r]*" + _KEY)
#: after an array item: `,` up to the next item
_NEXT_ITEM = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (C speedup, untyped)
_scan_once: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
_UNKNOWN: Any = object()


class _Trie:
    __slots__ = ("children", "complete", "last", "wanted")

    def __init__(self) -> None:
        self.children: dict[str | int, _Trie] = {}
        self.wanted = False
        self.last = -1  # the highest array index among children (an array walk stops after it)
        self.complete = True  # (at a walk's root) False once a branch the parsed value lacks was pruned


#: what a walk returns, in place of an end offset, once every wanted pointer is found: stop scanning
_DONE = -1


#: Spans found for a pointer: (key_start, key_end) or None for array items, and (value_start, value_end).
#: value_end is -1 when the value is an object or array whose end was not needed.
Found = tuple[tuple[int, int] | None, tuple[int, int]]


def locate(
    text: str,
    pointers: Iterable[Pointer],
    early_exit: bool = True,
    skeleton: Mapping[Pointer, Found] | None = None,
    value: Any = _UNKNOWN,
) -> dict[Pointer, Found]:
    """Key and value spans (offsets of `text`) of each pointer that exists; missing ones are left out.

    With duplicate keys in the text, pass early_exit=False so the last occurrence (the parsed one) wins. With a
    skeleton (spans of the top two levels, from the parser), each search starts at its node or entry, not at the top.
    With `value`, the parse of `text` (valid JSON without duplicate keys), a walk from the top leaves out what the value
    lacks and so stops as soon as the rest is found; the result is the same as without it.
    """
    valid = value is not _UNKNOWN and early_exit  # else the walk visits every occurrence of a repeated key
    out: dict[Pointer, Found] = {}
    if skeleton is None:
        root, count = _trie(pointers, 0)
        _walk(text, root, (), None, early_exit, _prune(root, value) if valid else count, valid, out)
        return out
    groups: dict[Pointer, list[Pointer]] = {}
    for ptr in pointers:
        if len(ptr) > 2:
            if ptr[:2] in skeleton:
                groups.setdefault(ptr[:2], []).append(ptr)
        elif ptr in skeleton:
            out[ptr] = skeleton[ptr]
        elif ptr == ():
            out[()] = (None, (_WS.match(text, 0).end(), _trimmed_end(text)))  # type: ignore[union-attr]
    for base, group in groups.items():
        if early_exit and len(group) == 1 and len(group[0]) == 3 and isinstance(group[0][2], str):
            _one_key(text, skeleton[base][1][0], group[0], out)  # the common case: one member of a node (its type)
            continue
        # Each walk is bounded by its node or entry, so nothing is pruned: a missing pointer costs little here.
        root, count = _trie(group, 2)
        _walk(text, root, base, skeleton[base], early_exit, count, valid, out)
    return out


def _one_key(text: str, start: int, ptr: Pointer, out: dict[Pointer, Found]) -> None:
    """What `_walk` records for one pointer whose last part is the key of a member of the object at `start`, without
    building a trie: the same steps, stopping at the key's first occurrence."""
    key = ptr[-1]
    try:
        if text[start] != "{":
            return
        m = _FIRST_MEMBER.match(text, start)
        if m is None:
            i = _WS.match(text, start + 1).end()  # type: ignore[union-attr]
            if text[i] == "}":
                return
            name, kstart, kend, j = _general_member(text, i)
        else:
            (_, j), (kstart, kend) = m.regs
            name = text[kstart + 1 : kend - 1]
        nxt = _NEXT_MEMBER.match
        while True:
            if name == key:
                out[ptr] = ((kstart, kend), (j, -1))
                if text[j] not in "{[":
                    out[ptr] = ((kstart, kend), (j, _skip(text, j)))
                return
            vend = _scan_once(text, j)[1]
            m = nxt(text, vend)
            if m is None:
                i = _WS.match(text, vend).end()  # type: ignore[union-attr]
                if text[i] != ",":
                    return
                name, kstart, kend, j = _general_member(text, _WS.match(text, i + 1).end())  # type: ignore[union-attr]
            else:
                (_, j), (kstart, kend) = m.regs
                name = text[kstart + 1 : kend - 1]
    except (StopIteration, ValueError, IndexError, RecursionError):
        pass


def _trie(pointers: Iterable[Pointer], depth: int) -> tuple[_Trie, int]:
    """The trie of the pointers' parts from `depth` on, and how many pointers it wants below its root."""
    root = _Trie()
    count = 0
    for ptr in pointers:
        node = root
        for part in ptr[depth:] if depth else ptr:
            child = node.children.get(part)
            if child is None:
                child = node.children[part] = _Trie()
                if isinstance(part, int) and part > node.last:
                    node.last = part
            node = child
        if not node.wanted:
            node.wanted = True
            count += node is not root
    return root, count


def _prune(root: _Trie, value: Any) -> int:
    """Drop the branches the parsed value certainly lacks (no walk of the text could find them); returns how many wanted
    pointers remain below root. A part that is neither a string nor an integer is kept, for the walk to decide."""
    count = 0
    stack = [(root, value)]
    while stack:
        node, value = stack.pop()
        drop = []
        for part, child in node.children.items():
            inner = _UNKNOWN
            if value is not _UNKNOWN and isinstance(part, (str, int)):
                if isinstance(part, str):
                    present = isinstance(value, dict) and part in value
                else:
                    present = isinstance(value, list) and 0 <= part < len(value)
                if not present:
                    drop.append(part)
                    continue
                inner = value[part]
            count += child.wanted
            if child.children:
                stack.append((child, inner))
        if drop:
            for part in drop:
                del node.children[part]
            root.complete = False
            node.last = max((k for k in node.children if isinstance(k, int)), default=-1)
    return count


def _walk(
    text: str,
    root: _Trie,
    base: Pointer,
    at: Found | None,
    early_exit: bool,
    remaining: int,
    valid: bool,
    out: dict[Pointer, Found],
) -> None:
    """Record in `out` the `remaining` pointers the trie wants below `base`, whose value starts at `at` (the top when
    at is None); `valid`: the text is known to be valid JSON.

    A walk that misses a wanted pointer never stops early, so every end is known then: when the trie was pruned
    (some pointer is certainly missing), the ends a walk that stopped early left open are filled in, for the same
    answer.
    """
    start = at[1][0] if at is not None else _WS.match(text, 0).end()  # type: ignore[union-attr]
    if start >= len(text):
        return
    if root.wanted:
        out[base] = at if at is not None else (None, (start, _trimmed_end(text)))
    if remaining <= 0:
        return
    found = out if root.complete else {}
    try:
        if (
            _visit(text, start, root, base, found, [remaining if early_exit else 1 << 60], valid) == _DONE
            and found is not out
        ):
            for ptr, (key_span, (vs, ve)) in found.items():
                if ve < 0:
                    found[ptr] = (key_span, (vs, _skip(text, vs)))
    except (StopIteration, ValueError, IndexError, RecursionError):
        pass
    if found is not out:
        out.update(found)


def _trimmed_end(text: str) -> int:
    """len(text.rstrip()), without copying a large text when its trailing whitespace is short."""
    tail = text[-64:]
    stripped = tail.rstrip()
    if stripped or len(tail) == len(text):
        return len(text) - len(tail) + len(stripped)
    return len(text.rstrip())


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


def _member(
    text: str,
    j: int,
    child: _Trie,
    ptr: Pointer,
    key_span: tuple[int, int] | None,
    out: dict[Pointer, Found],
    counter: list[int],
    valid: bool,
) -> int:
    """Handle one object member or array item that the trie wants or descends into; returns its value's end, or
    _DONE."""
    if child.wanted:
        out[ptr] = (key_span, (j, -1))
        if not child.children and text[j] not in "{[":
            end = _skip(text, j)
            out[ptr] = (key_span, (j, end))
            counter[0] -= 1
            return _DONE if counter[0] <= 0 else end
        counter[0] -= 1
        if counter[0] <= 0 and not child.children:
            return _DONE
    end = _visit(text, j, child, ptr, out, counter, valid) if child.children else _skip(text, j)
    if child.wanted and end >= 0:
        out[ptr] = (key_span, (j, end))
    return end


def _visit(
    text: str, pos: int, node: _Trie, prefix: Pointer, out: dict[Pointer, Found], counter: list[int], valid: bool
) -> int:
    """Walk the value at pos, recording wanted descendants; returns the value's end offset.

    Each member costs one regex match in the common layout (a key without escapes); any other text takes the general
    steps, which are the definition: the fast match applies exactly when they would read the same key and offsets.
    """
    children = node.children
    if not children:
        return _skip(text, pos)
    ch = text[pos]
    scan = _scan_once
    if ch == "{":
        m = _FIRST_MEMBER.match(text, pos)
        if m is None:
            i = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text[i] == "}":
                return i + 1
            key, kstart, kend, j = _general_member(text, i)
        else:
            (_, j), (kstart, kend) = m.regs
            key = text[kstart + 1 : kend - 1]
        nxt = _NEXT_MEMBER.match
        while True:
            child = children.get(key)
            if child is None:
                vend = scan(text, j)[1]
            else:
                vend = _member(text, j, child, prefix + (key,), (kstart, kend), out, counter, valid)
                if vend < 0:
                    return vend
            m = nxt(text, vend)
            if m is None:
                i = _WS.match(text, vend).end()  # type: ignore[union-attr]
                if text[i] != ",":
                    return i + 1  # the object ends (or the text does: IndexError stops the walk)
                key, kstart, kend, j = _general_member(text, _WS.match(text, i + 1).end())  # type: ignore[union-attr]
            else:
                (_, j), (kstart, kend) = m.regs
                key = text[kstart + 1 : kend - 1]
    if ch == "[":
        i = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "]":
            return i + 1
        index = 0
        last = node.last
        nxt = _NEXT_ITEM.match
        while True:
            child = children.get(index)
            if child is not None:
                vend = _member(text, i, child, prefix + (index,), None, out, counter, valid)
                if vend < 0:
                    return vend
            elif index > last and not valid:
                return _skip(text, pos)  # nothing more wanted in this array
            else:
                vend = scan(text, i)[1]
            m = nxt(text, vend)
            if m is None:  # no comma follows: the array ends
                i = _WS.match(text, vend).end()  # type: ignore[union-attr]
                if i >= len(text):
                    raise IndexError(i)  # as the general steps do at the end of the text: the walk stops
                return i + 1
            i = m.end()
            index += 1
    return _skip(text, pos)


def _general_member(text: str, i: int) -> tuple[str, int, int, int]:
    """The general steps for an object member whose key's quote is at i: its key, key span and value start."""
    key, kend = _scanstring(text, i + 1)
    return key, i, kend, _WS.match(text, _WS.match(text, kend).end() + 1).end()  # type: ignore[union-attr]


def path_at(text: str, offset: int) -> tuple[Pointer, str, tuple[int, int]] | None:
    """The innermost member at a text offset: its pointer, whether the offset is on the 'key' or 'value', and that
    span."""
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
