"""Plain data the engine produces: positions, ranges, edits, fixes and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal

# Positions, spans, edits, fixes and related places are values: never changed once made, compared and hashed by value.
# They are not frozen dataclasses only because making a frozen one costs three times as much (a keystroke in a file with
# a finding on every node makes tens of thousands of them).

#: A location inside the parsed JSON value: object keys and array indices.
Pointer = tuple[str | int, ...]
#: Which part of the pointed-at member a finding marks.
Anchor = Literal["value", "key", "member"]


class Severity(IntEnum):
    """Diagnostic severity, ordered like LSP's (lower is more severe)."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        """Lower-case name as used in settings and output (`error`, `warning`, ...)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Severity from a settings word (`error`, `warning`, `info`, `information`, `hint`)."""
        word = text.strip().lower()
        if word == "info":
            word = "information"
        return cls[word.upper()]


@dataclass(slots=True, unsafe_hash=True)
class Position:
    """A 0-based line and a column counted in code points, plus the code-point offset."""

    line: int
    character: int
    offset: int


@dataclass(slots=True, unsafe_hash=True)
class Span:
    """A half-open range of the document text, in code points."""

    start: Position
    end: Position

    def to_json(self) -> dict[str, Any]:
        """LSP-shaped range (0-based line/character, code points)."""
        return {
            "start": {"line": self.start.line, "character": self.start.character},
            "end": {"line": self.end.line, "character": self.end.character},
        }


@dataclass(slots=True, unsafe_hash=True)
class TextEdit:
    """Replace text[start:end] (code-point offsets of the validated text) with new_text."""

    start: int
    end: int
    new_text: str

    def to_json(self) -> dict[str, Any]:
        """Compact JSON form carried in diagnostics' data."""
        return {"start": self.start, "end": self.end, "newText": self.new_text}


@dataclass(slots=True, unsafe_hash=True)
class Fix:
    """A mechanical repair: a title a user reads, its edits, and whether it is safe to apply unattended."""

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True

    def to_json(self) -> dict[str, Any]:
        """JSON form carried in diagnostics' data and in `check --format json`."""
        return {"title": self.title, "safe": self.safe, "edits": [e.to_json() for e in self.edits]}


@dataclass(slots=True, unsafe_hash=True)
class Related:
    """Another place that explains a finding (the first definition, the other end of an edge)."""

    message: str
    pointer: Pointer
    anchor: Anchor = "value"
    span: Span | None = None


@dataclass(slots=True)
class Finding:
    """One problem: a rule code, where (oracle path and anchor pointer), what and how to fix it."""

    code: str
    message: str
    path: str
    pointer: Pointer
    anchor: Anchor = "value"
    severity: Severity = Severity.ERROR
    related: list[Related] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    suggestion: str = ""
    span: Span | None = None
    tags: tuple[str, ...] = ()
    #: Explicit code-point offsets, for findings that have no JSON pointer (syntax errors).
    offsets: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        """The stable per-diagnostic shape of `check --format json`."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.label,
            "message": self.message,
            "path": self.path,
            "range": self.span.to_json() if self.span else None,
            "suggestion": self.suggestion,
            "fixes": [f.to_json() for f in self.fixes],
        }
        if self.related:
            out["related"] = [
                {
                    "message": r.message,
                    "path": pointer_to_path(r.pointer),
                    "range": r.span.to_json() if r.span else None,
                }
                for r in self.related
            ]
        if self.tags:
            out["tags"] = list(self.tags)
        return out


def pointer_to_path(pointer: Pointer) -> str:
    """Dotted path in the real validator's style: `nodes[3].name`, `connections.Start.main.0`."""
    parts: list[str] = []
    for p in pointer:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + p)
    return "".join(parts)
