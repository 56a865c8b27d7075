"""Placing a spliced text's findings: what the previous version placed, moved by the edit, where nothing changed."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.findings import Finding, Fix, Pointer, Position, Related, Span, TextEdit
from wf_lsp.core.fix.fixes import FixPlan

#: What decides where a finding is placed and which fixes it gets: its pointer, anchor, related pointers and fix plan.
Key = Hashable


@dataclass(slots=True)
class Previous:
    """A text spliced from the previous version: what that version's run placed (by key), and where they differ.

    The texts are equal but for old[start:old_end] (new[start:new_end]), an edit strictly inside the value of the
    second-level entry `entry` (nodes[i] or connections.S): every other value keeps its text and its place, moved by
    new_end - old_end when it lies after the edit."""

    placed: dict[Key, Finding]
    start: int
    old_end: int
    new_end: int
    entry: Pointer
    #: newlines the edit added (negative: removed)
    lines: int
    #: line breaks are "\n" only, in both texts (a CR would make columns depend on more than the offset)
    plain_lines: bool
    #: what the previous version's rules kept for this one (rules.carry)
    carried: dict[str, Any] | None = None

    def reuse(self, f: Finding, key: Key | None, plan: FixPlan | None) -> bool:
        """Give f the span, related spans and fixes of the previous run's finding with the same key, moved; False
        when there is none, or when it cannot be known the same (it touches the edited entry or the edit)."""
        old = self.placed.get(key) if key is not None else None
        if old is None or old.span is None or self._inside(f.pointer):
            return False
        if any(self._inside(r.pointer) for r in f.related) or (
            plan is not None and any(map(self._inside, plan.pointers))
        ):
            return False
        span = self._span(old.span)
        if span is None:
            return False
        related: list[Related] = []
        for r, was in zip(f.related, old.related, strict=True):
            moved = self._span(was.span) if was.span is not None else None
            if moved is None:
                return False
            related.append(Related(r.message, r.pointer, r.anchor, moved))
        fixes: list[Fix] = []
        for fix in old.fixes:
            edits = []
            for e in fix.edits:
                start, end = self._offset(e.start), self._offset(e.end)
                if start < 0 or end < 0:
                    return False
                edits.append(TextEdit(start, end, e.new_text))
            fixes.append(Fix(fix.title, tuple(edits), fix.safe))
        f.span, f.offsets, f.fixes = span, (span.start.offset, span.end.offset), fixes
        if related:
            f.related = related
        return True

    def _inside(self, ptr: Pointer) -> bool:
        return len(ptr) >= 2 and ptr[0] == self.entry[0] and ptr[1] == self.entry[1]

    def _offset(self, o: int) -> int:
        """An old offset in the new text; -1 for one at the edit (its meaning there is not known)."""
        if o < self.start:
            return o
        if o > self.old_end:
            return o + self.new_end - self.old_end
        return -1

    def _position(self, p: Position) -> Position | None:
        """An old position in the new text; None when its column may have changed (on the edit's line)."""
        o = p.offset
        if o < self.start:
            return p
        if o > self.old_end and self.plain_lines and p.line > 0 and o - p.character - 1 >= self.old_end:
            return Position(p.line + self.lines, p.character, o + self.new_end - self.old_end)
        return None

    def _span(self, span: Span) -> Span | None:
        start, end = self._position(span.start), self._position(span.end)
        return Span(start, end) if start is not None and end is not None else None


def key_of(f: Finding, plan: FixPlan | None) -> Key | None:
    """What a finding's placement depends on, or None when that cannot be told (explicit offsets)."""
    if f.offsets is not None:
        return None
    related = tuple([(r.pointer, r.anchor) for r in f.related]) if f.related else ()
    return (f.pointer, f.anchor, f.code == "DUPLICATE_KEY", related, plan.key if plan is not None else None)


__all__ = ["Key", "Previous", "key_of"]
