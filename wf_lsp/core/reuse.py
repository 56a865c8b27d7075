"""Placing a spliced text's findings: what the previous version placed, moved by the edit, where nothing changed."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from wf_lsp.core.findings import Finding, Fix, Pointer, Position, Related, Span, TextEdit
from wf_lsp.core.fix.fixes import FixPlan

#: What decides where a finding is placed and which fixes it gets: its pointer, anchor, related pointers and fix plan.
Key = Hashable


@dataclass(frozen=True, slots=True)
class Edit:
    """Two texts equal but for old[start:old_end] (new[start:new_end]): where a place of the old text is in the new."""

    start: int
    old_end: int
    new_end: int
    #: newlines the edit added (negative: removed)
    lines: int
    #: line breaks are "\n" only, in both texts (a CR would make columns depend on more than the offset)
    plain_lines: bool

    def offset(self, o: int) -> int:
        """An old offset in the new text; -1 for one at the edit (its meaning there is not known)."""
        if o < self.start:
            return o
        if o > self.old_end:
            return o + self.new_end - self.old_end
        return -1

    def position(self, p: Position) -> Position | None:
        """An old position in the new text; None when its column may have changed (on the edit's line)."""
        o = p.offset
        if o < self.start:
            return p
        if o > self.old_end and self.plain_lines and p.line > 0 and o - p.character - 1 >= self.old_end:
            return Position(p.line + self.lines, p.character, o + self.new_end - self.old_end)
        return None

    def span(self, span: Span) -> Span | None:
        """An old span in the new text (None: see position)."""
        start, end = self.position(span.start), self.position(span.end)
        if start is None or end is None:
            return None
        return span if start is span.start and end is span.end else Span(start, end)

    def places(self, old: Finding) -> tuple[Span, list[Span], list[Fix]] | None:
        """A placed finding's span, related spans and fixes in the new text; None when one of them is at the edit."""
        span = self.span(old.span) if old.span is not None else None
        if span is None:
            return None
        related: list[Span] = []
        for r in old.related:
            moved = self.span(r.span) if r.span is not None else None
            if moved is None:
                return None
            related.append(moved)
        fixes: list[Fix] = []
        first = self.start
        for fix in old.fixes:
            if all(e.end < first for e in fix.edits):
                fixes.append(fix)  # (before the edit: the same value)
                continue
            edits = []
            for e in fix.edits:
                start, end = self.offset(e.start), self.offset(e.end)
                if start < 0 or end < 0:
                    return None
                edits.append(TextEdit(start, end, e.new_text))
            fixes.append(Fix(fix.title, tuple(edits), fix.safe))
        return span, related, fixes

    def before(self, old: Finding) -> bool:
        """Whether all a placed finding marks or edits lies before the edit (it reads the same in the new text)."""
        start = self.start
        return (
            old.span is not None
            and old.span.end.offset < start
            and all(r.span is not None and r.span.end.offset < start for r in old.related)
            and all(e.end < start for fix in old.fixes for e in fix.edits)
        )

    def moved(self, old: Finding) -> Finding | None:
        """A placed finding of the old text as the same finding placed in the new one (None: see places)."""
        places = self.places(old)
        if places is None:
            return None
        span, spans, fixes = places
        related = [Related(r.message, r.pointer, r.anchor, s) for r, s in zip(old.related, spans, strict=True)]
        return Finding(
            old.code, old.message, old.path, old.pointer, old.anchor, old.severity, related, fixes, old.suggestion,
            span, old.tags, (span.start.offset, span.end.offset),
        )  # fmt: skip


#: A spliced text's run, seen from the last one's: the edit between their texts, and each finding that is one of the
#: last run's moved by it (by id, that one). What lets the next stages (the worker's answer, the diagnostics JSON) cost
#: what moved.
Earlier = tuple[Edit, dict[int, Finding]]


@dataclass(slots=True)
class Previous:
    """A text spliced from the previous version: what that version's run placed (by key), and where they differ.

    The texts differ by `edit`, strictly inside the value of the second-level entry `entry` (nodes[i] or
    connections.S): every other value keeps its text and its place, moved by the edit when it lies after it."""

    placed: dict[Key, Finding]
    edit: Edit
    entry: Pointer
    #: what the previous version's rules kept for this one (rules.carry)
    carried: dict[str, Any] | None = None

    def reuse(self, f: Finding, key: Key | None, plan: FixPlan | None) -> tuple[Finding, Finding, bool] | None:
        """Place f as the previous run's finding with the same key was, moved: (the finding to keep, that previous
        one, whether f says all it said). The finding to keep is the previous one itself when it lies before the edit
        and f says the same (nothing to move); else f, given its span, related spans and fixes, moved. None when there
        is no such finding, or when it cannot be known the same (it touches the edited entry or the edit)."""
        old = self.placed.get(key) if key is not None else None
        if old is None or self._inside(f.pointer):
            return None
        if f.related and any(self._inside(r.pointer) for r in f.related):
            return None
        if plan is not None and any(map(self._inside, plan.pointers)):
            return None
        same = same_but_place(f, old)
        if same and self.edit.before(old):
            return old, old, True
        places = self.edit.places(old)
        if places is None:
            return None
        span, spans, f.fixes = places
        f.span, f.offsets = span, (span.start.offset, span.end.offset)
        if spans:
            f.related = [Related(r.message, r.pointer, r.anchor, s) for r, s in zip(f.related, spans, strict=True)]
        return f, old, same

    def _inside(self, ptr: Pointer) -> bool:
        return len(ptr) >= 2 and ptr[0] == self.entry[0] and ptr[1] == self.entry[1]


def same_but_place(f: Finding, old: Finding) -> bool:
    """Whether a finding given the previous version's place (Previous.reuse) says all else as that one did: it is then
    Edit.moved(old), field for field."""
    return (
        f.code == old.code
        and f.message == old.message
        and f.severity == old.severity
        and f.path == old.path
        and f.suggestion == old.suggestion
        and f.tags == old.tags
        and f.anchor == old.anchor
        and f.pointer == old.pointer
        and (not f.related or all(r.message == w.message for r, w in zip(f.related, old.related, strict=True)))
    )


def key_of(f: Finding, plan: FixPlan | None) -> Key | None:
    """What a finding's placement depends on, or None when that cannot be told (explicit offsets)."""
    if f.offsets is not None:
        return None
    related = tuple([(r.pointer, r.anchor) for r in f.related]) if f.related else ()
    return (f.pointer, f.anchor, f.code == "DUPLICATE_KEY", related, plan.key if plan is not None else None)


__all__ = ["Earlier", "Edit", "Key", "Previous", "key_of", "same_but_place"]
