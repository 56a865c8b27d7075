"""Core findings to LSP diagnostics: ranges in the client's position encoding, codes, links, tags and fixes in data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from wf_lsp.core import catalog
from wf_lsp.core.findings import Finding, Fix, Span
from wf_lsp.core.result import Result
from wf_lsp.lsp.lines import LineIndex, LinesView

SOURCE = "wf-lsp"
_TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}


class PositionMapper:
    """Maps code-point positions and offsets of one text to client positions (pygls's codec where it matters)."""

    __slots__ = ("_codec", "_identity", "_lines")

    def __init__(self, text: str, encoding: str, lines: LineIndex | None = None) -> None:
        self._codec = PositionCodec(encoding)
        self._lines = lines if lines is not None and lines.text is text else LineIndex(text)
        utf16 = encoding == types.PositionEncodingKind.Utf16
        utf32 = encoding == types.PositionEncodingKind.Utf32
        # Code points equal client units for ASCII, for UTF-32, and for UTF-16 without astral characters.
        self._identity = utf32 or text.isascii() or (utf16 and (not text or max(text) < "\U00010000"))

    @property
    def lines(self) -> LineIndex:
        """The line index of the mapped text."""
        return self._lines

    def position(self, line: int, character: int) -> types.Position:
        """Client position of a (line, code-point column)."""
        if self._identity:
            return types.Position(line=line, character=character)
        return self._codec.position_to_client_units(LinesView(self._lines), ServerTextPosition(line, character))

    def span(self, span: Span) -> types.Range:
        """Client range of a core span."""
        return types.Range(self.position(span.start.line, span.start.character), self.position(span.end.line, span.end.character))

    def offset_position(self, offset: int) -> types.Position:
        """Client position of a code-point offset."""
        return self.position(*self._lines.position(offset))

    def offsets(self, start: int, end: int) -> types.Range:
        """Client range of code-point offsets."""
        return types.Range(self.offset_position(start), self.offset_position(end))


@dataclass(frozen=True, slots=True)
class DiagnosticStyle:
    """What the client accepts in a diagnostic."""

    tags: bool = True
    related: bool = True

    @classmethod
    def of(cls, caps: types.ClientCapabilities) -> DiagnosticStyle:
        """From the client's publishDiagnostics (or diagnostic) capabilities."""
        td = caps.text_document
        pub = td.publish_diagnostics if td else None
        tag_support = pub is not None and pub.tag_support is not None
        related = pub is None or pub.related_information is not False
        return cls(tags=tag_support or pub is None, related=related)


def node_of(f: Finding) -> int | None:
    """Index of the node a finding is about (its pointer starts with nodes/<i>)."""
    ptr = f.pointer
    if len(ptr) >= 2 and ptr[0] == "nodes" and isinstance(ptr[1], int):
        return ptr[1]
    return None


def fix_json(fix: Fix, mapper: PositionMapper) -> dict[str, Any]:
    """A fix as carried in data: title, safety and edits with client ranges (and the code-point offsets)."""
    return {
        "title": fix.title,
        "safe": fix.safe,
        "edits": [
            {"range": _range_json(mapper.offsets(e.start, e.end)), "newText": e.new_text, "start": e.start, "end": e.end}
            for e in fix.edits
        ],
    }


def _range_json(r: types.Range) -> dict[str, Any]:
    return {"start": {"line": r.start.line, "character": r.start.character}, "end": {"line": r.end.line, "character": r.end.character}}


def to_diagnostic(f: Finding, mapper: PositionMapper, uri: str, version: int | None, style: DiagnosticStyle) -> types.Diagnostic:
    """One finding as an LSP diagnostic."""
    rule = catalog.RULES.get(f.code)
    rng = mapper.span(f.span) if f.span else types.Range(types.Position(0, 0), types.Position(0, 0))
    related = None
    if style.related and f.related:
        related = [
            types.DiagnosticRelatedInformation(types.Location(uri, mapper.span(r.span)), r.message) for r in f.related if r.span is not None
        ] or None
    tags = [_TAGS[t] for t in f.tags if t in _TAGS] if style.tags else []
    data: dict[str, Any] = {
        "fixes": [fix_json(fix, mapper) for fix in f.fixes],
        "suggestion": f.suggestion,
        "version": version,
        "path": f.path,
        "node": node_of(f),
    }
    return types.Diagnostic(
        range=rng,
        message=f.message,
        severity=types.DiagnosticSeverity(int(f.severity)),
        code=f.code,
        code_description=types.CodeDescription(href=rule.url) if rule else None,
        source=SOURCE,
        related_information=related,
        tags=tags or None,
        data=data,
    )


def to_diagnostics(
    result: Result, text: str, uri: str, version: int | None, encoding: str, style: DiagnosticStyle, lines: LineIndex | None = None
) -> list[types.Diagnostic]:
    """Every finding of a result as diagnostics against the text that was validated."""
    if not result.findings:
        return []
    mapper = PositionMapper(text, encoding, lines)
    return [to_diagnostic(f, mapper, uri, version, style) for f in result.findings]
