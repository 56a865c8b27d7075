"""Repair of broken JSON text: one step where the parser stopped, each step reported as a syntax finding."""

from __future__ import annotations

import re
from typing import Any, Protocol

from wf_lsp.core.findings import Finding, Severity
from wf_lsp.core.parse.brackets import open_brackets
from wf_lsp.core.parse.jsonerror import MAX_DEPTH, Kind


class Repairable(Protocol):
    """What a repair step reads and writes of the document being parsed (parse.document.Document)."""

    text: str
    value: Any
    syntax: list[Finding]
    truncated: bool


#: The key of the member a value position belongs to (directly, or as an item of its array).
_KEY_BEFORE = re.compile(r'"((?:[^"\\\n]|\\.)*)"\s*:\s*(?:\[[^\[\]{}:]*)?\Z')
#: Keys whose values are secrets: masked in messages (credentials, passwords, tokens, keys).
_SECRET_KEY = re.compile(r"pass(?:word|wd)?|pwd|secret|token|api[_-]?key|private[_-]?key|credential|auth", re.I)
_BRACKETS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|[\[\]{}]')


def doc_to_original(insertions: list[tuple[int, int]], offset: int) -> int:
    """Map an offset of repaired text back to the original, given the insertions made so far."""
    shift = sum(count for at, count in insertions if at < offset)
    return max(0, offset - shift)


def original_to_doc(insertions: list[tuple[int, int]], offset: int) -> int:
    """Map an offset of the original text to the repaired text (doc_to_original's inverse, away from insertions)."""
    shift = 0
    for at, count in insertions:  # (in order: each repair is made after those before it)
        if at < offset + shift:
            shift += count
    return offset + shift


def syntax_finding(code: str, message: str, start: int, end: int) -> Finding:
    """A syntax problem at code-point offsets of the original text."""
    return Finding(code=code, message=message, path="", pointer=(), severity=Severity.ERROR, offsets=(start, end))


def _insert(work: str, at: int, piece: str, insertions: list[tuple[int, int]]) -> str:
    """Insert piece at `at` of the working text, recording the shift for mapping positions back."""
    insertions.append((at, len(piece)))
    insertions.sort()
    return work[:at] + piece + work[at:]


def _prev_nonspace(work: str, pos: int) -> int:
    i = pos - 1
    while i >= 0 and work[i] in " \t\r\n":
        i -= 1
    return i


def step(work: str, kind: Kind, pos: int, doc: Repairable, insertions: list[tuple[int, int]]) -> str | None:
    """One repair step where json stopped (kind: what it expected there); records a syntax finding. None when nothing
    can be done."""
    orig = doc_to_original(insertions, pos)
    n = len(work)

    def report(code: str, message: str, start: int, end: int) -> None:
        if doc.truncated and start >= len(doc.text):
            return  # follow-on repairs of the closing we appended
        doc.syntax.append(syntax_finding(code, message, start, max(end, start)))

    if pos >= len(work.rstrip()) and kind is not Kind.EXTRA:
        # json read everything before pos, unless it stopped inside a string (a line break or escape at the end)
        valid = pos if kind not in (Kind.CONTROL, Kind.ESCAPE, Kind.UNTERMINATED) else 0
        return _close_truncated(work, pos, doc, insertions, kind, valid)
    if kind is Kind.COMMA:
        report("JSON_SYNTAX_ERROR", "Missing comma", orig, orig + 1)
        return _insert(work, pos, ",", insertions)
    if kind is Kind.COLON:
        report("JSON_SYNTAX_ERROR", "Missing colon after property name", orig, orig + 1)
        return _insert(work, pos, ":", insertions)
    if kind in (Kind.KEY, Kind.VALUE, Kind.TRAILING_COMMA):
        prev = _prev_nonspace(work, pos)
        if work[pos] in "}]" and prev >= 0 and work[prev] == ",":
            report(
                "JSON_SYNTAX_ERROR",
                "Trailing comma",
                doc_to_original(insertions, prev),
                doc_to_original(insertions, prev) + 1,
            )
            return work[:prev] + " " + work[prev + 1 :]
        if work[pos] in "}]" and prev >= 0 and work[prev] == ":":
            report("JSON_SYNTAX_ERROR", "Missing value", orig, orig + 1)
            return _insert(work, pos, "null", insertions)
        if work[pos] == "," and prev >= 0 and work[prev] in ",[{":
            report("JSON_SYNTAX_ERROR", "Unexpected comma", orig, orig + 1)
            return work[:pos] + " " + work[pos + 1 :]
        # An unexpected token: a bare word, a single-quoted string, a stray character.
        m = re.compile(r"[^,\]}\r\n]*").match(work, pos)
        end = m.end() if m else pos + 1
        end = max(end, pos + 1)
        token = work[pos:end].rstrip()
        end = pos + max(1, len(token))
        if kind is Kind.KEY:
            report(
                "JSON_SYNTAX_ERROR",
                "Property names must be double-quoted strings",
                orig,
                doc_to_original(insertions, end),
            )
            # Drop the rest of this member: blank it to keep positions.
            return work[:pos] + " " * (end - pos) + work[end:] if work[pos] not in "{[" else None
        shown = "text (not shown: it may be a secret)" if _secret_member(work, pos) else _show(token)
        report("JSON_SYNTAX_ERROR", f"Unexpected {shown}; expected a value", orig, doc_to_original(insertions, end))
        if work[pos] in "}]":
            return _insert(work, pos, "null", insertions)
        blank = "null" + " " * (end - pos - 4) if end - pos >= 4 else None
        if blank is not None:
            return work[:pos] + blank + work[end:]
        work = work[:pos] + " " * (end - pos) + work[end:]
        return _insert(work, pos, "null", insertions)
    if kind is Kind.UNTERMINATED:
        if "\n" not in work[pos:] and "\r" not in work[pos:]:
            # A cut-off value ends with its string; a cut-off key also needs its value (":null", added when it is one).
            prev = _prev_nonspace(work, pos)
            odd = (len(work) - len(work.rstrip("\\"))) % 2 == 1  # the quote added is escaped: the string goes on
            as_key = Kind.COMMA if prev >= 0 and work[prev] == ":" and not odd else Kind.COLON
            return _close_truncated(_insert(work, n, '"', insertions), n + 1, doc, insertions, as_key, pos)
        eol = work.find("\n", pos)
        eol = n if eol < 0 else eol
        if eol > pos and work[eol - 1] == "\r":
            eol -= 1
        report("JSON_SYNTAX_ERROR", "Unterminated string", orig, doc_to_original(insertions, eol))
        closing = '"'
        # A backslash right before the end would escape our quote.
        if (len(work[pos:eol]) - len(work[pos:eol].rstrip("\\"))) % 2 == 1:
            closing = '\\"'
        return _insert(work, eol, closing, insertions)
    if kind is Kind.CONTROL:
        ch = work[pos] if pos < n else ""
        if ch in "\r\n":
            report("JSON_SYNTAX_ERROR", "Unterminated string (line break inside a string)", orig, orig + 1)
            return _insert(work, pos, '"', insertions)
        report(
            "JSON_SYNTAX_ERROR",
            f"Control character U+{ord(ch):04X} must be escaped in a string" if ch else "Invalid control character",
            orig,
            orig + 1,
        )
        return work[:pos] + " " + work[pos + 1 :]
    if kind is Kind.ESCAPE:
        report(
            "JSON_SYNTAX_ERROR", "Invalid \\uXXXX escape" if work[pos] == "u" else "Invalid \\escape", orig, orig + 2
        )
        # json reports the escape's backslash (or the \u's backslash): replace the backslash by a space.
        bs = work.rfind("\\", 0, pos + 1)
        if bs < 0:
            return None
        return work[:bs] + " " + work[bs + 1 :]
    # Kind.EXTRA: a complete value, then more text
    report("JSON_SYNTAX_ERROR", "Unexpected text after the end of the JSON value", orig, len(doc.text))
    return work[:pos] + " " * (n - pos)


