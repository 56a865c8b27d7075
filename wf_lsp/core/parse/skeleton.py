"""Where the top two levels of a JSON object sit (nodes[i], connections.S, ...), found without a position tree."""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from wf_lsp.core.findings import Pointer

_WS = re.compile(r"[ \t\n\r]*")
#: after an array item: optional whitespace, then `,` (and whitespace) or `]`
_ITEM_SEP = re.compile(r"[ \t\n\r]*(?:(,)[ \t\n\r]*|\])")
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (C speedup, untyped)
#: the C scanner: (value, end) of the JSON value at an offset; it holds the GIL throughout, so threads may share it
_scan: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]

#: pointer -> (key span or None, (value start, value end)) for the top-level members and their direct children
Spans = tuple[tuple[int, int] | None, tuple[int, int]]
Skeleton = dict[Pointer, Spans]
#: called for each member of an object with (key, key span, value start); returns the value's end
_Measure = Callable[[str, tuple[int, int], int], int]


class NotSimple(Exception):
    """The text is not a valid JSON object (the caller falls back to other means)."""


def index(text: str) -> Skeleton:
    """Spans of the top two levels of a JSON text whose top level is an object (one C-speed scan of each value)."""
    spans: Skeleton = {}

    def skip(pos: int) -> int:
        return int(_scan(text, pos)[1])

    def top(key: str, kspan: tuple[int, int], start: int) -> int:
        def child(name: str, cspan: tuple[int, int], cstart: int) -> int:
            end = skip(cstart)
            spans[(key, name)] = (cspan, (cstart, end))
            return end

        ch = text[start]
        end = (
            _object(text, start, child)
            if ch == "{"
            else _array(text, start, key, spans, skip)
            if ch == "["
            else skip(start)
        )
        spans[(key,)] = (kspan, (start, end))
        return end

    try:
        start = _WS.match(text, 0).end()  # type: ignore[union-attr]
        if text[start : start + 1] != "{":
            raise NotSimple
        end = _object(text, start, top)
        if _WS.match(text, end).end() != len(text):  # type: ignore[union-attr]
            raise NotSimple
    except (StopIteration, IndexError, ValueError, RecursionError) as exc:
        raise NotSimple from exc
    return spans


def _object(text: str, pos: int, measure: _Measure) -> int:
    """Walk the members of the object at pos, letting `measure` read each value; returns the object's end."""
    ws = _WS.match
    i = ws(text, pos + 1).end()  # type: ignore[union-attr]
    if text[i] == "}":
        return i + 1
    while True:
        if text[i] != '"':
            raise NotSimple
        key, kend = _scanstring(text, i + 1)
        j = ws(text, kend).end()  # type: ignore[union-attr]
        if text[j] != ":":
            raise NotSimple
        end = measure(key, (i, kend), ws(text, j + 1).end())  # type: ignore[union-attr]
        i = ws(text, end).end()  # type: ignore[union-attr]
        if text[i] == ",":
            i = ws(text, i + 1).end()  # type: ignore[union-attr]
            continue
        if text[i] != "}":
            raise NotSimple
        return i + 1


def _array(text: str, pos: int, key: str, spans: Skeleton, skip: Callable[[int], int]) -> int:
    """Record the span of each item of the array at pos; returns the array's end."""
    i = _WS.match(text, pos + 1).end()  # type: ignore[union-attr]
    if text[i] == "]":
        return i + 1
    sep = _ITEM_SEP.match
    n = 0
    while True:
        end = skip(i)
        spans[(key, n)] = (None, (i, end))
        n += 1
        m = sep(text, end)
        if m is None:
            raise NotSimple
        if m.group(1) is None:
            return m.end()
        i = m.end()


def fast_index(text: str, value: Any) -> Skeleton | None:
    """The top-two-level spans of `text`, which must be exactly `value` pretty-printed with two-space indentation
    (Document.canonical, found while parsing): the layout of json.dumps(indent=2), editors' formatters and most
    generated files.

    Element and key starts are found by searching for "newline + indentation". That search is sound only because of
    the layout: in other text a nested line may sit at a top-level indentation ('{"a": {<newline>  "b": 1}, "b": 2}'
    would put "b" inside "a"), which no check on the value can rule out. Value ends are left unknown (-1). None when
    the top level is not a non-empty object: callers fall back to index().
    """
    if not isinstance(value, dict) or not value:
        return None
    ws = _WS.match
    try:
        start = ws(text, 0).end()  # type: ignore[union-attr]
        if text[start] != "{":
            return None
        first = ws(text, start + 1).end()  # type: ignore[union-attr]
        indent = _indent(text, start, first)
        if indent is None:
            return None
        spans: Skeleton = {}
        members = _keyed(text, first, indent, list(value))
        if members is None:
            return None
        for key, (kspan, vstart) in members.items():
            spans[(key,)] = (kspan, (vstart, -1))
            child = value[key]
            if not isinstance(child, (dict, list)) or not child or text[vstart] not in "{[":
                continue
            inner = ws(text, vstart + 1).end()  # type: ignore[union-attr]
            inner_indent = _indent(text, vstart, inner)
            if inner_indent is None:
                return None
            if isinstance(child, dict):
                entries = _keyed(text, inner, inner_indent, list(child))
                if entries is None:
                    return None
                for name, (espan, estart) in entries.items():
                    spans[(key, name)] = (espan, (estart, -1))
            else:
                starts = _items(text, inner, inner_indent, child)
                if starts is None:
                    return None
                for i, s in enumerate(starts):
                    spans[(key, i)] = (None, (s, -1))
        return spans
    except (StopIteration, IndexError, ValueError):
        return None


