"""Commands: tenant diagnostics report, workspace validation with progress, cache control and the execution plan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.document import decode_bytes
from wf_lsp.core.findings import Severity
from wf_lsp.core.tenancy import is_placeholder
from wf_lsp.lsp import documents, files
from wf_lsp.lsp.snapshot import DocumentSnapshot
from wf_lsp.lsp.validation import Validation
from wf_lsp.lsp.workspace_reports import Walk

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

log = logging.getLogger("wf_lsp.lsp.commands")
NO_TENANT = "(no tenant)"
WORST = 5
_CHUNK = 16


def register(server: WfServer) -> None:
    """Register the wf.* commands."""

    @server.command("wf.showTenantDiagnostics")
    async def show_tenant_diagnostics(*args: object) -> dict[str, Any]:
        # A tenant name, or a document (what editors pass from a context menu or `vim.uri_from_bufnr(0)`): its tenant.
        arg = _first_str(args)
        if arg is None:
            arg = next((a["uri"] for a in args if isinstance(a, dict) and isinstance(a.get("uri"), str) and a["uri"]), None)
        gathered = await _gather(server, "Collecting tenant diagnostics")
        outcomes = gathered.outcomes
        tenant, problem = arg, None
        if arg is not None and _is_uri(arg):
            tenant, problem = _tenant_of(arg, outcomes)
        report = tenant_report(outcomes if problem is None else [], server.cache_stats(), tenant)
        if problem is None and tenant is not None and not report["tenants"]:
            known = sorted({t["tenantId"] or NO_TENANT for t in tenant_report(outcomes, {})["tenants"]})
            problem = f"unknown tenant {tenant!r}: no workflow file in the workspace has it (tenants: {', '.join(known) or 'none'})"
        if problem is not None:
            report["problem"] = problem
        report.update(gathered.account())
        await _show(server, report, tenant)
        return report

    @server.command("wf.validateWorkspace")
    async def validate_workspace(*args: object) -> dict[str, Any]:
        return await _validate_workspace(server)

    @server.command("wf.clearCache")
    def clear_cache(*args: object) -> dict[str, Any]:
        cleared = sum(loader.invalidate() for loader in server.settings.loaders())
        for loader in server.settings.loaders():
            loader.clear()
        server.diagnostics.revalidate_all()
        return {"cleared": cleared}

    @server.command("wf.cacheStats")
    def cache_stats(*args: object) -> dict[str, Any]:
        return server.cache_stats()

    @server.command("wf.documentInfo")
    async def document_info(*args: object) -> dict[str, Any]:
        uri = _first_str(args)
        outcome = await server.diagnostics.current(uri) if uri else None
        if outcome is None or not outcome.workflow:
            return {"workflow": False, "dialect": None}
        return {"workflow": True, "dialect": outcome.result.summary.get("dialect", "metabuilder"), "valid": outcome.result.valid}

    @server.command("wf.executionPlan")
    async def plan(*args: object) -> dict[str, Any]:
        uri = _first_str(args)
        if uri is None and args and isinstance(args[0], dict):
            uri = args[0].get("uri")
        if not uri:
            return {"valid": False, "errors": [{"code": "NO_DOCUMENT", "message": "wf.executionPlan needs a document URI"}]}
        return await _plan(server, str(uri))


def _is_uri(text: str) -> bool:
    return text.startswith(("file:", "untitled:")) or "://" in text


def _tenant_of(uri: str, outcomes: list[Validation]) -> tuple[str | None, str | None]:
    """The tenant of a workflow document given by URI (compared by path: clients spell URIs differently), or why not."""
    path = documents.uri_to_path(uri)
    where = os.path.abspath(path) if path else None
    for o in outcomes:
        o_path = documents.uri_to_path(o.uri)
        if o.uri == uri or (where is not None and o_path is not None and os.path.abspath(o_path) == where):
            tenant = o.result.summary.get("tenantId")
            return (tenant if isinstance(tenant, str) and tenant else NO_TENANT), None
    return None, f"{uri} is not a workflow file in the workspace"


def _first_str(args: tuple[object, ...]) -> str | None:
    for a in args:
        if isinstance(a, str) and a:
            return a
        if isinstance(a, list) and a and isinstance(a[0], str):
            return a[0]
    return None


# -- collecting --------------------------------------------------------------------------------


def _counts(o: Validation) -> tuple[int, int]:
    errors = sum(1 for f in o.result.findings if f.severity == Severity.ERROR)
    warnings = sum(1 for f in o.result.findings if f.severity == Severity.WARNING)
    return errors, warnings


def tenant_report(outcomes: list[Validation], cache: dict[str, Any], only: str | None = None) -> dict[str, Any]:
    """Diagnostics grouped by the workflows' tenantId: files, counts, errors/warnings by code, worst files, cache stats."""
    groups: dict[str | None, list[Validation]] = {}
    for o in outcomes:
        tenant = o.result.summary.get("tenantId")
        groups.setdefault(tenant if isinstance(tenant, str) and tenant else None, []).append(o)
    tenants = []
    for tenant, items in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        if only is not None and tenant != only and not (only == NO_TENANT and tenant is None):
            continue
        errors_by: Counter[str] = Counter()
        warnings_by: Counter[str] = Counter()
        counts = Counter({"nodes": 0, "connections": 0, "triggers": 0, "variables": 0, "errors": 0, "warnings": 0, "invalidFiles": 0})
        rows: list[dict[str, Any]] = []
        dialects: Counter[str] = Counter()
        for o in items:
            s = o.result.summary
            dialects[str(s.get("dialect", "metabuilder"))] += 1
            counts["nodes"] += s.get("nodeCount", 0)
            counts["connections"] += s.get("edgeCount", s.get("connectionCount", 0))
            counts["triggers"] += s.get("triggerCount", 0)
            counts["variables"] += s.get("variableCount", 0)
            errors, warnings = _counts(o)
            counts["errors"] += errors
            counts["warnings"] += warnings
            counts["invalidFiles"] += 0 if o.result.valid else 1
            errors_by.update(f.code for f in o.result.findings if f.severity == Severity.ERROR)
            warnings_by.update(f.code for f in o.result.findings if f.severity == Severity.WARNING)
            rows.append({"uri": o.uri, "path": documents.uri_to_path(o.uri), "errors": errors, "warnings": warnings})
        rows.sort(key=lambda r: (-r["errors"], -r["warnings"], r["uri"]))
        tenants.append(
            {
                "tenantId": tenant,
                "placeholder": is_placeholder(tenant),
                "files": len(items),
                "dialects": dict(dialects.most_common()),
                "counts": dict(counts),
                "errorsByCode": dict(errors_by.most_common()),
                "warningsByCode": dict(warnings_by.most_common()),
                "worstFiles": [r for r in rows if r["errors"] or r["warnings"]][:WORST],
            }
        )
    return {"tenants": tenants, "cache": cache}


