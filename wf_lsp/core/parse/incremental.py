"""Incremental parsing: a text that differs from the last one inside one nodes[i] (or connections.S) re-parses that."""

from __future__ import annotations

import bisect
import json.decoder
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from wf_lsp.core.findings import Finding, Pointer
from wf_lsp.core.parse import skeleton
from wf_lsp.core.parse.document import Document, parse
from wf_lsp.core.parse.document import _utf8_size as utf8_size
from wf_lsp.core.parse.jsonerror import Kind, too_deep
from wf_lsp.core.reuse import Previous

#: characters compared per step when looking for the changed region (a slice compare is a memcmp)
CHUNK = 16384
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (C speedup, untyped)
#: documents whose last parse is kept (by path), for the language server's open documents, and their most characters
KEEP = 4
KEEP_CHARS = 16_000_000


def changed_region(old: str, new: str) -> tuple[int, int, int]:
    """(start, old_end, new_end): new is old with old[start:old_end] replaced by new[start:new_end] (the shortest such
    region: the longest common prefix, then the longest common suffix of what is left)."""
    n = min(len(old), len(new))
    lo = 0
    while lo < n:
        hi = min(n, lo + CHUNK)
        if old[lo:hi] != new[lo:hi]:
            while hi - lo > 32:  # the first difference lies in old[lo:hi]: halve
                mid = (lo + hi) // 2
                if old[lo:mid] == new[lo:mid]:
                    lo = mid
                else:
                    hi = mid
            while old[lo] == new[lo]:
                lo += 1
            break
        lo = hi
    limit = n - lo
    lo_old, lo_new = len(old), len(new)
    same = 0  # length of the common suffix found so far
    while same < limit:
        k = min(limit, same + CHUNK)
        if old[lo_old - k : lo_old - same] != new[lo_new - k : lo_new - same]:
            while k - same > 32:
                mid = (same + k) // 2
                if old[lo_old - mid : lo_old - same] == new[lo_new - mid : lo_new - same]:
                    same = mid
                else:
                    k = mid
            while old[lo_old - same - 1] == new[lo_new - same - 1]:
                same += 1
            break
        same = k
    return lo, lo_old - same, lo_new - same


@dataclass(slots=True)
class _Last:
    text: str
    doc: Document
    #: (start, end, key, child) of the second level's values, by start, or None when not computed yet
    spans: list[tuple[int, int, str, str | int]] | None = None
    #: pretty-printed text: (line, index) of the last array item spliced, and the line of its top-level member: the
    #: next edit nearby counts items from there (splices keep every line before the edit where it was)
    anchor: tuple[int, int, int] | None = None
    #: a repaired parse: the original text (text is then the repaired text the value was parsed from)
    original: str | None = None


