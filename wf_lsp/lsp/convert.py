"""Core findings to LSP diagnostics: ranges in the client's position encoding, codes, links, tags and fixes in data."""

from __future__ import annotations

import heapq
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from wf_lsp.core.findings import Finding, Fix, Severity, Span
from wf_lsp.core.parse.textindex import TextIndex
from wf_lsp.core.result import Result
from wf_lsp.core.rules import catalog
from wf_lsp.lsp.lines import LineIndex
from wf_lsp.lsp.payload import diagnostic_json

SOURCE = "wf-lsp"
#: Fixes with more edits than this travel without them (the code action takes them from the server's last result).
MAX_EDITS_IN_DATA = 50
_TAGS = {"unnecessary": types.DiagnosticTag.Unnecessary, "deprecated": types.DiagnosticTag.Deprecated}


class PositionMapper:
    """Maps code-point positions and offsets of one text to client positions (pygls's codec where it matters).

    Never splits the text: a column is converted from the code points before it on its line, and offsets are
    turned into lines by counting newlines (for many offsets at once), or by a line index built on demand."""

    __slots__ = ("_codec", "_identity", "_known", "_lines", "_text")

    def __init__(self, text: str, encoding: str, lines: LineIndex | None = None) -> None:
        self._text = text
        self._codec = PositionCodec(encoding)
        self._lines = lines if lines is not None and lines.text is text else None
        self._known: dict[int, tuple[int, int]] = {}
        utf16 = encoding == types.PositionEncodingKind.Utf16
        utf32 = encoding == types.PositionEncodingKind.Utf32
        # Code points equal client units for ASCII, for UTF-32, and for UTF-16 without astral characters.
        self._identity = utf32 or text.isascii() or (utf16 and (not text or max(text) < "\U00010000"))

    def _index(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self._text)
        return self._lines

    def position(self, line: int, character: int, offset: int | None = None) -> types.Position:
        """Client position of a (line, code-point column); the offset, when known, saves a line lookup."""
        if self._identity:
            return types.Position(line=line, character=character)
        return types.Position(line=line, character=self._client_column(line, character, offset))

    def column(self, line: int, character: int, offset: int | None = None) -> int:
        """The client column of a (line, code-point column)."""
        return character if self._identity else self._client_column(line, character, offset)

    def _client_column(self, line: int, character: int, offset: int | None) -> int:
        if self._identity:
            return character
        if offset is None:
            offset = self._index().start(line) + character
        return int(self._codec.client_num_units(self._text[offset - character : offset]))

    def span(self, span: Span) -> types.Range:
        """Client range of a core span."""
        start, end = span.start, span.end
        return types.Range(
            self.position(start.line, start.character, start.offset), self.position(end.line, end.character, end.offset)
        )

    def preload(self, offsets: list[int]) -> None:
        """Find the lines of many offsets in one pass (cheaper than a line index for a few offsets in a big text)."""
        wanted = sorted(set(offsets) - self._known.keys())
        if wanted:
            for p in TextIndex(self._text).positions(wanted):
                self._known[p.offset] = (p.line, p.character)

    def offset_position(self, offset: int) -> types.Position:
        """Client position of a code-point offset."""
        line, character = self.offset_line_column(offset)
        return types.Position(line=line, character=character)

    def offset_line_column(self, offset: int) -> tuple[int, int]:
        """Client (line, character) of a code-point offset, without building an LSP object (for JSON data)."""
        offset = min(max(offset, 0), len(self._text))
        known = self._known.get(offset)
        line, character = known if known is not None else self._index().position(offset)
        return line, self._client_column(line, character, offset)

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
    """A fix as carried in data: title, safety and edits with client ranges (big ones are left for the code action)."""
    out: dict[str, Any] = {"title": fix.title, "safe": fix.safe}
    if len(fix.edits) > MAX_EDITS_IN_DATA:
        out.update(edits=[], deferred=len(fix.edits))  # e.g. re-keying 2,000 connections: kept server-side
    else:
        out["edits"] = [{"range": _range_json(mapper, e.start, e.end), "newText": e.new_text} for e in fix.edits]
    return out


