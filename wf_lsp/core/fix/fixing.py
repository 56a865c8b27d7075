"""Applying fixes to text: ordered, non-overlapping edits; the fix set behind "fix all" and `check --fix`, verified."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from wf_lsp.core.findings import Finding, Fix, Severity, TextEdit

#: Findings about the text itself rather than the workflow in it.
SYNTAX_CODES = frozenset({"JSON_SYNTAX_ERROR", "INVALID_ENCODING", "NESTING_TOO_DEEP", "FILE_TOO_LARGE"})
#: Test revalidations allowed per file in a verified fix run; groups left untested then are not applied.
MAX_VERIFICATIONS = 24
#: A string (closed or not), a line comment, or a block comment (closed or not): comments are the ones starting "/".
_TOKENS = re.compile(r'"[^"\\\n\r]*(?:\\[\s\S][^"\\\n\r]*)*"?|//[^\n\r]*|/\*[^*]*(?:\*+[^*/][^*]*)*(?:\*+/|\*+\Z|\Z)')


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (code-point offsets of text), back to front."""
    parts: list[str] = []
    end = len(text)
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        parts.append(text[e.end : end])
        parts.append(e.new_text)
        end = e.start
    parts.append(text[:end])
    return "".join(reversed(parts))


def chosen_fixes(findings: Iterable[Finding], unsafe: bool = False) -> list[Fix]:
    """The first safe fix of each finding (the first of any kind with `unsafe`), dropping any whose edits overlap or
    touch an earlier one's: an insertion at the edge of a deletion is ambiguous.

    Taken positions are painted in a bytearray (the accepted edits never overlap, so painting costs at most the
    text's length in all), and each edit is checked with one C-speed search over its own span.
    """
    first = [fix for fix in (next((x for x in f.fixes if x.safe or unsafe), None) for f in findings) if fix is not None]
    if not first:
        return []
    taken = bytearray(max((e.end for fix in first for e in fix.edits), default=0) + 2)
    chosen: list[Fix] = []
    for fix in first:
        if any(taken.find(1, e.start, e.end + 1) >= 0 for e in fix.edits):
            continue
        chosen.append(fix)
        for e in fix.edits:
            taken[e.start : e.end + 1] = b"\x01" * (e.end + 1 - e.start)
    return chosen


def safe_fixes(findings: Iterable[Finding]) -> list[Fix]:
    """The first safe fix of each finding, dropping any whose edits overlap an earlier one."""
    return chosen_fixes(findings)


def fix_all(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """Text with every non-conflicting safe fix applied, and how many fixes that was (not verified: see
    fix_verified)."""
    fixes = safe_fixes(findings)
    return apply_edits(text, [e for f in fixes for e in f.edits]), len(fixes)


def comments(text: str) -> Counter[str]:
    """The `//` and `/* */` comments of a text (outside strings), counted: a fix must keep every one."""
    if "//" not in text and "/*" not in text:
        return Counter()
    return Counter(m.group() for m in _TOKENS.finditer(text) if m.group().startswith("/"))


def _errors(findings: Iterable[Finding]) -> Counter[str]:
    """Errors per code, syntax findings always counted (whatever severity the settings give them)."""
    return Counter(f.code for f in findings if f.severity == Severity.ERROR or f.code in SYNTAX_CODES)


@dataclass(slots=True)
class FixOutcome:
    """The text after a verified fix run, the fixes applied, and the fixes rolled back (or left untested)."""

    text: str
    applied: int
    rolled_back: int


def fix_verified(
    text: str,
    findings: Iterable[Finding],
    validate: Callable[[str], Iterable[Finding]],
    unsafe: bool = False,
) -> FixOutcome:
    """Apply the chosen fixes, keeping only those that make nothing worse.

    `findings` are those `validate` gives for `text` (the baseline the tries are compared with).

    The fixes are tried all together first, and after every try the text is validated again: a try is kept when no
    error code (syntax errors included) occurs more often than in the original and every comment is still there.
    A try that fails is split in halves, each tried on top of what was kept, down to single fixes, which are rolled
    back. At most MAX_VERIFICATIONS validations are made: groups still untested then are not applied.
    """
    findings = list(findings)
    fixes = chosen_fixes(findings, unsafe)
    if not fixes:
        return FixOutcome(text, 0, 0)
    before = _errors(findings)
    kept_comments = comments(text)
    accepted: list[Fix] = []
    current = text
    pending = [fixes]
    tries = 0
    rolled_back = 0
    while pending:
        group = pending.pop()
        if tries >= MAX_VERIFICATIONS:
            rolled_back += len(group)
            continue
        tries += 1
        candidate = apply_edits(text, [e for f in (*accepted, *group) for e in f.edits])
        after = _errors(validate(candidate))
        if not (after - before) and not (kept_comments and kept_comments - comments(candidate)):
            accepted.extend(group)
            current = candidate
        elif len(group) == 1:
            rolled_back += 1
        else:
            half = len(group) // 2
            pending.append(group[half:])
            pending.append(group[:half])
    return FixOutcome(current, len(accepted), rolled_back)
