"""Diagnostics: debounced validation off the event loop, stale results dropped, push or pull, workspace reports."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.core.discover import Budget
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import DiagnosticStyle, to_diagnostics
from wf_lsp.lsp.documents import Document
from wf_lsp.lsp.payload import diagnostics_json

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

log = logging.getLogger("wf_lsp.lsp.diagnostics")
IDENTIFIER = "wf-lsp"
WORKSPACE_TTL = 30.0
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one validation needs, copied off the live document (workers never touch the document itself)."""

    uri: str
    version: int | None
    text: str
    path: str | None
    chosen: bool | None
    seen_workflow: bool
    loader: WorkflowLoader
    encoding: str
    style: DiagnosticStyle
    generation: int
    #: pygls's converter when the diagnostics will be pushed: they are then turned into JSON values in the worker too.
    converter: Any = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A validated version: the result, whether it is a workflow, its diagnostics and their result id."""

    uri: str
    version: int | None
    text: str
    result: Result
    workflow: bool
    diagnostics: list[types.Diagnostic]
    result_id: str
    settings: Settings
    #: The diagnostics as JSON values, ready to publish without serializing on the event loop.
    payload: list[Any] | None = None


@dataclass(slots=True)
class _State:
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Future[None] | None = None
    dirty: bool = False
    published: bool = False
    last: Outcome | None = None


def validate(snap: Snapshot) -> Outcome:
    """Validate a snapshot and convert its findings (runs in a worker thread)."""
    result = snap.loader.validate_text(snap.text, snap.path)
    workflow = documents.is_workflow(snap.chosen, result, snap.seen_workflow)
    limit = snap.loader.settings.max_diagnostics
    diags = to_diagnostics(result, snap.text, snap.uri, snap.version, snap.encoding, snap.style, limit=limit) if workflow else []
    rid = f"{snap.loader.fingerprint[:10]}-{snap.generation}-{len(snap.text)}-{hash(snap.text) & 0xFFFFFFFFFFFF:x}"
    payload = diagnostics_json(diags, snap.converter) if snap.converter is not None else None
    return Outcome(snap.uri, snap.version, snap.text, result, workflow, diags, rid, snap.loader.settings, payload)


class Diagnostics:
    """Owns validation scheduling for open documents and answers diagnostic requests."""

    def __init__(self, server: WfServer) -> None:
        self._server = server
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wf-validate")
        #: Workspace walks get their own thread: a long one never holds up the open documents' validations.
        self._walker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wf-walk")
        self._states: dict[str, _State] = {}
        self.push = True
        self.generation = 0
        self.stale_drops = 0
        #: The last workspace/diagnostic answer: (monotonic time, generation, open URIs, outcomes). Clients re-ask every few
        #: seconds; the folders are walked again only after a save, a close, a settings change or WORKSPACE_TTL seconds.
        self._workspace_cache: tuple[float, int, frozenset[str], list[Outcome]] | None = None

    def configure(self, caps: types.ClientCapabilities) -> None:
        """Push unless the client pulls: clients that do both (VS Code) would show every problem twice."""
        self.push = get_capability(caps, "text_document.diagnostic", None) is None

    @property
    def pull_refresh(self) -> bool:
        """Whether the client accepts workspace/diagnostic/refresh."""
        return bool(get_capability(self._server.client_capabilities, "workspace.diagnostics.refresh_support", False))

    def shutdown(self) -> None:
        """Stop timers and the worker pool."""
        for state in self._states.values():
            if state.timer:
                state.timer.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._walker.shutdown(wait=False, cancel_futures=True)

    # -- scheduling ---------------------------------------------------------------------------
    def schedule(self, uri: str, delay_ms: int | None = None) -> None:
        """Validate a document after the debounce (the document's settings, or delay_ms; 0 runs it now)."""
        state = self._states.setdefault(uri, _State())
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        if delay_ms is None:
            delay_ms = self._server.settings.for_uri(uri).debounce_ms
        if delay_ms <= 0:
            self._fire(uri)
        else:
            state.timer = asyncio.get_running_loop().call_later(delay_ms / 1000, self._fire, uri)

    def _fire(self, uri: str) -> None:
        state = self._states.get(uri)
        if state is None:
            return
        state.timer = None
        if state.task is not None:
            state.dirty = True  # the running validation picks up the newest text when it finishes
            return
        state.task = asyncio.ensure_future(self._run(uri, state))

    async def _run(self, uri: str, state: _State) -> None:
        await self._settings_ready()
        try:
            while True:
                state.dirty = False
                doc = self._server.documents.get(uri)
                snap = self.snapshot(doc) if doc is not None else None
                if snap is None:
                    self._clear(uri, state)
                    return
                outcome = await asyncio.get_running_loop().run_in_executor(self._pool, validate, snap)
                doc = self._server.documents.get(uri)
                if doc is None or self._states.get(uri) is not state:
                    log.info("dropped diagnostics of %s v%s: closed while it was validated", uri, outcome.version)
                    return  # closed meanwhile: close() cleared it
                if state.dirty:
                    self.stale_drops += 1
                    continue
                if doc.version != outcome.version:
                    self.stale_drops += 1
                    log.debug("dropped diagnostics of %s v%s (now v%s)", uri, outcome.version, doc.version)
                    return  # the newer version's timer is pending
                self._accept(doc, state, outcome)
                return
        except Exception:
            log.exception("validation of %s failed", uri)
        finally:
            state.task = None

    def _accept(self, doc: Document, state: _State, outcome: Outcome) -> None:
        state.last = outcome
        if outcome.workflow:
            doc.seen_workflow = True
        if self.push and (outcome.workflow or state.published):
            if outcome.payload is not None:
                params = {"uri": doc.uri, "version": outcome.version, "diagnostics": outcome.payload}
                self._server.protocol.notify_json(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)
            else:
                self._server.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=doc.uri, diagnostics=outcome.diagnostics, version=outcome.version)
                )
            state.published = outcome.workflow

    def _clear(self, uri: str, state: _State) -> None:
        if state.published and self.push:
            self._server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        state.published = False
        state.last = None

    def snapshot(self, doc: Document) -> Snapshot | None:
        """A validation snapshot of an open document, or None when it is not a workflow candidate."""
        settings = self._server.settings.for_uri(doc.uri)
        chosen = documents.selection(doc.uri, doc.language_id, settings)
        if chosen is False or (chosen is None and not doc.seen_workflow and not documents.has_markers(doc.text)):
            return None
        return Snapshot(
            doc.uri,
            doc.version,
            doc.text,
            doc.path,
            chosen,
            doc.seen_workflow,
            self._server.settings.loader(settings),
            self._server.encoding,
            DiagnosticStyle.of(self._server.client_capabilities),
            self.generation,
            self._server.protocol.converter if self.push else None,
        )

    def close(self, uri: str) -> None:
        """Forget a closed document and clear its diagnostics."""
        state = self._states.pop(uri, None)
        if state is None:
            return
        if state.timer is not None:
            state.timer.cancel()
        if self.push and (state.published or state.task is not None or state.last is not None):
            self._server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def files_changed(self) -> None:
        """Files on disk may have changed (a save): the next workspace report walks the folders again."""
        self._workspace_cache = None

    def revalidate_all(self) -> None:
        """Settings or caches changed: validate every open document again, and ask pull clients to re-pull."""
        self.generation += 1
        for doc in self._server.documents:
            state = self._states.setdefault(doc.uri, _State())
            state.last = None
            self.schedule(doc.uri, 0)
        if not self.push and self.pull_refresh:
            self._server.workspace_diagnostic_refresh(None)

    # -- answers ------------------------------------------------------------------------------
    async def _settings_ready(self) -> None:
        """Wait (briefly) for the client's settings, so the first diagnostics use them."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.settings.ready.wait(), 5)

    def last(self, uri: str) -> Outcome | None:
        """The last accepted outcome of a document (possibly of an older version)."""
        state = self._states.get(uri)
        return state.last if state else None

    async def current(self, uri: str) -> Outcome | None:
        """The outcome for the document's current version, validating now if needed (None when not a candidate)."""
        await self._settings_ready()
        doc = self._server.documents.get(uri)
        if doc is None:
            return None
        state = self._states.setdefault(uri, _State())
        fresh = state.last is not None and state.last.version == doc.version and state.last.settings == self._server.settings.for_uri(uri)
        if fresh and not state.dirty and state.timer is None and state.task is None:
            return state.last
        snap = self.snapshot(doc)
        if snap is None:
            return None
        outcome = await asyncio.get_running_loop().run_in_executor(self._pool, validate, snap)
        doc = self._server.documents.get(uri)
        if doc is not None and doc.version == outcome.version and self._states.get(uri) is state:
            state.last = outcome
            if outcome.workflow:
                doc.seen_workflow = True
        return outcome

    async def pull(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        """textDocument/diagnostic: a full report, or 'unchanged' when the client already has this result id."""
        uri = params.text_document.uri
        outcome = await self.current(uri)
        if outcome is None:
            outcome_items: list[types.Diagnostic] = []
            rid = f"none-{self.generation}"
        else:
            outcome_items = outcome.diagnostics if outcome.workflow else []
            rid = outcome.result_id
        if params.previous_result_id == rid:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=rid)
        return types.RelatedFullDocumentDiagnosticReport(items=outcome_items, result_id=rid)

    async def workspace(self, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
        """workspace/diagnostic: reports for the workflow files in the workspace folders that are not open."""
        await self._settings_ready()  # clients ask right after `initialized`: the folders' settings files count
        previous = {p.uri: p.value for p in params.previous_result_ids}
        open_uris = frozenset(d.uri for d in self._server.documents)
        cached = self._workspace_cache
        if cached and cached[1] == self.generation and cached[2] == open_uris and time.monotonic() - cached[0] < WORKSPACE_TTL:
            outcomes = cached[3]
        else:
            outcomes = await self.validate_many((await self.workspace_snapshots(include_open=False)).snapshots)
            self._workspace_cache = (time.monotonic(), self.generation, open_uris, outcomes)
        items: list[types.WorkspaceDocumentDiagnosticReport] = []
        for o in outcomes:
            if not o.workflow:
                continue
            if previous.get(o.uri) == o.result_id:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=o.uri, version=None, result_id=o.result_id))
            else:
                items.append(types.WorkspaceFullDocumentDiagnosticReport(uri=o.uri, version=None, items=o.diagnostics, result_id=o.result_id))
        return types.WorkspaceDiagnosticReport(items=items)

    # -- the whole workspace ------------------------------------------------------------------
    async def workspace_snapshots(self, include_open: bool, stop: threading.Event | None = None, tick: Callable[[int], None] | None = None) -> Walk:
        """Snapshots of the workflow candidates in every workspace folder (open ones with the editor's text, if asked),
        each under the settings of its innermost folder, as its diagnostics are (one tenant's never judge another's).

        The folders are walked in a worker thread, each up to its maxWorkspaceFiles entries; `stop` ends the walk
        early (a cancelled request sets it), and `tick` hears how many entries were looked at, from that thread."""
        manager = self._server.settings
        open_docs = {d.uri: documents.OpenCopy.of(d) for d in self._server.documents}
        style = DiagnosticStyle.of(self._server.client_capabilities)
        jobs: list[_WalkJob] = []
        # Innermost folders first: a file (and an open document) belongs to the innermost folder that holds it.
        for folder in sorted(manager.folder_uris(), key=len, reverse=True):
            path = documents.uri_to_path(folder)
            if path is None:
                continue
            mine = {u: d for u, d in open_docs.items() if manager.folder_of(u) == folder} if include_open else {}
            settings = manager.for_folder(folder)
            jobs.append(_WalkJob([path], settings, manager.loader(settings), mine))
        if include_open:  # open workflow documents outside every folder count too, under the settings outside folders
            outside = {u: d for u, d in open_docs.items() if manager.folder_of(u) is None}
            jobs.append(_WalkJob([], manager.base, manager.loader(manager.base), outside))
        stop = stop or threading.Event()
        walk = functools.partial(_walk, jobs, self._server.encoding, style, self.generation, stop, tick)
        try:
            found = await asyncio.get_running_loop().run_in_executor(self._walker, walk)
        except asyncio.CancelledError:
            stop.set()  # a cancelled request ends the walk too
            raise
        if not include_open:
            found.snapshots = [s for s in found.snapshots if s.uri not in open_docs]
        if found.truncated and not found.stopped:
            log.warning("the workspace walk stopped after %d files and folders (setting maxWorkspaceFiles): some files were left out", found.looked_at)
        return found

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking call in the validation pool."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def publish_files(self, outcomes: list[Outcome]) -> None:
        """Show workspace-wide results: pushed for files that are not open, or a refresh request to pull clients."""
        if not self.push:
            if self.pull_refresh:
                self._server.workspace_diagnostic_refresh(None)
            return
        for o in outcomes:
            if self._server.documents.get(o.uri) is None:
                self._server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=o.uri, diagnostics=o.diagnostics))

    async def validate_many(self, snaps: list[Snapshot]) -> list[Outcome]:
        """Validate snapshots in the worker pool (one job, so open documents' validations can interleave between calls)."""
        if not snaps:
            return []
        return await asyncio.get_running_loop().run_in_executor(self._pool, _validate_all, snaps)