def _secret_member(work: str, pos: int) -> bool:
    """Whether the value at pos belongs to a member whose key names a secret (its text must not reach a report)."""
    m = _KEY_BEFORE.search(work, max(0, pos - 300), pos)
    return m is not None and bool(_SECRET_KEY.search(m.group(1)))


def _show(token: str) -> str:
    token = token[:30].translate(_VISIBLE)
    return f"'{token}'" if token else "end of line"


#: Control characters (NUL, ESC, DEL, ...) shown as escapes in messages, never raw into a terminal or an editor.
_VISIBLE = {c: f"\\u{c:04x}" for c in (*range(0x20), 0x7F)}


def _close_truncated(
    work: str, pos: int, doc: Repairable, insertions: list[tuple[int, int]], kind: Kind, valid: int = 0
) -> str | None:
    """The text ends early: close every open string, array and object so what is there can be checked. json read
    work[:valid] whole (0 when that is not known)."""
    stack = open_brackets(work, valid)
    orig_end = len(doc.text)
    if not stack:
        doc.syntax.append(
            syntax_finding(
                "JSON_SYNTAX_ERROR", "Expected a JSON value", min(orig_end, doc_to_original(insertions, pos)), orig_end
            )
        )
        return None
    closers = "".join(reversed(stack))
    if not doc.truncated:
        doc.syntax.append(
            syntax_finding("JSON_SYNTAX_ERROR", f"Unexpected end of file: '{closers}' expected", orig_end, orig_end)
        )
    doc.truncated = True
    tail = work.rstrip()
    suffix = ""
    last = tail[-1:] if tail else ""
    if last == ",":
        work = tail[:-1] + " " + work[len(tail) :]
    elif last == ":" or (kind is Kind.VALUE and last in "[{" and stack and stack[-1] == "}"):
        suffix = "null"
    elif kind is Kind.COLON and stack and stack[-1] == "}":
        suffix = ":null"
    return work + suffix + closers


def report_depth(doc: Repairable, work: str, insertions: list[tuple[int, int]]) -> None:
    """Report the first bracket past the nesting limit; nothing is parsed then."""
    at = doc_to_original(insertions, _depth_position(work))
    doc.syntax.append(syntax_finding("NESTING_TOO_DEEP", "JSON nesting is too deep to validate", at, at + 1))
    doc.value = None


def _depth_position(work: str) -> int:
    depth = 0
    for m in _BRACKETS.finditer(work):
        t = m.group()
        if t in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
        elif t in "]}":
            depth -= 1
    return 0


__all__ = ["Repairable", "doc_to_original", "original_to_doc", "report_depth", "step", "syntax_finding"]
