"""A validation result: findings, validity, the seed's diagnostics summary, and its stable JSON shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wf_lsp.core.envelope import validation_envelope
from wf_lsp.core.findings import Finding, Severity

if TYPE_CHECKING:
    from wf_lsp.core.reuse import Earlier


@dataclass(slots=True)
class Result:
    """The outcome of validating one text under one set of settings."""

    findings: list[Finding]
    is_workflow: bool
    content_hash: str
    summary: dict[str, Any]
    duration_ms: float
    cache_hit: bool = False
    #: an editor's next version, validated from the last one's result: the findings it has from that one, moved (read
    #: once, to convert it for what moved)
    earlier: Earlier | None = None

    @property
    def errors(self) -> list[Finding]:
        """Error-severity findings."""
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Warning-severity findings."""
        return [f for f in self.findings if f.severity == Severity.WARNING]

    @property
    def valid(self) -> bool:
        """No errors (warnings and information never invalidate, as on the platform)."""
        return not any(f.severity == Severity.ERROR for f in self.findings)

    def hit(self) -> Result:
        """The same result, marked as served from a cache."""
        summary = dict(self.summary)
        summary["metrics"] = dict(summary.get("metrics", {}), cacheHit=True)
        return Result(self.findings, self.is_workflow, self.content_hash, summary, self.duration_ms, True)

    def to_json(self, file: str | None = None) -> dict[str, Any]:
        """The per-file object of `check --format json` (documented in README; keep stable)."""
        out: dict[str, Any] = {
            "file": file,
            "dialect": self.summary.get("dialect", "metabuilder"),
            "valid": self.valid,
            "errors": [f.to_json() for f in self.errors],
            "warnings": [f.to_json() for f in self.warnings],
            "infos": [f.to_json() for f in self.findings if f.severity > Severity.WARNING],
            "summary": self.summary,
        }
        if not self.valid:
            out["envelope"] = validation_envelope(self.findings, self.summary)
        return out


def summarize(value: Any, findings: list[Finding], duration_ms: float) -> dict[str, Any]:
    """The seed's getDiagnostics() shape for one workflow."""
    wf = value if isinstance(value, dict) else {}
    errors = [f for f in findings if f.severity == Severity.ERROR] if findings else []
    warnings = [f for f in findings if f.severity == Severity.WARNING] if findings else []
    return {
        "workflowId": wf.get("id") if isinstance(wf.get("id"), (str, int)) else None,
        "tenantId": wf.get("tenantId") if isinstance(wf.get("tenantId"), str) else None,
        "nodeCount": _count(wf, "nodes"),
        "connectionCount": _count(wf, "connections"),
        "edgeCount": _edges(wf.get("connections")),
        "triggerCount": _count(wf, "triggers"),
        "variableCount": _count(wf, "variables"),
        "validation": {
            "valid": not errors,
            "errorCount": len(errors),
            "warningCount": len(warnings),
            "errorsByCode": _by_code(errors),
            "warningsByCode": _by_code(warnings),
            "topErrors": [_brief(f) for f in errors[:5]],
            "topWarnings": [_brief(f) for f in warnings[:5]],
        },
        "metrics": {"validationTimeMs": round(duration_ms, 3), "cacheHit": False},
    }


def _count(wf: dict[str, Any], key: str) -> int:
    v = wf.get(key)
    return len(v) if isinstance(v, (list, dict)) else 0


def _brief(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "path": f.path, "message": f.message, "line": f.span.start.line + 1 if f.span else None}


def _by_code(findings: list[Finding]) -> dict[str, int]:
    """How many findings each code has, in order of first appearance."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return counts


def _edges(conns: Any) -> int:
    """How many targets the connection map lists (in target arrays, under object or array output indices)."""
    if not isinstance(conns, dict):
        return 0
    n = 0
    for outputs in conns.values():
        if not isinstance(outputs, dict):
            continue
        for indices in outputs.values():
            if isinstance(indices, dict):
                indices = indices.values()
            elif not isinstance(indices, list):
                continue
            for targets in indices:
                if isinstance(targets, list):
                    n += len(targets)
    return n
