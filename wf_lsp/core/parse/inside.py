"""Broken JSON whose every repair lies inside the edited value: that value repaired alone, as in the whole text."""

from __future__ import annotations

import re
from dataclasses import replace

from wf_lsp.core.parse.document import Document, parse
from wf_lsp.core.parse.jsonerror import MAX_DEPTH, Kind

#: Repairs that read the member's key up to this many characters back (a secret's token is not shown, repair.py): one
#: this close to the value's start reads text before it too, which the value alone does not (see _key_from_before).
_LOOKBACK = 300
_READS_KEY = (Kind.KEY, Kind.VALUE, Kind.TRAILING_COMMA)
_COLON = re.compile(r"[ \t\n\r]*:")


def repaired_alone(
    old: Document, text: str, value_at: tuple[int, int], start: int, old_end: int, new_end: int
) -> tuple[Document, int] | None:
    """The value at value_at (s, e) of old's repaired text, edited (old's original[start:old_end] is now
    text[start:new_end]), repaired on its own: (a Document of that value alone, its offsets moved to the whole text's,
    and the value's end in text), or None when that is not certainly what repairing the whole text would do.

    It is when every repair of the old text lies inside the value and the edit lies inside its brackets: json then
    reads the text before it without a stop, and the value's inside the same way wherever it stands, and each repair
    step reads only the value (checked: nothing reaches its end, no step looks before it, nothing is cut off and
    closed at the end of the text, no text follows it). NaN and Infinity (only the first is reported in a document),
    duplicate keys and nesting near the depth limit are left to the whole text."""
    s, e = value_at
    if old.truncated or old.duplicate_keys or not old.repairs or old.value is None:
        return None
    if any(not s < at < e for at, _ in old.insertions):
        return None
    eo = e - sum(count for _, count in old.insertions)  # (nothing is inserted before the value: s is in both texts)
    if any(not (s < at and reach < eo) for _, at, reach in old.repairs) or not (s < start and old_end < eo):
        return None
    piece = text[s : eo + new_end - old_end]
    if "NaN" in piece or "Infinity" in piece or piece.count("[") + piece.count("{") > MAX_DEPTH - 4:
        return None
    alone = parse(piece)
    if alone.value is None or alone.truncated or alone.duplicate_keys or not alone.repairs:
        return None  # (a value that needs no repair now: the whole text may well be clean, and is parsed as that)
    for kind, at, reach in alone.repairs:
        if kind is Kind.EXTRA or at <= 0 or reach >= len(piece):
            return None
        if kind in _READS_KEY and at < _LOOKBACK and (_key_from_before(piece) or _key_from_before(alone.parsed_text)):
            return None
    alone.insertions = [(at + s, count) for at, count in alone.insertions]
    alone.repairs = [(kind, at + s, reach + s) for kind, at, reach in alone.repairs]
    alone.syntax = [
        replace(f, offsets=(f.offsets[0] + s, f.offsets[1] + s)) if f.offsets is not None else f for f in alone.syntax
    ]
    return alone, s + len(piece)


def _key_from_before(piece: str) -> bool:
    """Whether a member name that repair._KEY_BEFORE reads back from inside the value could begin before it: such a
    match is a quoted run with the value's opening bracket inside it, so it closes at the value's first quote, which
    must then be followed by a colon (a key that begins with a colon or with spaces before one)."""
    q = piece.find('"')
    return q >= 0 and _COLON.match(piece, q + 1) is not None


__all__ = ["repaired_alone"]
