"""Applying fixes to text: ordered, non-overlapping edits; the safe-fix set behind "fix all" and `check --fix`."""

from __future__ import annotations

from collections.abc import Iterable

from wf_lsp.core.findings import Finding, Fix, TextEdit


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (code-point offsets of text), back to front."""
    out = text
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: e.start] + e.new_text + out[e.end :]
    return out


def safe_fixes(findings: Iterable[Finding]) -> list[Fix]:
    """The first safe fix of each finding, dropping any whose edits overlap an earlier one."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for f in findings:
        fix = next((x for x in f.fixes if x.safe), None)
        if fix is None:
            continue
        spans = [(e.start, e.end) for e in fix.edits]
        # Overlapping or merely touching edits conflict: an insertion at the edge of a deletion is ambiguous.
        if any(s <= te and ts <= e for s, e in spans for ts, te in taken):
            continue
        chosen.append(fix)
        taken.extend(spans)
    return chosen


def fix_all(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """Text with every non-conflicting safe fix applied, and how many fixes that was."""
    fixes = safe_fixes(findings)
    return apply_edits(text, [e for f in fixes for e in f.edits]), len(fixes)