def _validate_all(snaps: list[Snapshot]) -> list[Outcome]:
    return [validate(s) for s in snaps]


@dataclass(slots=True)
class Walk:
    """A workspace walk: the snapshots found, entries looked at, and whether it ended early (limit, or stopped)."""

    snapshots: list[Snapshot]
    looked_at: int = 0
    truncated: bool = False
    stopped: bool = False


@dataclass(frozen=True, slots=True)
class _WalkJob:
    folders: list[str]
    settings: Settings
    loader: WorkflowLoader
    open_docs: dict[str, documents.OpenCopy]


def _walk(jobs: list[_WalkJob], encoding: str, style: DiagnosticStyle, generation: int, stop: threading.Event, tick: Callable[[int], None] | None) -> Walk:
    """Walk the folders and read their candidates (in a worker thread: no server state is touched here)."""
    out = Walk([])
    seen: set[str] = set()
    for job in jobs:
        if stop.is_set():
            out.truncated = out.stopped = True
            break
        before = out.looked_at

        def count(n: int, before: int = before) -> None:
            if tick is not None:
                tick(before + n)

        budget = Budget(job.settings.max_workspace_files, stop.is_set, count)
        files, found = documents.workspace_candidates(job.folders, job.settings, job.open_docs, budget)
        if found is not None:
            out.looked_at += found.looked_at
            out.truncated = out.truncated or found.truncated
        for f in files:
            where = os.path.abspath(f.path)  # by path: a client may spell an open document's URI differently
            if where in seen:
                continue
            seen.add(where)
            doc = job.open_docs.get(f.uri)
            chosen = documents.selection(f.uri, doc.language_id if doc else None, job.settings)
            seen_wf = doc.seen_workflow if doc else False
            out.snapshots.append(Snapshot(f.uri, f.version, f.text, f.path, chosen, seen_wf, job.loader, encoding, style, generation))
    out.stopped = out.stopped or (out.truncated and stop.is_set())
    return out
