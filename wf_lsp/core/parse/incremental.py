"""Incremental parsing: a text that differs from the last one inside one nodes[i] (or connections.S) re-parses that."""

from __future__ import annotations

import bisect
import json.decoder
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import orjson

from wf_lsp.core.findings import Finding
from wf_lsp.core.parse import skeleton
from wf_lsp.core.parse.document import Document, parse
from wf_lsp.core.parse.document import _utf8_size as utf8_size
from wf_lsp.core.parse.inside import repaired_alone
from wf_lsp.core.parse.jsonerror import Kind, too_deep
from wf_lsp.core.parse.region import Since, region_since
from wf_lsp.core.parse.repair import original_to_doc
from wf_lsp.core.reuse import Edit, Previous

_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (C speedup, untyped)
#: documents whose last parse is kept (by path), for the language server's open documents, and their most characters
KEEP = 4
KEEP_CHARS = 16_000_000


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
        self._lock = threading.Lock()
        self.splices = 0

    @property
    def size(self) -> int:
        """Characters of the text kept."""
        last = self._last
        return len(last.text) + len(last.original or "") if last is not None else 0

    def parse(self, text: str, max_bytes: int | None, since: Since | None = None) -> Document:
        """The Document of text: the same as document.parse(text, max_bytes), the value spliced when that is safe.
        `since`: the changed region from a text, when the caller knows it (used when that is the last text)."""
        with self._lock:
            last = self._last
            doc: Document | None = None
            refused: _Refused | None = None
            if last is not None and last.original is None:
                doc = self._splice(last, text, max_bytes, since)
            elif last is not None:
                doc, refused = self._splice_repaired(last, text, max_bytes, since)
            if doc is None:
                doc = parse(text, max_bytes)
                self._last = None
                if _clean(doc, text):
                    self._last = _Last(text, doc)
                    doc.placed = {}
                elif _repaired(doc, text):
                    spans = refused.spans_for(doc.parsed_text) if refused is not None else None
                    self._last = _Last(doc.parsed_text, doc, spans, None, text)
                    doc.placed = {}
            return doc

    def _splice(self, last: _Last, text: str, max_bytes: int | None, since: Since | None) -> Document | None:
        old = last.doc
        if max_bytes is not None and utf8_size(text, max_bytes) > max_bytes:
            return None
        start, old_end, new_end = region_since(last.text, text, since)
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
            doc.previous = Previous(old.placed, Edit(start, old_end, new_end, lines, plain), (key, child), old.carried)
        _move_skeleton(old, doc, old_end, delta)
        shifted = _shifted(last.spans, s, e, delta) if last.spans is not None else None
        self._last = _Last(text, doc, shifted, anchor)
        self.splices += 1
        return doc

    def _splice_repaired(
        self, last: _Last, text: str, max_bytes: int | None, since: Since | None
    ) -> tuple[Document | None, _Refused | None]:
        """_splice for a text whose last version was repaired (broken JSON): the edit lies inside one second-level value
        of the repaired text that no repair touched, and no repair read; the value is re-parsed there, every repair
        and syntax finding after it moved. (Which repairs a text needs, and what they report, is decided left to right:
        a value that is well-formed both before and after an edit changes neither, when they do not read its inside.)
        A splice not made is told (_Refused) when the value is known: the text is then repaired in full."""
        old, original, repaired = last.doc, last.original, last.text
        assert original is not None
        if old.duplicate_keys or (max_bytes is not None and utf8_size(text, max_bytes) > max_bytes):
            return None, None
        start, old_end, new_end = region_since(original, text, since)
        shift = original_to_doc(old.insertions, start) - start
        where, _ = _entry(last, start + shift, old_end + shift)
        if where is None:
            return None, None
        s, e, key, child = where
        so, eo = s - shift, e - shift
        delta = new_end - old_end
        refused = None
        if last.spans is not None:
            refused = _Refused(last.spans, s, e, repaired, start + shift, old_end + shift, text[start:new_end])
        if not (so < start and old_end < eo) or original[so:eo] != repaired[s:e] or not _untouched(old, so, eo):
            inside = self._splice_inside(last, text, where, start, old_end, new_end)
            return (inside, None) if inside is not None else (None, refused)
        if repaired.find("NaN", s, e) >= 0 or repaired.find("Infinity", s, e) >= 0:
            return None, refused  # (json reads those, and only the first is reported)
        piece = _read_piece(text[so : eo + delta], False)
        top = _with(old.value, key, child, piece[0]) if piece is not None else None
        if top is None:
            return None, refused
        parsed = repaired[:s] + text[so : eo + delta] + repaired[e:]
        doc = Document(text=text, value=top, parsed_text=parsed, placed={}, truncated=old.truncated)
        doc.insertions = [(at + delta if at >= e else at, count) for at, count in old.insertions]
        doc.repairs = [(kind, at + delta if at >= eo else at, reach + delta if at >= eo else reach)
                       for kind, at, reach in old.repairs]  # fmt: skip
        doc.syntax = [_moved_finding(f, eo, delta) for f in old.syntax]
        lines = text.count("\n", start, new_end) - original.count("\n", start, old_end)
        # Nothing placed is taken over (a repaired text's findings are all placed again); what the rules kept is.
        doc.previous = Previous({}, Edit(start, old_end, new_end, lines, False), (key, child), old.carried)
        _move_skeleton(old, doc, old_end + shift, delta)
        # (a repaired text that is pretty-printed has no spans: its values are found from the layout)
        moved = _shifted(last.spans, s, e, delta) if last.spans is not None else None
        self._last = _Last(parsed, doc, moved, None, text)
        self.splices += 1
        return doc, None

    def _splice_inside(
        self, last: _Last, text: str, where: _Where, start: int, old_end: int, new_end: int
    ) -> Document | None:
        """_splice_repaired for an edit of the value that holds every repair: that value repaired alone (inside.py)."""
        old, original = last.doc, last.original
        assert original is not None
        s, e, key, child = where
        made = repaired_alone(old, text, (s, e), start, old_end, new_end)
        top = _with(old.value, key, child, made[0].value) if made is not None else None
        if made is None or top is None:
            return None
        alone, end = made
        parsed = text[:s] + alone.parsed_text + text[end:]
        doc = Document(text=text, value=top, parsed_text=parsed, placed={})
        doc.insertions, doc.repairs, doc.syntax = alone.insertions, alone.repairs, alone.syntax
        lines = text.count("\n", start, new_end) - original.count("\n", start, old_end)
        doc.previous = Previous({}, Edit(start, old_end, new_end, lines, False), (key, child), old.carried)
        grow = s + len(alone.parsed_text) - e
        _move_skeleton(old, doc, e, grow)
        self._last = _Last(
            parsed, doc, _shifted(last.spans, s, e, grow) if last.spans is not None else None, None, text
        )
        self.splices += 1
        return doc


