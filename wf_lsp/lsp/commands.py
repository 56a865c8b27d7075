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
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.findings import Severity
from wf_lsp.core.parse.document import decode_bytes
from wf_lsp.lsp import documents, files
from wf_lsp.lsp.snapshot import DocumentSnapshot
from wf_lsp.lsp.validation import Validation
from wf_lsp.lsp.workspace_reports import Walk
from wf_lsp.report import tenants
from wf_lsp.report.tenants import NO_TENANT, render_markdown

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

log = logging.getLogger("wf_lsp.lsp.commands")
_CHUNK = 16
__all__ = ["NO_TENANT", "register", "render_markdown", "tenant_report"]


def register(server: WfServer) -> None:
    """Register the wf.* commands."""

    @server.command("wf.showTenantDiagnostics")
    async def show_tenant_diagnostics(*args: object) -> dict[str, Any]:
        # A tenant name, or a document (what editors pass from a context menu or `vim.uri_from_bufnr(0)`): its tenant.
        arg = _first_str(args)
        if arg is None:
            arg = next(
                (a["uri"] for a in args if isinstance(a, dict) and isinstance(a.get("uri"), str) and a["uri"]), None
            )
        gathered = await _gather(server, "Collecting tenant diagnostics")
        outcomes = gathered.outcomes
        tenant, problem = arg, None
        if arg is not None and _is_uri(arg):
            tenant, problem = _tenant_of(arg, outcomes)
        report = tenant_report(outcomes if problem is None else [], server.cache_stats(), tenant)
        if problem is None and tenant is not None and not report["tenants"]:
            known = sorted({tenants.tenant_of(o.result) or NO_TENANT for o in outcomes})
            listed = ", ".join(known) or "none"
            problem = f"unknown tenant {tenant!r}: no workflow file in the workspace has it (tenants: {listed})"
        if problem is not None:
            report["problem"] = problem
        report.update(gathered.account())
        if any(isinstance(a, dict) and a.get("show") is False for a in args):
            # The client shows the report itself (VS Code opens its preview): written, not shown.
            report["document"] = documents.path_to_uri(_write(server, report, tenant, for_preview=True))
        else:
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
        return {
            "workflow": True,
            "dialect": outcome.result.summary.get("dialect", "metabuilder"),
            "valid": outcome.result.valid,
        }

    @server.command("wf.executionPlan")
    async def plan(*args: object) -> dict[str, Any]:
        uri = _first_str(args)
        if uri is None and args and isinstance(args[0], dict):
            uri = args[0].get("uri")
        if not uri:
            return {
                "valid": False,
                "errors": [{"code": "NO_DOCUMENT", "message": "wf.executionPlan needs a document URI"}],
            }
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


# -- the tenant report -------------------------------------------------------------------------


def tenant_report(outcomes: list[Validation], cache: dict[str, Any], only: str | None = None) -> dict[str, Any]:
    """The tenant report of these documents (`report.tenants`), their paths named from their URIs."""
    return tenants.tenant_report(outcomes, cache, only, documents.uri_to_path)


def _write(server: WfServer, report: dict[str, Any], tenant: str | None, for_preview: bool = False) -> str:
    """The report's Markdown written to the server's report folder; returns the file's path. For a preview, files are
    named by their path in the workspace and linked relative to the report (previews refuse `file:` links)."""
    folder = server.report_dir()
    path = os.path.join(folder, "tenant-diagnostics" + (f"-{_safe(tenant)}" if tenant else "") + ".md")
    links, generated = tenants.Links(), None
    if for_preview:
        roots = tuple(p for p in map(documents.uri_to_path, server.settings.folder_uris()) if p)
        links = tenants.Links(base=folder, folders=roots)
        generated = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # A lone surrogate (valid in JSON text, `"\\ud800"`) or a file name that is not UTF-8 is shown escaped.
    with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:
        fh.write(render_markdown(report, links, generated))
    return path


async def _show(server: WfServer, report: dict[str, Any], tenant: str | None) -> None:
    """Show the report: a Markdown document when the client can show documents, else a message."""
    if get_capability(server.client_capabilities, "window.show_document.support", False):
        uri = documents.path_to_uri(_write(server, report, tenant))
        try:
            await asyncio.wait_for(
                server.window_show_document_async(types.ShowDocumentParams(uri=uri, take_focus=True)), 10
            )
            return
        except Exception as exc:  # fall back to a message
            log.warning("the client did not show the report: %s", exc)
    kind = types.MessageType.Warning if report.get("problem") else types.MessageType.Info
    server.window_show_message(types.ShowMessageParams(type=kind, message=tenants.render_message(report)))


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
    errors = sum(tenants.counts(o.result)[0] for o in workflows)
    warnings = sum(tenants.counts(o.result)[1] for o in workflows)
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
        return {
            "cancelled": self.cancelled,
            "truncated": self.walk.truncated and not self.walk.stopped,
            "entriesLookedAt": self.walk.looked_at,
        }


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
            await asyncio.wait_for(
                server.protocol.send_request_async(types.WINDOW_WORK_DONE_PROGRESS_CREATE, params), 10
            )
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
                progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=f"{done}/{len(snaps)} files", percentage=done * 100 // max(1, len(snaps))
                    ),
                )
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
