"""Compact, versioned bytes for a Result, for the shared cache; anything unreadable decodes to None."""

from __future__ import annotations

import json
from typing import Any

from wf_lsp.core.findings import Finding, Fix, Position, Related, Severity, Span, TextEdit
from wf_lsp.core.result import Result

FORMAT = 1


def _span(s: Span | None) -> list[int] | None:
    if s is None:
        return None
    return [s.start.line, s.start.character, s.start.offset, s.end.line, s.end.character, s.end.offset]


def _unspan(v: Any) -> Span | None:
    if v is None:
        return None
    a, b, c, d, e, f = (int(x) for x in v)
    return Span(Position(a, b, c), Position(d, e, f))


def _ptr(p: tuple[Any, ...]) -> list[Any]:
    return list(p)


def to_payload(result: Result, version: str) -> dict[str, Any]:
    """The result as plain JSON data, with the wf-lsp version that wrote it."""
    findings = []
    for f in result.findings:
        findings.append(
            [
                f.code,
                f.message,
                f.path,
                _ptr(f.pointer),
                f.anchor,
                int(f.severity),
                [[r.message, _ptr(r.pointer), r.anchor, _span(r.span)] for r in f.related],
                [[x.title, x.safe, [[e.start, e.end, e.new_text] for e in x.edits]] for x in f.fixes],
                f.suggestion,
                _span(f.span),
                list(f.tags),
            ]
        )
    return {
        "f": FORMAT,
        "v": version,
        "w": result.is_workflow,
        "h": result.content_hash,
        "s": result.summary,
        "d": result.duration_ms,
        "x": findings,
    }


def encode(result: Result, version: str) -> bytes:
    """Serialize a result with the wf-lsp version that wrote it."""
    return json.dumps(to_payload(result, version), separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


def decode(data: bytes, version: str, content_hash: str) -> Result | None:
    """Result from bytes, or None when the bytes are from another version, another content, or garbage."""
    try:
        payload = json.loads(data.decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError):
        return None
    return from_payload(payload, version, content_hash)


def from_payload(payload: Any, version: str, content_hash: str | None) -> Result | None:
    """Result from `to_payload` data, or None when it is from another version, another content (unless
    `content_hash` is None), or garbage."""
    try:
        if not isinstance(payload, dict) or payload.get("f") != FORMAT or payload.get("v") != version:
            return None
        digest = payload.get("h")
        if not isinstance(digest, str) or (content_hash is not None and digest != content_hash):
            return None
        findings = []
        for row in payload["x"]:
            code, message, path, pointer, anchor, sev, related, fixes, suggestion, span, tags = row
            findings.append(
                Finding(
                    code=str(code),
                    message=str(message),
                    path=str(path),
                    pointer=tuple(pointer),
                    anchor=anchor,
                    severity=Severity(int(sev)),
                    related=[Related(str(m), tuple(p), a, _unspan(s)) for m, p, a, s in related],
                    fixes=[Fix(str(t), tuple(TextEdit(int(a), int(b), str(c)) for a, b, c in edits), bool(safe)) for t, safe, edits in fixes],
                    suggestion=str(suggestion),
                    span=_unspan(span),
                    tags=tuple(tags),
                )
            )
        summary = payload["s"]
        if not isinstance(summary, dict):
            return None
        return Result(findings, bool(payload["w"]), digest, summary, float(payload["d"]), False)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