def render_markdown(report: dict[str, Any]) -> str:
    """The tenant report as a Markdown document."""
    lines = ["# Workflow diagnostics by tenant", ""]
    if report.get("problem"):
        lines += [f"**{report['problem']}**", ""]
    elif not report["tenants"]:
        lines += ["No workflow files were found in the workspace.", ""]
    for t in report["tenants"]:
        c = t["counts"]
        lines += [f"## {_tenant_title(t)}", ""]
        dialects = t.get("dialects") or {}
        if set(dialects) - {"metabuilder"}:
            lines += ["Dialects: " + ", ".join(f"{name} {n}" for name, n in dialects.items()), ""]
        lines += [
            f"{t['files']} file(s), {c['nodes']} node(s), {c['connections']} connection(s), {c['triggers']} trigger(s), "
            f"{c['variables']} variable(s): {c['errors']} error(s), {c['warnings']} warning(s) in {c['invalidFiles']} invalid file(s).",
            "",
        ]
        for title, key in (("Errors by rule", "errorsByCode"), ("Warnings by rule", "warningsByCode")):
            if t[key]:
                lines += [f"### {title}", "", "| Rule | Count |", "| --- | ---: |"]
                lines += [f"| `{code}` | {n} |" for code, n in t[key].items()]
                lines.append("")
        if t["worstFiles"]:
            lines += ["### Files with the most problems", "", "| File | Errors | Warnings |", "| --- | ---: | ---: |"]
            lines += [f"| [{os.path.basename(r['path'] or r['uri'])}]({r['uri']}) | {r['errors']} | {r['warnings']} |" for r in t["worstFiles"]]
            lines.append("")
    cache = report.get("cache") or {}
    lines += ["## Validation cache", ""]
    lines += [f"- {k}: {v}" for k, v in cache.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    return "\n".join(lines) + "\n"


async def _show(server: WfServer, report: dict[str, Any], tenant: str | None) -> None:
    """Show the report: a Markdown document when the client can show documents, else a message."""
    caps = server.client_capabilities
    if get_capability(caps, "window.show_document.support", False):
        folder = server.report_dir()
        name = "tenant-diagnostics" + (f"-{_safe(tenant)}" if tenant else "") + ".md"
        path = os.path.join(folder, name)
        # A lone surrogate (valid in JSON text, `"\\ud800"`) or a file name that is not UTF-8 is shown escaped.
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(render_markdown(report))
        try:
            await asyncio.wait_for(server.window_show_document_async(types.ShowDocumentParams(uri=documents.path_to_uri(path), take_focus=True)), 10)
            return
        except Exception as exc:  # fall back to a message
            log.warning("the client did not show the report: %s", exc)
    parts = [f"{_tenant_label(t)}: {t['files']} file(s), {t['counts']['errors']} error(s), {t['counts']['warnings']} warning(s)" for t in report["tenants"]]
    if report.get("problem"):
        server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=f"wf-lsp: {report['problem']}"))
        return
    server.window_show_message(
        types.ShowMessageParams(type=types.MessageType.Info, message="Workflow diagnostics by tenant: " + ("; ".join(parts) or "no workflow files"))
    )