def fix_edits(fix: Fix, mapper: PositionMapper) -> list[types.TextEdit]:
    """A fix's edits as LSP text edits."""
    return [types.TextEdit(range=mapper.offsets(e.start, e.end), new_text=e.new_text) for e in fix.edits]


def _range_json(mapper: PositionMapper, start: int, end: int) -> dict[str, Any]:
    """The JSON of the client range of code-point offsets (what `mapper.offsets` gives, without LSP objects)."""
    (sl, sc), (el, ec) = mapper.offset_line_column(start), mapper.offset_line_column(end)
    return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}


_DESCRIPTIONS: dict[str, types.CodeDescription] = {}
_SEVERITY = {int(s): types.DiagnosticSeverity(int(s)) for s in Severity}


def _code_description(url: str) -> types.CodeDescription:
    """A rule's code description, built once per rule (diagnostics only read it)."""
    found = _DESCRIPTIONS.get(url)
    if found is None:
        found = _DESCRIPTIONS[url] = types.CodeDescription(href=url)
    return found


def to_diagnostic(
    f: Finding, mapper: PositionMapper, uri: str, version: int | None, style: DiagnosticStyle, index: int = 0
) -> types.Diagnostic:
    """One finding as an LSP diagnostic."""
    rule = catalog.RULES.get(f.code)
    rng = mapper.span(f.span) if f.span else types.Range(types.Position(0, 0), types.Position(0, 0))
    related = None
    if style.related and f.related:
        related = [
            types.DiagnosticRelatedInformation(types.Location(uri, mapper.span(r.span)), r.message)
            for r in f.related
            if r.span is not None
        ] or None
    tags = [_TAGS[t] for t in f.tags if t in _TAGS] if style.tags else []
    data: dict[str, Any] = {
        "fixes": [fix_json(fix, mapper) for fix in f.fixes],
        "suggestion": f.suggestion,
        "version": version,
        "path": f.path,
        "node": node_of(f),
        "finding": index,
    }
    return types.Diagnostic(
        range=rng,
        message=f.message,
        severity=_SEVERITY.get(f.severity) or types.DiagnosticSeverity(int(f.severity)),
        code=f.code,
        code_description=_code_description(rule.url) if rule else None,
        source=SOURCE,
        related_information=related,
        tags=tags or None,
        data=data,
    )


def to_diagnostics(
    result: Result,
    text: str,
    uri: str,
    version: int | None,
    encoding: str,
    style: DiagnosticStyle,
    lines: LineIndex | None = None,
    limit: int = 0,
) -> list[types.Diagnostic]:
    """The findings of a result as diagnostics against the text that was validated.

    With a limit (setting maxDiagnostics; 0 means none) and more findings than that, the `limit` most severe (the
    earliest of equal severity) are converted, in document order, and one more diagnostic stands for the rest: what
    a client receives, and what the server holds in diagnostics, stays that size whatever the document.
    """
    findings = result.findings
    if not findings:
        return []
    chosen, rest = _chosen(findings, limit)
    mapper = PositionMapper(text, encoding, lines)
    mapper.preload([o for _, f in chosen for o in _fix_offsets(f)])
    out = [to_diagnostic(f, mapper, uri, version, style, i) for i, f in chosen]
    if rest:
        out.append(over_limit(rest, limit, version))
    return out