class Reparser:
    """Parses successive texts of one document; an edit inside one second-level value re-parses only that value."""

    def __init__(self) -> None:
        self._last: _Last | None = None
        #: a repaired splice not made: the last repaired spans, and that text with the edit made (see _kept_spans)
        self._tried: tuple[list[_Where], str, int, int, int] | None = None
        self._lock = threading.Lock()
        self.splices = 0

    @property
    def size(self) -> int:
        """Characters of the text kept."""
        last = self._last
        return len(last.text) + len(last.original or "") if last is not None else 0

    def parse(self, text: str, max_bytes: int | None) -> Document:
        """The Document of text: the same as document.parse(text, max_bytes), the value spliced when that is safe."""
        with self._lock:
            last = self._last
            doc = None
            if last is not None:
                splice = self._splice if last.original is None else self._splice_repaired
                doc = splice(last, text, max_bytes)
            if doc is None:
                doc = parse(text, max_bytes)
                self._last = None
                if _clean(doc, text):
                    self._last = _Last(text, doc)
                    doc.placed = {}
                elif _repaired(doc, text):
                    self._last = _Last(doc.parsed_text, doc, _kept_spans(self._tried, doc.parsed_text), None, text)
                    doc.placed = {}
            self._tried = None
            return doc

    def _splice(self, last: _Last, text: str, max_bytes: int | None) -> Document | None:
        old = last.doc
        if max_bytes is not None and utf8_size(text, max_bytes) > max_bytes:
            return None
        start, old_end, new_end = changed_region(last.text, text)
        where, anchor = _entry(last, start, old_end)
        if where is None:
            return None  # the edit touches more than the inside of one second-level value
        s, e, key, child = where
        delta = new_end - old_end
        piece = _read_piece(text[s : e + delta], old.canonical)
        if piece is None:
            return None
        value, canonical = piece
        top = _with(old.value, key, child, value)
        if top is None:
            return None
        doc = Document(text=text, value=top, parsed_text=text, canonical=canonical, placed={})
        if old.placed is not None:
            old_text = last.text
            lines = text.count("\n", start, new_end) - old_text.count("\n", start, old_end)
            plain = "\r" not in old_text[start:old_end] and not doc.index.has_cr  # (the index the run reads anyway)
            doc.previous = Previous(old.placed, start, old_end, new_end, (key, child), lines, plain, old.carried)
        if old._skeleton_tried:  # the top two levels kept their layout: the same skeleton, moved by the edit
            doc._skeleton = _moved(old._skeleton, old_end, delta) if old._skeleton is not None else None
            doc._skeleton_tried = old._skeleton_tried
        shifted = None
        if last.spans is not None:
            shifted = [(a + delta, b + delta, x, y) if a > s else (a, b, x, y) for a, b, x, y in last.spans]
            shifted[bisect.bisect_left(shifted, (s,))] = (s, e + delta, key, child)
        self._last = _Last(text, doc, shifted, anchor)
        self.splices += 1
        return doc

    def _splice_repaired(self, last: _Last, text: str, max_bytes: int | None) -> Document | None:
        """_splice for a text whose last version was repaired (broken JSON): the edit lies inside one second-level value
        of the repaired text that no repair touched, and no repair read; the value is re-parsed there, every repair
        and syntax finding after it moved. (Which repairs a text needs, and what they report, is decided left to right:
        a value that is well-formed both before and after an edit changes neither, when they do not read its inside.)"""
        old, original, repaired = last.doc, last.original, last.text
        assert original is not None
        if old.duplicate_keys or (max_bytes is not None and utf8_size(text, max_bytes) > max_bytes):
            return None
        start, old_end, new_end = changed_region(original, text)
        shift = 0
        for at, count in old.insertions:  # (in order: each repair is made after those before it)
            if at < start + shift:
                shift += count
        where, _ = _entry(last, start + shift, old_end + shift)
        if where is None:
            return None
        s, e, key, child = where
        so = s - shift
        eo = so + e - s
        delta = new_end - old_end
        if last.spans is not None:
            edited = repaired[: start + shift] + text[start:new_end] + repaired[old_end + shift :]
            self._tried = (last.spans, edited, s, e, delta)
        if not (so < start and old_end < eo) or original[so:eo] != repaired[s:e] or not _untouched(old, so, eo):
            return None
        if "NaN" in repaired[s:e] or "Infinity" in repaired[s:e]:
            return None  # (json reads those, and only the first is reported)
        piece = _read_piece(text[so : eo + delta], False)
        top = _with(old.value, key, child, piece[0]) if piece is not None else None
        if top is None:
            return None
        parsed = repaired[:s] + text[so : eo + delta] + repaired[e:]
        doc = Document(text=text, value=top, parsed_text=parsed, placed={}, truncated=old.truncated)
        doc.insertions = [(at + delta if at >= e else at, count) for at, count in old.insertions]
        doc.repairs = [(kind, at + delta if at >= eo else at, reach + delta if at >= eo else reach)
                       for kind, at, reach in old.repairs]  # fmt: skip
        doc.syntax = [_moved_finding(f, eo, delta) for f in old.syntax]
        lines = text.count("\n", start, new_end) - original.count("\n", start, old_end)
        # Nothing placed is taken over (a repaired text's findings are all placed again); what the rules kept is.
        doc.previous = Previous({}, start, old_end, new_end, (key, child), lines, False, old.carried)
        if old._skeleton_tried:
            doc._skeleton = _moved(old._skeleton, old_end + shift, delta) if old._skeleton is not None else None
            doc._skeleton_tried = old._skeleton_tried
        moved = None
        if last.spans is not None:  # (a repaired text that is pretty-printed: found from the layout)
            moved = [(a + delta, b + delta, x, y) if a > s else (a, b, x, y) for a, b, x, y in last.spans]
            moved[bisect.bisect_left(moved, (s,))] = (s, e + delta, key, child)
        self._last = _Last(parsed, doc, moved, None, text)
        self.splices += 1
        return doc


def _with(value: Any, key: str, child: str | int, item: Any) -> dict[str, Any] | None:
    """A copy of value (the top level) with value[key][child] replaced by item (None: no such second-level place)."""
    top = dict(value)
    parent = top[key]
    if isinstance(parent, list) and isinstance(child, int):
        items = list(parent)
        items[child] = item
        top[key] = items
    elif isinstance(parent, dict) and isinstance(child, str):
        members = dict(parent)
        members[child] = item
        top[key] = members
    else:
        return None
    return top