def _tenant_label(t: dict[str, Any]) -> str:
    """How a tenant group is named: a tenant, no tenant, or a placeholder that deployment fills in (not a tenant)."""
    if t["tenantId"] is None:
        return NO_TENANT
    return f"unresolved placeholder {t['tenantId']}" if t.get("placeholder") else str(t["tenantId"])


def _tenant_title(t: dict[str, Any]) -> str:
    return f"Unresolved placeholder {t['tenantId']} (filled in at deployment)" if t.get("placeholder") else f"Tenant: {_tenant_label(t)}"


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]


def make_report_dir() -> str:
    """A private temp folder for reports (removed at shutdown)."""
    return tempfile.mkdtemp(prefix="wf-lsp-")


def remove_report_dir(path: str | None) -> None:
    """Remove the report folder."""
    if path:
        shutil.rmtree(path, ignore_errors=True)


# -- workspace validation ----------------------------------------------------------------------


async def _validate_workspace(server: WfServer) -> dict[str, Any]:
    """Validate every workflow file with work-done progress; cancellable from the client's progress UI."""
    started = time.perf_counter()
    gathered = await _gather(server, "Validating workflows")
    workflows = gathered.outcomes
    server.workspace_reports.publish_files(workflows)
    errors = sum(_counts(o)[0] for o in workflows)
    warnings = sum(_counts(o)[1] for o in workflows)
    return {
        "files": len(workflows),
        "counts": {"errors": errors, "warnings": warnings},
        "invalidFiles": sum(1 for o in workflows if not o.result.valid),
        **gathered.account(),
        "durationMs": round((time.perf_counter() - started) * 1000, 1),
    }


@dataclass(slots=True)
class _Gathered:
    outcomes: list[Validation]
    walk: Walk
    cancelled: bool

    def account(self) -> dict[str, Any]:
        """Whether the walk was cancelled or ended at its limit, and how far it went."""
        return {"cancelled": self.cancelled, "truncated": self.walk.truncated and not self.walk.stopped, "entriesLookedAt": self.walk.looked_at}


