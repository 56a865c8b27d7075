"""Compact, versioned bytes for a Result (shared cache, local index); any input decodes to a checked Result or None."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from typing import Any

import orjson

from wf_lsp.core.findings import Finding, Fix, Position, Related, Severity, Span, TextEdit
from wf_lsp.core.result import Result, summarize

FORMAT = 1
#: Opens every sealed shared value: the seal's layout version, then a 32-byte HMAC-SHA256, then the payload.
SEAL = b"wfs1"
_MAC_BYTES = 32
_ANCHORS = ("value", "key", "member")
_SEVERITIES = frozenset(int(s) for s in Severity)
_COUNTS = ("nodeCount", "connectionCount", "edgeCount", "triggerCount", "variableCount")


class Invalid(ValueError):
    """A payload that is not exactly what `to_payload` writes."""


def _span(s: Span | None) -> list[int] | None:
    if s is None:
        return None
    return [s.start.line, s.start.character, s.start.offset, s.end.line, s.end.character, s.end.offset]


def to_payload(result: Result, version: str, fixes: bool = True) -> dict[str, Any]:
    """The result as plain JSON data, with the wf-lsp version that wrote it.

    `fixes=False` leaves every edit out and counts the fixes left out under "e": a reader that needs them computes
    them itself (the shared cache never carries an edit)."""
    findings = []
    stripped = 0
    for f in result.findings:
        if not fixes:
            stripped += len(f.fixes)
        findings.append(
            [
                f.code,
                f.message,
                f.path,
                list(f.pointer),
                f.anchor,
                int(f.severity),
                [[r.message, list(r.pointer), r.anchor, _span(r.span)] for r in f.related],
                [[x.title, x.safe, [[e.start, e.end, e.new_text] for e in x.edits]] for x in f.fixes] if fixes else [],
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
        "s": {k: result.summary.get(k) for k in ("workflowId", "tenantId", "dialect", *_COUNTS)},
        "d": result.duration_ms,
        "x": findings,
        "e": stripped,
    }


def encode(result: Result, version: str, fixes: bool = True) -> bytes:
    """Serialize a result with the wf-lsp version that wrote it."""
    return json.dumps(to_payload(result, version, fixes), separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )


def loads(data: bytes) -> Any:
    """JSON from bytes; Invalid for anything else (too deep, not UTF-8, not JSON), never another exception."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:  # lone surrogates (written with surrogatepass) are refused by orjson
        return json.loads(data.decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise Invalid(f"not JSON: {type(exc).__name__}") from None


def decode(data: bytes, version: str, content_hash: str) -> Result | None:
    """Result from bytes, or None when the bytes are from another version, another content, or garbage."""
    try:
        return from_payload(loads(data), version, content_hash)
    except Invalid:
        return None


def stripped_fixes(payload: Any) -> int:
    """How many fixes the writer left out of a payload (see `to_payload`); garbage counts as none."""
    n = payload.get("e") if isinstance(payload, dict) else None
    return n if type(n) is int and n > 0 else 0


def from_payload(payload: Any, version: str, content_hash: str | None) -> Result | None:
    """Result from `to_payload` data, or None when it is from another version, another content (unless
    `content_hash` is None), or anything but exactly the shape `to_payload` writes (checked field by field)."""
    try:
        return _result(payload, version, content_hash)
    except Exception:  # total: whatever the data, never an exception (Invalid, and anything unforeseen)
        return None


def _result(payload: Any, version: str, content_hash: str | None) -> Result | None:
    if not isinstance(payload, dict) or payload.get("f") != FORMAT or payload.get("v") != version:
        return None
    digest = payload.get("h")
    if not isinstance(digest, str) or (content_hash is not None and digest != content_hash):
        return None
    rows, is_workflow, duration, counts = payload.get("x"), payload.get("w"), payload.get("d"), payload.get("s")
    if not isinstance(rows, list) or not isinstance(is_workflow, bool) or not isinstance(counts, dict):
        return None
    if (
        not isinstance(duration, int | float)
        or isinstance(duration, bool)
        or not math.isfinite(duration)
        or duration < 0
    ):
        return None
    findings = [_finding(row) for row in rows]
    summary = summarize({}, findings, float(duration))
    for k in _COUNTS:
        summary[k] = _nat(counts.get(k))
    wf_id, tenant = counts.get("workflowId"), counts.get("tenantId")
    summary["workflowId"] = wf_id if wf_id is None or isinstance(wf_id, str) or type(wf_id) is int else _fail()
    summary["tenantId"] = tenant if tenant is None or isinstance(tenant, str) else _fail()
    dialect = counts.get("dialect")
    if dialect is not None:
        summary["dialect"] = dialect if dialect in ("metabuilder", "n8n") else _fail()
    return Result(findings, is_workflow, digest, summary, float(duration), False)


def _finding(row: Any) -> Finding:
    if not isinstance(row, list) or len(row) != 11:
        _fail()
    code, message, path, pointer, anchor, sev, related, fixes, suggestion, span, tags = row
    if type(sev) is not int or sev not in _SEVERITIES or not isinstance(related, list) or not isinstance(fixes, list):
        _fail()
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        _fail()
    return Finding(
        code=_str(code),
        message=_str(message),
        path=_str(path),
        pointer=_pointer(pointer),
        anchor=_anchor(anchor),
        severity=Severity(sev),
        related=[_related(r) for r in related],
        fixes=[_fix(x) for x in fixes],
        suggestion=_str(suggestion),
        span=_unspan(span),
        tags=tuple(tags),
    )


def _related(row: Any) -> Related:
    if not isinstance(row, list) or len(row) != 4:
        _fail()
    message, pointer, anchor, span = row
    return Related(_str(message), _pointer(pointer), _anchor(anchor), _unspan(span))


def _fix(row: Any) -> Fix:
    if not isinstance(row, list) or len(row) != 3 or not isinstance(row[1], bool) or not isinstance(row[2], list):
        _fail()
    title, safe, edits = row
    out = []
    for e in edits:
        if not isinstance(e, list) or len(e) != 3:
            _fail()
        start, end, new_text = _nat(e[0]), _nat(e[1]), _str(e[2])
        if start > end:
            _fail()
        out.append(TextEdit(start, end, new_text))
    return Fix(_str(title), tuple(out), safe)


def _unspan(v: Any) -> Span | None:
    if v is None:
        return None
    if not isinstance(v, list) or len(v) != 6:
        _fail()
    a, b, c, d, e, f = (_nat(x) for x in v)
    if (d, f) < (a, c):
        _fail()
    return Span(Position(a, b, c), Position(d, e, f))


def _pointer(v: Any) -> tuple[str | int, ...]:
    if not isinstance(v, list) or not all(isinstance(p, str) or type(p) is int for p in v):
        _fail()
    return tuple(v)


def _anchor(v: Any) -> Any:
    if v not in _ANCHORS:
        _fail()
    return v


def _str(v: Any) -> str:
    if not isinstance(v, str):
        _fail()
    return str(v)


def _nat(v: Any) -> int:
    if type(v) is not int or v < 0:
        _fail()
    return int(v)


def _fail() -> Any:
    raise Invalid("unexpected shape")


def fits(result: Result, text: str) -> bool:
    """Whether every position and edit of a result lies inside `text` (a cached result from elsewhere must)."""
    size = len(text)
    lines = text.count("\n") + text.count("\r") + 1  # an upper bound on the line count, whatever the line ends
    spans = [f.span for f in result.findings] + [r.span for f in result.findings for r in f.related]
    for s in spans:
        if s is not None and (s.end.offset > size or s.end.line >= lines):
            return False
    return all(e.end <= size for f in result.findings for x in f.fixes for e in x.edits)


def _mac(secret: bytes, key: str, digest: str, fingerprint: str, version: str, body: bytes) -> bytes:
    fields = ["wf-lsp shared result", key, digest, fingerprint, f"format {FORMAT}", version]
    head = b"\0".join(f.encode("utf-8", "surrogatepass") for f in fields)
    return hmac.new(secret, head + b"\0" + hashlib.sha256(body).digest(), hashlib.sha256).digest()


def seal(secret: bytes, key: str, digest: str, fingerprint: str, version: str, body: bytes) -> bytes:
    """`body` behind an HMAC-SHA256 over the key, the content hash, the settings fingerprint and the format."""
    return SEAL + _mac(secret, key, digest, fingerprint, version, body) + body


def unseal(secret: bytes, key: str, digest: str, fingerprint: str, version: str, data: object) -> bytes | None:
    """The body of a sealed value whose MAC verifies (constant-time compare), else None."""
    if not isinstance(data, bytes) or len(data) < len(SEAL) + _MAC_BYTES or not data.startswith(SEAL):
        return None
    mac, body = data[len(SEAL) : len(SEAL) + _MAC_BYTES], data[len(SEAL) + _MAC_BYTES :]
    return body if hmac.compare_digest(mac, _mac(secret, key, digest, fingerprint, version, body)) else None
