"""Edits behind editor actions: suppress a code on a node (or the file), and pick non-overlapping safe fixes."""

from __future__ import annotations

import json
import re

from wf_lsp.core.findings import Finding, Pointer, TextEdit
from wf_lsp.core.locate import locate
from wf_lsp.core.rules import fixes
from wf_lsp.core.suppress import IGNORE_KEY

_WS = " \t\r\n"
_SPACE = re.compile(r"[ \t\r\n]*")


def ignore_edit(text: str, code: str, node_index: int | None = None) -> TextEdit | None:
    """The edit that adds `code` to `x-wf-ignore` on nodes[node_index] (or the top-level object): None if already there."""
    obj: Pointer = ("nodes", node_index) if node_index is not None else ()
    key: Pointer = (*obj, IGNORE_KEY)
    spans = locate(text, [obj, key])
    if obj not in spans:
        return None
    if key not in spans:
        built = fixes.insert_member(obj, IGNORE_KEY, [code], "", True)[1](spans, text)
        return built[0].edits[0] if built else None
    vs, ve = spans[key][1]
    try:
        current = json.loads(text[vs:ve])
    except ValueError:
        return None
    if isinstance(current, str):
        return None if current.upper() == code else TextEdit(vs, ve, fixes.dumps([current, code]))
    if not isinstance(current, list):
        return TextEdit(vs, ve, fixes.dumps([code]))
    if any(isinstance(c, str) and c.upper() == code for c in current):
        return None
    if not current:
        return TextEdit(vs, ve, fixes.dumps([code]))
    last = ve - 2  # just inside the closing bracket
    while last > vs and text[last] in _WS:
        last -= 1
    return TextEdit(last + 1, last + 1, ", " + fixes.dumps(code))


def safe_fix_edits(findings: list[Finding]) -> list[TextEdit]:
    """The first safe fix of each finding, skipping fixes that touch text another chosen fix already edits."""
    chosen: list[TextEdit] = []
    taken: list[tuple[int, int]] = []
    for f in findings:
        fix = next((x for x in f.fixes if x.safe), None)
        if fix is None:
            continue
        edits = [e for e in fix.edits if e not in chosen]
        if any(_overlaps(e, t) for e in edits for t in taken):
            continue
        chosen.extend(edits)
        taken.extend((e.start, e.end) for e in edits)
    return sorted(chosen, key=lambda e: (e.start, e.end))


def _overlaps(edit: TextEdit, span: tuple[int, int]) -> bool:
    start, end = span
    if edit.start == edit.end or start == end:  # insertions clash with anything at or around their point
        return start <= edit.end and edit.start <= end
    return edit.start < end and start < edit.end


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """Apply non-overlapping edits (code-point offsets of text)."""
    out = text
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: e.start] + e.new_text + out[e.end :]
    return out
