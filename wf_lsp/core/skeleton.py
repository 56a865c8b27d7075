"""Parse valid JSON with the C scanner while recording where the top two levels sit (nodes[i], connections.S, ...)."""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable
from typing import Any

from wf_lsp.core.findings import Pointer

_WS = re.compile(r"[ \t\n\r]*")
#: after an array item: optional whitespace, then `,` (and whitespace) or `]`
_ITEM_SEP = re.compile(r"[ \t\n\r]*(?:(,)[ \t\n\r]*|\])")
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (C speedup, untyped)

#: pointer -> (key span or None, (value start, value end)) for the top-level members and their direct children
Skeleton = dict[Pointer, tuple[tuple[int, int] | None, tuple[int, int]]]


class NotSimple(Exception):
    """The text is not a valid JSON object (the caller falls back to the general parser)."""


def scan(text: str, hook: Callable[[list[tuple[str, Any]]], dict[str, Any]] | None, constant: Callable[[str], Any]) -> tuple[Any, Skeleton]:
    """The value of a JSON text whose top level is an object, and the spans of its first two levels.

    Gives exactly json.loads's value (with the same object_pairs_hook); raises NotSimple on anything else.
    """
    decoder = json.JSONDecoder(object_pairs_hook=hook, parse_constant=constant)
    scan_once: Any = json.scanner.make_scanner(decoder)  # type: ignore[arg-type]
    if hook is None:
        hook = dict  # only for the top two levels, which this module assembles itself
    ws = _WS.match
    spans: Skeleton = {}
    try:
        i = ws(text, 0).end()  # type: ignore[union-attr]
        if text[i : i + 1] != "{":
            raise NotSimple
        pairs: list[tuple[str, Any]] = []
        i = ws(text, i + 1).end()  # type: ignore[union-attr]
        if text[i] != "}":
            while True:
                if text[i] != '"':
                    raise NotSimple
                key, kend = _scanstring(text, i + 1)
                kspan = (i, kend)
                j = ws(text, kend).end()  # type: ignore[union-attr]
                if text[j] != ":":
                    raise NotSimple
                j = ws(text, j + 1).end()  # type: ignore[union-attr]
                value, end = _second_level(text, j, key, scan_once, hook, spans)
                spans[(key,)] = (kspan, (j, end))
                pairs.append((key, value))
                i = ws(text, end).end()  # type: ignore[union-attr]
                if text[i] == ",":
                    i = ws(text, i + 1).end()  # type: ignore[union-attr]
                    continue
                if text[i] != "}":
                    raise NotSimple
                break
        end = i + 1
        if ws(text, end).end() != len(text):  # type: ignore[union-attr]
            raise NotSimple
        return hook(pairs), spans
    except (StopIteration, IndexError, ValueError, RecursionError) as exc:
        raise NotSimple from exc


def index(text: str) -> Skeleton:
    """Only the spans of the top two levels (values are built by the C scanner and dropped)."""
    return scan(text, None, _constant)[1]


def _constant(name: str) -> str:
    return name


def _second_level(text: str, pos: int, key: str, scan_once: Any, hook: Callable[[list[tuple[str, Any]]], Any], spans: Skeleton) -> tuple[Any, int]:
    """Scan one top-level member's value, recording its children's spans when it is an object or array."""
    ws = _WS.match
    ch = text[pos]
    if ch == "[":
        items: list[Any] = []
        i = ws(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "]":
            return items, i + 1
        sep = _ITEM_SEP.match
        n = 0
        while True:
            value, end = scan_once(text, i)
            spans[(key, n)] = (None, (i, end))
            items.append(value)
            n += 1
            m = sep(text, end)
            if m is None:
                raise NotSimple
            if m.group(1) is None:
                return items, m.end()
            i = m.end()
    if ch == "{":
        pairs: list[tuple[str, Any]] = []
        i = ws(text, pos + 1).end()  # type: ignore[union-attr]
        if text[i] == "}":
            return hook(pairs), i + 1
        while True:
            if text[i] != '"':
                raise NotSimple
            name, kend = _scanstring(text, i + 1)
            j = ws(text, kend).end()  # type: ignore[union-attr]
            if text[j] != ":":
                raise NotSimple
            j = ws(text, j + 1).end()  # type: ignore[union-attr]
            value, end = scan_once(text, j)
            spans[(key, name)] = ((i, kend), (j, end))
            pairs.append((name, value))
            i = ws(text, end).end()  # type: ignore[union-attr]
            if text[i] == ",":
                i = ws(text, i + 1).end()  # type: ignore[union-attr]
                continue
            if text[i] != "}":
                raise NotSimple
            return hook(pairs), i + 1
    value, end = scan_once(text, pos)
    return value, end


def fast_index(text: str, value: Any) -> Skeleton | None:
    """The top-two-level spans of a consistently indented (pretty-printed) object, found by indentation and verified.

    Element and key starts are found with str.find on "newline + indentation", then checked against the parsed
    value (the same keys in the same order, the same number of items, sampled items equal). Value ends are left
    unknown (-1). None when the text is not laid out that way or any check fails: callers fall back to index().
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


def _indent(text: str, open_at: int, first: int) -> str | None:
    """The indentation before the first member of a container, when it sits on its own line."""
    gap = text[open_at + 1 : first]
    if "\n" not in gap:
        return None
    return "\n" + gap[gap.rindex("\n") + 1 :]


def _keyed(text: str, first: int, indent: str, keys: list[str]) -> dict[str, tuple[tuple[int, int], int]] | None:
    """Member key spans and value starts of an object, by indentation; None unless they are exactly `keys`, in order."""
    out: dict[str, tuple[tuple[int, int], int]] = {}
    needle = indent + '"'
    pos = first
    for expected in keys:
        if text[pos] != '"':
            return None
        key, kend = _scanstring(text, pos + 1)
        if key != expected or key in out:
            return None  # not laid out as assumed (or a duplicate key): let the caller fall back
        j = _WS.match(text, kend).end()  # type: ignore[union-attr]
        if text[j] != ":":
            return None
        out[key] = ((pos, kend), _WS.match(text, j + 1).end())  # type: ignore[union-attr]
        if len(out) == len(keys):
            break
        nxt = text.find(needle, kend)
        if nxt < 0:
            return None
        pos = nxt + len(indent)
    return out


def _items(text: str, first: int, indent: str, items: list[Any]) -> list[int] | None:
    """Item starts of an array of objects or arrays, by indentation; verified by sampled equality and the closing `]`."""
    opener = text[first]
    if opener not in "{[":
        return None
    needle = indent + opener
    starts = [first]
    pos = first
    while len(starts) < len(items):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return None
        pos += len(indent)
        starts.append(pos)
    scan: Any = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]
    for i in sorted({0, len(items) // 2}):
        if scan(text, starts[i])[0] != items[i]:
            return None
    last, end = scan(text, starts[-1])
    if last != items[-1] or text[_WS.match(text, end).end()] != "]":  # type: ignore[union-attr]
        return None
    return starts