def to_payload(
    result: Result, text: str, uri: str, version: int | None, encoding: str, style: DiagnosticStyle, limit: int = 0
) -> list[dict[str, Any]]:
    """What to_diagnostics gives, as the JSON values publishDiagnostics sends (the converter's, key for key), built
    without LSP objects: on a keystroke with thousands of findings, those objects cost more than the validation.

    A finding the document's last diagnostics had (the same object: the edit left it as it was), or had moved along
    lines the edit did not touch, takes its JSON from them; only the data (version, index) is written anew."""
    findings = result.findings
    if not findings:
        return []
    chosen, rest = _chosen(findings, limit)
    memo_key = (encoding, style)
    with _MEMO_LOCK:
        memo = _MEMOS.get(uri)
    last = memo[1] if memo is not None and memo[0] == memo_key else {}
    same = _Same(result, text, last)
    parts: dict[int, _Parts] = {}
    todo: list[tuple[int, Finding]] = []
    for i, f in chosen:
        got = same.parts(f)
        if got is None:
            todo.append((i, f))
        else:
            parts[id(f)] = got
    if todo:
        mapper = PositionMapper(text, encoding)
        mapper.preload([o for _, f in todo for o in _fix_offsets(f)])
        for _, f in todo:
            parts[id(f)] = _new_parts(f, mapper, uri, style)
    out: list[dict[str, Any]] = []
    for i, f in chosen:
        core, fixes = parts[id(f)][1:]
        d = dict(core)
        d["data"] = {
            "fixes": fixes,
            "suggestion": f.suggestion,
            "version": version,
            "path": f.path,
            "node": node_of(f),
            "finding": i,
        }
        out.append(d)
    if rest:
        out.append(diagnostic_json(over_limit(rest, limit, version)))
    with _MEMO_LOCK:
        _MEMOS[uri] = (memo_key, parts)
        _MEMOS.move_to_end(uri)
        while len(_MEMOS) > MEMO_DOCUMENTS:
            _MEMOS.popitem(last=False)
    return out


#: A finding's diagnostic JSON but its data, and its fixes' JSON (what does not change with the version).
_Parts = tuple[Finding, dict[str, Any], list[dict[str, Any]]]
#: Documents whose last diagnostics' JSON is kept for their next version (by URI), with the encoding and style.
MEMO_DOCUMENTS = 16
_MEMOS: OrderedDict[str, tuple[tuple[str, DiagnosticStyle], dict[int, _Parts]]] = OrderedDict()
_MEMO_LOCK = threading.Lock()


class _Same:
    """Which findings of a result have the JSON the last diagnostics gave (by finding id, kept with the finding)."""

    __slots__ = ("_after", "_earlier", "_edit", "_last", "_text")

    def __init__(self, result: Result, text: str, last: dict[int, _Parts]) -> None:
        self._last, self._text = last, text
        edit, earlier = result.earlier or (None, {})
        # Moved along other lines only when the edit added no line: a line after it keeps its number and its text.
        self._edit, self._earlier = (edit, earlier) if edit is not None and edit.lines == 0 else (None, {})
        self._after = -1  # the line the edit ends on (found on first use)

    def parts(self, f: Finding) -> _Parts | None:
        got = self._last.get(id(f))
        if got is not None and got[0] is f:
            return got
        old = self._earlier.get(id(f))
        got = self._last.get(id(old)) if old is not None else None
        if got is None or got[0] is not old or not self._fixes_stay(old, got[2]):
            return None
        return f, got[1], got[2]

    def _fixes_stay(self, old: Finding, fixes: list[dict[str, Any]]) -> bool:
        """Whether each fix edit of a moved finding keeps its line and column: before the edit, or on a line after
        the one it ends on (the span and related places of a moved finding always are)."""
        edit = self._edit
        assert edit is not None and old.span is not None
        # A span that starts after the edit starts on a line after it (Edit.position), and so does every line from
        # that one on: the line the edit ends on is counted only for a fix edit above the span.
        below = old.span.start.line if old.span.start.offset > edit.old_end else None
        for fix, made in zip(old.fixes, fixes, strict=True):
            for e, j in zip(fix.edits, made["edits"], strict=False):  # (none when deferred)
                for o, end in ((e.start, "start"), (e.end, "end")):
                    if o < edit.start:
                        continue
                    if o <= edit.old_end:
                        return False
                    line = j["range"][end]["line"]
                    if (below is None or line < below) and line <= self._edit_line():
                        return False
        return True

    def _edit_line(self) -> int:
        """The line the edit ends on (counted once, on first use: a pass over the text before it)."""
        if self._after < 0:
            assert self._edit is not None
            self._after = self._text.count("\n", 0, self._edit.new_end)
        return self._after