def _kept_spans(tried: tuple[list[_Where], str, int, int, int] | None, parsed: str) -> list[_Where] | None:
    """The second level's spans of a repaired text, moved from the last repaired text's when this one is that text
    with the edit made inside its value s:e (its repairs were made again, the same), and that value's new text is one
    well-formed value: else None (found on first use)."""
    if tried is None or tried[1] != parsed:
        return None
    spans, _, s, e, delta = tried
    try:  # the value is one value still (an edit inside its brackets may have closed it and opened another)
        orjson.loads(parsed[s : e + delta])
    except orjson.JSONDecodeError:
        return None
    moved = [(a + delta, b + delta, x, y) if a > s else (a, b, x, y) for a, b, x, y in spans]
    k = bisect.bisect_left(moved, (s,))
    moved[k] = (s, e + delta, moved[k][2], moved[k][3])
    return moved


def _untouched(doc: Document, so: int, eo: int) -> bool:
    """Whether no repair of doc read or changed original[so:eo] (a value and its brackets): each one lies after it, or
    before it with all it reported; a comma or colon inserted right before it reads nothing. A string cut off before
    it is checked for a line break through the end of the text: never taken."""
    for kind, at, reach in doc.repairs:
        if at >= eo:
            continue
        if kind in (Kind.COMMA, Kind.COLON):
            if at > so:
                return False
        elif kind is Kind.UNTERMINATED or reach > so:
            return False
    return True


def _moved_finding(f: Finding, after: int, delta: int) -> Finding:
    if f.offsets is None or f.offsets[0] < after or not delta:
        return f
    return replace(f, offsets=(f.offsets[0] + delta, f.offsets[1] + delta))


_Where = tuple[int, int, str, str | int]


def _entry(last: _Last, start: int, end: int) -> tuple[_Where | None, tuple[int, int, int] | None]:
    """(start, end, key, child) of the second-level value whose inside holds old[start:end] (exclusive of its brackets),
    or None: found from the layout in pretty-printed text, else from a scan of the top two levels (kept, and moved)."""
    if last.doc.canonical:
        return _entry_by_layout(last.text, last.doc.value, start, end, last.anchor)
    if last.spans is None:
        try:
            last.spans = _second_level(skeleton.index(last.text))
        except skeleton.NotSimple:
            return None, None
    spans = last.spans
    k = bisect.bisect_right(spans, (start, len(last.text) + 1)) - 1
    if k < 0:
        return None, None
    s, e, key, child = spans[k]
    return ((s, e, key, child) if s < start and end < e else None), None


def _entry_by_layout(
    text: str, value: Any, start: int, end: int, anchor: tuple[int, int, int] | None
) -> tuple[_Where | None, tuple[int, int, int] | None]:
    """_entry in text that is exactly its value pretty-printed with two-space indents: there a line's indentation is
    twice the depth of its first token, and a container spans lines, so the second level is the lines indented by four.
    """
    p = text.rfind("\n    ", 0, start)
    while p >= 0 and text[p + 5] == " ":  # a deeper line: look further up
        p = text.rfind("\n    ", 0, p)
    if p < 0:
        return None, None
    line_end = text.find("\n", p + 1)
    s = line_end - 1  # the value's opening bracket ends its first line
    if line_end < 0 or s >= start or text[s] not in "{[":
        return None, None
    q = text.find("\n    ", line_end)
    while q >= 0 and text[q + 5] == " ":
        q = text.find("\n    ", q + 1)
    if q < 0 or text[q + 5] != ("}" if text[s] == "{" else "]") or end > q + 5:
        return None, None
    if anchor is not None and text.find('\n  "', min(anchor[0], p), max(anchor[0], p)) < 0:
        top_line = anchor[2]  # the same top-level member as the last edit's
    else:
        anchor = None
        top_line = text.rfind('\n  "', 0, p)  # the top-level member that holds it
    if top_line < 0:
        return None, None
    key = _scanstring(text, top_line + 4)[0]
    opener = text[text.find("\n", top_line + 1) - 1]
    parent = value.get(key) if isinstance(value, dict) else None
    if opener == "[" and isinstance(parent, list) and text[p + 5] == "{":
        if not all(type(item) is dict for item in parent):
            return None, None  # (each dict item's first line is "    {": counting those numbers the items)
        if anchor is None:
            index = text.count("\n    {", top_line, p)
        elif p >= anchor[0]:
            index = anchor[1] + text.count("\n    {", anchor[0], p)
        else:
            index = anchor[1] - text.count("\n    {", p, anchor[0])
        return (s, q + 6, key, index), (p, index, top_line)
    if opener == "{" and isinstance(parent, dict) and text[p + 5] == '"':
        child = _scanstring(text, p + 6)[0]
        return ((s, q + 6, key, child) if child in parent else None), None
    return None, None


