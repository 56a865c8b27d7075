"""Diagnostics as JSON values for publishDiagnostics, written field by field (what the converter gives, 5x faster)."""

from __future__ import annotations

from typing import Any

import attrs
from lsprotocol import types

#: the fields of a Diagnostic written here, in lsprotocol's order; another lsprotocol's goes through the converter
KNOWN = ("range", "message", "severity", "code", "code_description", "source", "tags", "related_information", "data")
LAYOUT_KNOWN = tuple(a.name for a in attrs.fields(types.Diagnostic)) == KNOWN


def _range(r: types.Range) -> dict[str, Any]:
    s, e = r.start, r.end
    return {"start": {"line": s.line, "character": s.character}, "end": {"line": e.line, "character": e.character}}


def _related(r: types.DiagnosticRelatedInformation) -> dict[str, Any]:
    return {"location": {"uri": r.location.uri, "range": _range(r.location.range)}, "message": r.message}


def diagnostic_json(d: types.Diagnostic) -> dict[str, Any]:
    """One diagnostic's JSON value (the converter's, key for key)."""
    out: dict[str, Any] = {"range": _range(d.range), "message": d.message}
    if d.severity is not None:
        out["severity"] = int(d.severity)
    if d.code is not None:
        out["code"] = d.code
    if d.code_description is not None:
        out["codeDescription"] = {"href": d.code_description.href}
    if d.source is not None:
        out["source"] = d.source
    if d.tags is not None:
        out["tags"] = [int(t) for t in d.tags]
    if d.related_information is not None:
        out["relatedInformation"] = [_related(r) for r in d.related_information]
    if d.data is not None:
        out["data"] = d.data
    return out


def _plain(d: types.Diagnostic) -> bool:
    """Whether the diagnostic sets only the fields written here, with the types they are written for."""
    return (
        type(d) is types.Diagnostic
        and (d.code is None or type(d.code) in (str, int))
        and (d.data is None or type(d.data) is dict)
        and all(type(r) is types.DiagnosticRelatedInformation for r in d.related_information or ())
    )


def diagnostics_json(diagnostics: list[types.Diagnostic], converter: Any) -> list[Any]:
    """The JSON value of a list of diagnostics: converter.unstructure(diagnostics, list[Diagnostic]), with the same keys
    in the same order, built directly (the converter costs about 20 µs a diagnostic, a keystroke's largest part)."""
    if not LAYOUT_KNOWN or not all(_plain(d) for d in diagnostics):
        return converter.unstructure(diagnostics, list[types.Diagnostic])  # type: ignore[no-any-return]
    return [diagnostic_json(d) for d in diagnostics]


__all__ = ["KNOWN", "LAYOUT_KNOWN", "diagnostic_json", "diagnostics_json"]
