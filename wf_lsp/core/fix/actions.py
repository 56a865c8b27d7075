"""Edits behind editor actions: suppress a rule code on one node (or the whole file) with `x-wf-ignore`."""

from __future__ import annotations

import json

from wf_lsp.core.findings import Pointer, TextEdit
from wf_lsp.core.fix import fixes
from wf_lsp.core.parse.locate import locate, value_end
from wf_lsp.core.rules.suppress import IGNORE_KEY

_WS = " \t\r\n"


def ignore_edit(text: str, code: str, node_index: int | None = None) -> TextEdit | None:
    """The edit that adds `code` to `x-wf-ignore` on nodes[node_index] (or the top-level object): None if already
    there."""
    code = code.upper()
    obj: Pointer = ("nodes", node_index) if node_index is not None else ()
    key: Pointer = (*obj, IGNORE_KEY)
    spans = locate(text, [obj, key])
    if obj not in spans:
        return None
    if key not in spans:
        built = fixes.insert_member(obj, IGNORE_KEY, [code], "", True)[1](spans, text)
        return built[0].edits[0] if built else None
    vs, ve = spans[key][1][0], value_end(text, spans[key])
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