async def _gather(server: WfServer, title: str) -> _Gathered:
    """Walk the workspace and validate its workflow files (open ones as the editor has them), with work-done
    progress when the client shows it; cancelled from the progress bar or by cancelling the request."""
    with contextlib.suppress(TimeoutError):  # the folders' settings (and settings files) first
        await asyncio.wait_for(server.settings.ready.wait(), 5)
    token: str | None = None
    progress = server.work_done_progress
    if get_capability(server.client_capabilities, "window.work_done_progress", False):
        token = f"wf-validate-{uuid.uuid4().hex[:12]}"
        # Registered before asking the client, so a cancel sent as soon as the bar appears is not lost.
        progress.tokens[token] = Future()
        try:
            params = types.WorkDoneProgressCreateParams(token=token)
            await asyncio.wait_for(server.protocol.send_request_async(types.WINDOW_WORK_DONE_PROGRESS_CREATE, params), 10)
            progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0))
        except Exception as exc:
            log.warning("no progress for %s: %s", title.lower(), exc)
            progress.tokens.pop(token, None)
            token = None
    outcomes: list[Validation] = []
    cancelled = False
    stop = threading.Event()
    if token is not None:
        progress.tokens[token].add_done_callback(lambda _: stop.set())  # cancelled from the progress bar
    tick = _ticker(asyncio.get_running_loop(), progress, token) if token is not None else None
    walk = Walk([])
    try:
        walk = await server.workspace_reports.walk(include_open=True, stop=stop, tick=tick)
        snaps = walk.jobs
        cancelled = walk.stopped
        for i in range(0, 0 if cancelled else len(snaps), _CHUNK):
            if stop.is_set():
                cancelled = True
                break
            outcomes.extend(await server.workspace_reports.validate_many(snaps[i : i + _CHUNK]))
            if token is not None:
                done = min(i + _CHUNK, len(snaps))
                progress.report(token, types.WorkDoneProgressReport(message=f"{done}/{len(snaps)} files", percentage=done * 100 // max(1, len(snaps))))
    except asyncio.CancelledError:
        cancelled = True
    finally:
        if token is not None:
            progress.end(token, types.WorkDoneProgressEnd(message="cancelled" if cancelled else "done"))
            progress.tokens.pop(token, None)
    return _Gathered([o for o in outcomes if o.workflow], walk, cancelled)


def _ticker(loop: asyncio.AbstractEventLoop, progress: Any, token: str) -> Callable[[int], None]:
    """A walk's count, reported on the progress bar (from the walking thread, at most every 0.2 s)."""
    last = [0.0]

    def tick(n: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.2:
            last[0] = now
            message = types.WorkDoneProgressReport(message=f"looking for workflows: {n} files and folders")
            loop.call_soon_threadsafe(lambda: token in progress.tokens and progress.report(token, message))

    return tick


# -- execution plan ----------------------------------------------------------------------------


async def _plan(server: WfServer, uri: str) -> dict[str, Any]:
    """The DAG's levels from the triggers, or the validation errors that forbid running it (validate before execute).

    An open workflow document's plan is its snapshot's (the validation of its current version, parsed once). Another
    document is the open one, or else a regular file inside a workspace folder under maxFileBytes, read off the event
    loop: nothing else is read (no device, FIFO or file outside the workspace), and a refusal never quotes it."""
    doc = server.documents.get(uri)
    validation = await server.diagnostics.current(uri) if doc is not None else None
    if validation is not None:
        result, snap = validation.result, validation.document
    else:
        settings = server.settings.for_uri(uri)
        if doc is not None:
            text, path = doc.text, doc.path
        else:
            path = documents.uri_to_path(uri)
            folders = [p for p in map(documents.uri_to_path, server.settings.folder_uris()) if p]
            try:
                data = await server.diagnostics.run(files.read_workspace_file, path, folders, settings.max_file_bytes)
            except files.Refused as exc:
                log.warning("wf.executionPlan did not read %s: %s", uri, exc)
                return {"valid": False, "errors": [{"code": "NO_DOCUMENT", "message": f"cannot read {uri}: {exc}"}]}
            text = decode_bytes(data)[0]
        result = await server.diagnostics.run(server.settings.loader(settings).validate_text, text, path)
        snap = DocumentSnapshot(text, None, settings, server.encoding)
    if not result.valid:
        errors = [
            {"code": f.code, "message": f.message, "path": f.path, "line": f.span.start.line + 1 if f.span else None}
            for f in result.findings
            if f.severity == Severity.ERROR
        ]
        return {"valid": False, "errors": errors}
    return await server.diagnostics.run(_levels, snap)


def _levels(snap: DocumentSnapshot) -> dict[str, Any]:
    graph, plan = snap.graph, snap.plan
    return {
        "valid": True,
        "levels": [[graph.label(i) for i in level] for level in plan.levels],
        "unreachable": [graph.label(i) for i in plan.unreachable],
        "cyclic": [graph.label(i) for i in plan.cyclic],
    }