def _moved(spans: Mapping[Pointer, skeleton.Spans], after: int, delta: int) -> Moved:
    """A skeleton with every offset at or after `after` moved by delta (no offset lies inside the edit; -1 stays),
    moved as its entries are read: a keystroke costs nothing here, and locating a few pointers reads a few entries."""
    if isinstance(spans, Moved) and len(spans.shifts) < MAX_SHIFTS:
        return Moved(spans.base, (*spans.shifts, (after, delta)))
    return Moved(dict(spans.items()) if not isinstance(spans, dict) else spans, ((after, delta),))


#: edits a moved skeleton accumulates before it is written out again (each read applies them all)
MAX_SHIFTS = 32


class Moved(Mapping[Pointer, skeleton.Spans]):
    """A skeleton and the edits made since it was built: (after, delta), each moving the offsets at or after `after`."""

    __slots__ = ("base", "shifts")

    def __init__(self, base: skeleton.Skeleton, shifts: tuple[tuple[int, int], ...]) -> None:
        self.base = base
        self.shifts = shifts

    def __getitem__(self, ptr: Pointer) -> skeleton.Spans:
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


def _repaired(doc: Document, text: str) -> bool:
    """Whether a repaired parse (broken JSON) is one _splice_repaired can start from."""
    return (
        isinstance(doc.value, dict)
        and bool(doc.repairs)
        and not doc.duplicate_keys
        and doc.parsed_text is not text
        and not text.startswith("\ufeff")
    )


def _clean(doc: Document, text: str) -> bool:
    """Whether a parse is one a splice can start from: well-formed, nothing repaired, no duplicate keys, no BOM."""
    return (
        isinstance(doc.value, dict)
        and not doc.syntax
        and not doc.insertions
        and not doc.duplicate_keys
        and not doc.truncated
        and doc.parsed_text is text
        and not text.startswith("\ufeff")
    )


def _second_level(spans: skeleton.Skeleton) -> list[tuple[int, int, str, str | int]]:
    """Value spans (start, end, key, child) of the second level, by start."""
    out = [(vs, ve, p[0], p[1]) for p, (_k, (vs, ve)) in spans.items() if len(p) == 2 and isinstance(p[0], str)]
    out.sort()
    return out


def _read_piece(piece: str, canonical: bool) -> tuple[Any, bool] | None:
    """(value, canonical) of one second-level value's new text, when the whole text then parses (document._fast_value)
    to the old value with this one replaced; None when that is not certain.

    The old text passed _fast_value: pretty-printed exactly (canonical), or with as many ':' as its value written back
    and no escaped colon or "e+". Its other parts stay; the whole new text passes the same test, with the same answer,
    exactly when this piece does: at a depth of two, written back with four more spaces of indentation."""
    try:
        raw = piece.encode("utf-8")
        value = orjson.loads(raw)
        again = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except (ValueError, TypeError):
        return None
    if too_deep(piece):
        return None  # nested in the whole text, orjson's depth limit may be reached
    if canonical:
        return (value, True) if raw == again.replace(b"\n", b"\n    ") else None
    if raw.count(b":") != again.count(b":"):
        return None
    if (b"\\" in raw and b"\\u003" in raw) or (b"+" in again and b"e+" in again):
        return None
    return value, False


_STATES: OrderedDict[str, Reparser] = OrderedDict()
_STATES_LOCK = threading.Lock()


def reparser(key: str) -> Reparser:
    """The Reparser of one document (by path), the KEEP most recently used kept."""
    with _STATES_LOCK:
        found = _STATES.get(key)
        if found is None:
            found = _STATES[key] = Reparser()
        else:
            _STATES.move_to_end(key)
        while len(_STATES) > KEEP or (len(_STATES) > 1 and sum(r.size for r in _STATES.values()) > KEEP_CHARS):
            _STATES.popitem(last=False)
        return found


__all__ = ["CHUNK", "KEEP", "KEEP_CHARS", "Reparser", "changed_region", "reparser"]