def _new_parts(f: Finding, mapper: PositionMapper, uri: str, style: DiagnosticStyle) -> _Parts:
    column = mapper.column

    def span(s: Span) -> dict[str, Any]:
        a, b = s.start, s.end
        return {
            "start": {"line": a.line, "character": column(a.line, a.character, a.offset)},
            "end": {"line": b.line, "character": column(b.line, b.character, b.offset)},
        }

    rule = catalog.RULES.get(f.code)
    d: dict[str, Any] = {"range": span(f.span) if f.span else _ORIGIN, "message": f.message}
    d["severity"] = int(f.severity)
    d["code"] = f.code
    if rule:
        d["codeDescription"] = {"href": rule.url}
    d["source"] = SOURCE
    tags = [int(_TAGS[t]) for t in f.tags if t in _TAGS] if style.tags else []
    if tags:
        d["tags"] = tags
    if style.related and f.related:
        related = [{"location": {"uri": uri, "range": span(r.span)}, "message": r.message} for r in f.related if r.span]
        if related:
            d["relatedInformation"] = related
    return f, d, [fix_json(fix, mapper) for fix in f.fixes]


_ORIGIN = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}


def _fix_offsets(f: Finding) -> list[int]:
    return [o for fix in f.fixes if len(fix.edits) <= MAX_EDITS_IN_DATA for e in fix.edits for o in (e.start, e.end)]


def _chosen(findings: list[Finding], limit: int) -> tuple[list[tuple[int, Finding]], list[Finding]]:
    """The findings to convert (with their index), and those over the limit."""
    if 0 < limit < len(findings):
        # (no container per finding is kept meanwhile: a collection would walk every finding of the result)
        keep = sorted(i for _, i in heapq.nsmallest(limit, ((f.severity, i) for i, f in enumerate(findings))))
        kept = set(keep)
        return [(i, findings[i]) for i in keep], [f for i, f in enumerate(findings) if i not in kept]
    return list(enumerate(findings)), []


#: The code of the diagnostic that stands for the findings over the maxDiagnostics limit.
OVER_LIMIT = "TOO_MANY_DIAGNOSTICS"


def over_limit(rest: list[Finding], limit: int, version: int | None) -> types.Diagnostic:
    """One diagnostic, at the top of the document, that says how many findings were left out and of what severity."""
    counts = Counter(f.severity for f in rest)
    parts = ", ".join(f"{counts[s]:,} {s.label}{'' if counts[s] == 1 else 's'}" for s in sorted(counts))
    return types.Diagnostic(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        message=(
            f"{len(rest):,} more problem(s) not shown ({parts}): at most {limit:,} are shown per document "
            "(setting maxDiagnostics). `wf-lsp check` lists them all."
        ),
        severity=types.DiagnosticSeverity(int(min(counts))),
        code=OVER_LIMIT,
        source=SOURCE,
        data={"fixes": [], "suggestion": "", "version": version, "path": "", "node": None, "finding": None},
    )


def workspace_edit(
    caps: types.ClientCapabilities, uri: str, version: int | None, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    """Edits to one document: versioned documentChanges when the client supports them, else plain changes."""
    td = caps.workspace.workspace_edit if caps.workspace else None
    if td is not None and td.document_changes:
        doc = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=doc, edits=list(edits))])
    return types.WorkspaceEdit(changes={uri: list(edits)})


def edit_from_json(edit: dict[str, Any]) -> types.TextEdit:
    """A text edit as carried in a diagnostic's data."""
    r = edit["range"]
    return types.TextEdit(
        range=types.Range(
            types.Position(r["start"]["line"], r["start"]["character"]),
            types.Position(r["end"]["line"], r["end"]["character"]),
        ),
        new_text=edit["newText"],
    )