def _needle(needle: str) -> Callable[[str, int], re.Match[str] | None]:
    """The first occurrence of a literal at or after an offset (a compiled regex finds these line starts about twice as
    fast as str.find, whose search stumbles on the many partial matches of "newline + spaces")."""
    return re.compile(re.escape(needle)).search


def _indent(text: str, open_at: int, first: int) -> str | None:
    """The indentation before the first member of a container, when it sits on its own line."""
    gap = text[open_at + 1 : first]
    if "\n" not in gap:
        return None
    return "\n" + gap[gap.rindex("\n") + 1 :]


#: a member's opening quote, then (when the key has no escapes or control characters) the rest of the key, the colon and
#: the whitespace before the value; any other member is read by the general steps
_MEMBER = r'(")(?:([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*)?'
_FIRST_MEMBER = re.compile(_MEMBER)


def _keyed(text: str, first: int, indent: str, keys: list[str]) -> dict[str, tuple[tuple[int, int], int]] | None:
    """Member key spans and value starts of an object, by indentation; None unless they are exactly `keys`, in order."""
    out: dict[str, tuple[tuple[int, int], int]] = {}
    search = re.compile(re.escape(indent) + _MEMBER).search
    m = _FIRST_MEMBER.match(text, first)
    for expected in keys:
        if m is None:
            return None
        (_, vstart), (pos, _), (kstart, kend) = m.regs
        if kend >= 0:
            key = text[kstart:kend]
            kend += 1
        else:
            key, kend = _scanstring(text, pos + 1)
            j = _WS.match(text, kend).end()  # type: ignore[union-attr]
            if text[j] != ":":
                return None
            vstart = _WS.match(text, j + 1).end()  # type: ignore[union-attr]
        if key != expected or key in out:
            return None  # not laid out as assumed (or a duplicate key): let the caller fall back
        out[key] = ((pos, kend), vstart)
        if len(out) == len(keys):
            break
        m = search(text, kend)
    return out


def _items(text: str, first: int, indent: str, items: list[Any]) -> list[int] | None:
    """Item starts of an array of objects or arrays, by indentation: in the canonical layout each such item starts a
    line of its own, and nothing else in the array does (so every item must be a container of the first one's kind)."""
    opener = text[first]
    kind = dict if opener == "{" else list if opener == "[" else None
    if kind is None or not all(type(item) is kind for item in items):
        return None
    search = _needle(indent + opener)
    starts = [first]
    pos = first
    while len(starts) < len(items):
        found = search(text, pos + 1)
        if found is None:
            return None
        pos = found.end() - 1
        starts.append(pos)
    return starts


def moved(spans: Mapping[Pointer, Spans], after: int, delta: int) -> Moved:
    """A skeleton with every offset at or after `after` moved by delta (no offset lies inside the edit; -1 stays),
    moved as its entries are read: a keystroke costs nothing here, and locating a few pointers reads a few entries."""
    if isinstance(spans, Moved) and len(spans.shifts) < MAX_SHIFTS:
        return Moved(spans.base, (*spans.shifts, (after, delta)))
    return Moved(dict(spans.items()) if not isinstance(spans, dict) else spans, ((after, delta),))


#: edits a moved skeleton accumulates before it is written out again (each read applies them all)
MAX_SHIFTS = 32


class Moved(Mapping[Pointer, Spans]):
    """A skeleton and the edits made since it was built: (after, delta), each moving the offsets at or after `after`."""

    __slots__ = ("base", "shifts")

    def __init__(self, base: Skeleton, shifts: tuple[tuple[int, int], ...]) -> None:
        self.base = base
        self.shifts = shifts

    def __getitem__(self, ptr: Pointer) -> Spans:
        key, (vs, ve) = self.base[ptr]
        ks, ke = key if key is not None else (-1, -1)
        for after, delta in self.shifts:
            ks, ke = (ks + delta if ks >= after else ks), (ke + delta if ke >= after else ke)
            vs, ve = (vs + delta if vs >= after else vs), (ve + delta if ve >= after else ve)
        return (None if key is None else (ks, ke)), (vs, ve)

    def __contains__(self, ptr: object) -> bool:
        return ptr in self.base

    def __iter__(self) -> Iterator[Pointer]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)
