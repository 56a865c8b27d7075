"""The tenant report: diagnostics grouped by the workflows' tenantId, as the command's JSON, Markdown or one line."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from wf_lsp.core.findings import Severity
from wf_lsp.core.result import Result
from wf_lsp.core.tenancy import is_placeholder

NO_TENANT = "(no tenant)"
#: the files with the most problems listed per tenant
WORST = 5
_COUNTS = ("nodes", "connections", "triggers", "variables", "errors", "warnings", "invalidFiles")


class Checked(Protocol):
    """A validated workflow file: where it is and what was found (the server's `Validation`)."""

    @property
    def uri(self) -> str: ...

    @property
    def result(self) -> Result: ...


def counts(result: Result) -> tuple[int, int]:
    """A result's errors and warnings."""
    errors = sum(1 for f in result.findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in result.findings if f.severity == Severity.WARNING)
    return errors, warnings


def tenant_of(result: Result) -> str | None:
    """The workflow's tenantId, or None when it has none."""
    tenant = result.summary.get("tenantId")
    return tenant if isinstance(tenant, str) and tenant else None


PathOf = Callable[[str], str | None]


def tenant_report(
    checked: Iterable[Checked],
    cache: dict[str, Any],
    only: str | None = None,
    path_of: PathOf | None = None,
) -> dict[str, Any]:
    """Diagnostics grouped by the workflows' tenantId: files, counts, errors/warnings by code, worst files, cache stats.

    `only` keeps one tenant (`NO_TENANT` for the files without one); `path_of` names a file's path from its URI."""
    groups: dict[str | None, list[Checked]] = {}
    for o in checked:
        groups.setdefault(tenant_of(o.result), []).append(o)
    tenants = []
    for tenant, items in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        if only is None or tenant == only or (only == NO_TENANT and tenant is None):
            tenants.append(_group(tenant, items, path_of or (lambda uri: None)))
    return {"tenants": tenants, "cache": cache}


def _group(tenant: str | None, items: list[Checked], path_of: PathOf) -> dict[str, Any]:
    errors_by: Counter[str] = Counter()
    warnings_by: Counter[str] = Counter()
    total = Counter(dict.fromkeys(_COUNTS, 0))
    rows: list[dict[str, Any]] = []
    dialects: Counter[str] = Counter()
    for o in items:
        s = o.result.summary
        dialects[str(s.get("dialect", "metabuilder"))] += 1
        total["nodes"] += s.get("nodeCount", 0)
        total["connections"] += s.get("edgeCount", s.get("connectionCount", 0))
        total["triggers"] += s.get("triggerCount", 0)
        total["variables"] += s.get("variableCount", 0)
        errors, warnings = counts(o.result)
        total["errors"] += errors
        total["warnings"] += warnings
        total["invalidFiles"] += 0 if o.result.valid else 1
        errors_by.update(f.code for f in o.result.findings if f.severity == Severity.ERROR)
        warnings_by.update(f.code for f in o.result.findings if f.severity == Severity.WARNING)
        rows.append({"uri": o.uri, "path": path_of(o.uri), "errors": errors, "warnings": warnings})
    rows.sort(key=lambda r: (-r["errors"], -r["warnings"], r["uri"]))
    return {
        "tenantId": tenant,
        "placeholder": is_placeholder(tenant),
        "files": len(items),
        "dialects": dict(dialects.most_common()),
        "counts": dict(total),
        "errorsByCode": dict(errors_by.most_common()),
        "warningsByCode": dict(warnings_by.most_common()),
        "worstFiles": [r for r in rows if r["errors"] or r["warnings"]][:WORST],
    }


@dataclass(frozen=True, slots=True)
class Links:
    """How the Markdown names and links files: by default the base name, linked to the file's URI. With `base` (the
    report's own folder) a file is linked by its path relative to it; with `folders` it is named by its path in the
    workspace folder that holds it (what a Markdown preview follows and shows best)."""

    base: str | None = None
    folders: tuple[str, ...] = ()

    def label(self, path: str | None, uri: str) -> str:
        """The name shown for a file."""
        name = path or uri
        for folder in self.folders if path else ():
            rel = os.path.relpath(name, folder)
            if not rel.startswith(os.pardir + os.sep) and rel != os.pardir:
                return rel.replace(os.sep, "/")
        return os.path.basename(name)

    def target(self, path: str | None, uri: str) -> str:
        """Where the file's link goes."""
        if self.base is None or path is None:
            return uri
        rel = os.path.relpath(path, self.base).replace(os.sep, "/")
        try:
            raw = os.fsencode(rel)  # a name that is not UTF-8 keeps its own bytes
        except UnicodeEncodeError:
            raw = rel.encode("utf-8", "backslashreplace")
        return quote(raw, safe="/")


def render_markdown(report: dict[str, Any], links: Links | None = None, generated: str | None = None) -> str:
    """The tenant report as a Markdown document (`generated`: when, said under the title)."""
    links = links or Links()
    lines = ["# Workflow diagnostics by tenant", ""]
    if generated:
        lines += [f"Generated {generated}.", ""]
    if report.get("problem"):
        lines += [f"**{report['problem']}**", ""]
    elif not report["tenants"]:
        lines += ["No workflow files were found in the workspace.", ""]
    for t in report["tenants"]:
        lines += _tenant_markdown(t, links)
    cache = report.get("cache") or {}
    lines += ["## Validation cache", ""]
    lines += [f"- {k}: {v}" for k, v in cache.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    return "\n".join(lines) + "\n"


def _tenant_markdown(t: dict[str, Any], links: Links) -> list[str]:
    c = t["counts"]
    lines = [f"## {tenant_title(t)}", ""]
    dialects = t.get("dialects") or {}
    if set(dialects) - {"metabuilder"}:
        lines += ["Dialects: " + ", ".join(f"{name} {n}" for name, n in dialects.items()), ""]
    graph = f"{c['nodes']} node(s), {c['connections']} connection(s), {c['triggers']} trigger(s)"
    graph += f", {c['variables']} variable(s)"
    problems = f"{c['errors']} error(s), {c['warnings']} warning(s) in {c['invalidFiles']} invalid file(s)"
    lines += [f"{t['files']} file(s), {graph}: {problems}.", ""]
    for title, key in (("Errors by rule", "errorsByCode"), ("Warnings by rule", "warningsByCode")):
        if t[key]:
            lines += [f"### {title}", "", "| Rule | Count |", "| --- | ---: |"]
            lines += [f"| `{code}` | {n} |" for code, n in t[key].items()]
            lines.append("")
    if t["worstFiles"]:
        lines += ["### Files with the most problems", "", "| File | Errors | Warnings |", "| --- | ---: | ---: |"]
        for r in t["worstFiles"]:
            label = links.label(r["path"], r["uri"])
            label = label.replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
            link = f"[{label}]({links.target(r['path'], r['uri'])})"
            lines.append(f"| {link} | {r['errors']} | {r['warnings']} |")
        lines.append("")
    return lines


def render_message(report: dict[str, Any]) -> str:
    """The report in one line, for a client that cannot show a document."""
    if report.get("problem"):
        return f"wf-lsp: {report['problem']}"
    parts = []
    for t in report["tenants"]:
        c = t["counts"]
        parts.append(f"{tenant_label(t)}: {t['files']} file(s), {c['errors']} error(s), {c['warnings']} warning(s)")
    return "Workflow diagnostics by tenant: " + ("; ".join(parts) or "no workflow files")


def tenant_label(t: dict[str, Any]) -> str:
    """How a tenant group is named: a tenant, no tenant, or a placeholder that deployment fills in (not a tenant)."""
    if t["tenantId"] is None:
        return NO_TENANT
    return f"unresolved placeholder {t['tenantId']}" if t.get("placeholder") else str(t["tenantId"])


def tenant_title(t: dict[str, Any]) -> str:
    """A tenant group's heading."""
    if t.get("placeholder"):
        return f"Unresolved placeholder {t['tenantId']} (filled in at deployment)"
    return f"Tenant: {tenant_label(t)}"