@dataclass(slots=True)
class _Refused:
    """A repaired splice not made: the repaired text's second level (spans), the value the edit lay in (s:e of that
    text), and the edit: repaired[at:upto] replaced by piece."""

    spans: list[_Where]
    s: int
    e: int
    repaired: str
    at: int
    upto: int
    piece: str

    def spans_for(self, parsed: str) -> list[_Where] | None:
        """The second level of the text repaired in full, moved from the last one's, when it is that text with the edit
        made (its repairs were made again, the same) and the edited value is one well-formed value still (an edit
        inside its brackets may close it and open another); else None (found on first use)."""
        delta = len(self.piece) - (self.upto - self.at)
        end = self.at + len(self.piece)
        if (
            len(parsed) != len(self.repaired) + delta
            or not parsed.startswith(self.piece, self.at)
            or parsed[: self.at] != self.repaired[: self.at]
            or parsed[end:] != self.repaired[self.upto :]
        ):
            return None
        try:
            orjson.loads(parsed[self.s : self.e + delta])
        except orjson.JSONDecodeError:
            return None
        return _shifted(self.spans, self.s, self.e, delta)


def _shifted(spans: list[_Where], s: int, e: int, delta: int) -> list[_Where]:
    """Second-level spans after an edit inside the value that starts at s (and ends at e): it ends delta later, and
    every value after it is moved by delta."""
    moved = [(a + delta, b + delta, x, y) if a > s else (a, b, x, y) for a, b, x, y in spans]
    k = bisect.bisect_left(moved, (s,))
    moved[k] = (s, e + delta, moved[k][2], moved[k][3])
    return moved


def _move_skeleton(old: Document, doc: Document, after: int, delta: int) -> None:
    """The top two levels kept their layout: doc has old's skeleton (when it was built), moved by the edit."""
    if old._skeleton_tried:
        doc._skeleton = skeleton.moved(old._skeleton, after, delta) if old._skeleton is not None else None
        doc._skeleton_tried = old._skeleton_tried


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
            scanned = skeleton.index(last.text)
        except skeleton.NotSimple:
            return None, None
        last.spans = _second_level(scanned)
        if last.doc._skeleton is None:  # (the same scan as Document.skeleton's: the next versions get it, moved)
            last.doc._skeleton, last.doc._skeleton_tried = scanned, 2
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


__all__ = ["KEEP", "KEEP_CHARS", "Reparser", "reparser"]
