"""Workspace reports: walks of the workspace folders, their validation, and workspace/diagnostic answers."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from wf_lsp.core.discover import Budget
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import DiagnosticStyle
from wf_lsp.lsp.validation import Validation, ValidationJob, validate_all

if TYPE_CHECKING:
    from wf_lsp.lsp.diagnostics import Diagnostics
    from wf_lsp.lsp.server import WfServer

log = logging.getLogger("wf_lsp.lsp.workspace_reports")
WORKSPACE_TTL = 30.0


class WorkspaceReports:
    """Validates the workspace folders' files (open documents' validations interleave) and answers workspace pulls."""

    def __init__(self, server: WfServer, diagnostics: Diagnostics) -> None:
        self._server = server
        self._diagnostics = diagnostics
        #: Workspace walks get their own thread: a long one never holds up the open documents' validations.
        self._walker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wf-walk")
        #: The last workspace/diagnostic answer: (monotonic time, generation, open URIs, validations). Clients re-ask
        #: every few seconds; the folders are walked again only after a save, a close, a settings change or
        #: WORKSPACE_TTL seconds.
        self._cache: tuple[float, int, frozenset[str], list[Validation]] | None = None

    def shutdown(self) -> None:
        """Stop the walker thread."""
        self._walker.shutdown(wait=False, cancel_futures=True)

    def files_changed(self) -> None:
        """Files on disk may have changed (a save): the next workspace report walks the folders again."""
        self._cache = None

    async def pull(self, params: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
        """workspace/diagnostic: reports for the workflow files in the workspace folders that are not open."""
        await self._diagnostics.settings_ready()  # clients ask right after `initialized`: the folders' settings count
        previous = {p.uri: p.value for p in params.previous_result_ids}
        open_uris = frozenset(d.uri for d in self._server.documents)
        generation = self._diagnostics.generation
        cached = self._cache
        fresh = cached is not None and time.monotonic() - cached[0] < WORKSPACE_TTL
        if cached is not None and fresh and cached[1] == generation and cached[2] == open_uris:
            validations = cached[3]
        else:
            validations = await self.validate_many((await self.walk(include_open=False)).jobs)
            self._cache = (time.monotonic(), generation, open_uris, validations)
        items: list[types.WorkspaceDocumentDiagnosticReport] = []
        for v in validations:
            if not v.workflow:
                continue
            rid = v.result_id
            if previous.get(v.uri) == rid:
                items.append(types.WorkspaceUnchangedDocumentDiagnosticReport(uri=v.uri, version=None, result_id=rid))
            else:
                full = types.WorkspaceFullDocumentDiagnosticReport
                items.append(full(uri=v.uri, version=None, items=v.diagnostics, result_id=rid))
        return types.WorkspaceDiagnosticReport(items=items)

    # -- the whole workspace ------------------------------------------------------------------
    async def walk(
        self,
        include_open: bool,
        stop: threading.Event | None = None,
        tick: Callable[[int], None] | None = None,
    ) -> Walk:
        """Validation jobs of the workflow candidates in every workspace folder (open ones with the editor's text, if
        asked), each under the settings of its innermost folder, as its diagnostics are (one tenant's never judge
        another's).

        The folders are walked in a worker thread, each up to its maxWorkspaceFiles entries; `stop` ends the walk
        early (a cancelled request sets it), and `tick` hears how many entries were looked at, from that thread."""
        manager = self._server.settings
        open_docs = {d.uri: documents.OpenCopy.of(d) for d in self._server.documents}
        style = DiagnosticStyle.of(self._server.client_capabilities)
        jobs: list[_FolderJob] = []
        # Innermost folders first: a file (and an open document) belongs to the innermost folder that holds it.
        for folder in sorted(manager.folder_uris(), key=len, reverse=True):
            path = documents.uri_to_path(folder)
            if path is None:
                continue
            mine = {u: d for u, d in open_docs.items() if include_open and manager.folder_of(u) == folder}
            settings = manager.for_folder(folder)
            jobs.append(_FolderJob([path], settings, manager.loader(settings), mine))
        if include_open:  # open workflow documents outside every folder count too, under the settings outside folders
            outside = {u: d for u, d in open_docs.items() if manager.folder_of(u) is None}
            jobs.append(_FolderJob([], manager.base, manager.loader(manager.base), outside))
        stop = stop or threading.Event()
        generation = self._diagnostics.generation
        run_walk = functools.partial(_walk, jobs, self._server.encoding, style, generation, stop, tick)
        try:
            found = await asyncio.get_running_loop().run_in_executor(self._walker, run_walk)
        except asyncio.CancelledError:
            stop.set()  # a cancelled request ends the walk too
            raise
        if not include_open:
            found.jobs = [j for j in found.jobs if j.uri not in open_docs]
        if found.truncated and not found.stopped:
            why = "the workspace walk stopped after %d files and folders (setting maxWorkspaceFiles): %s"
            log.warning(why, found.looked_at, "some files were left out")
        return found

    def publish_files(self, validations: list[Validation]) -> None:
        """Show workspace-wide results: pushed for files that are not open, or a refresh request to pull clients."""
        if not self._diagnostics.push:
            if self._diagnostics.pull_refresh:
                self._server.workspace_diagnostic_refresh(None)
            return
        for v in validations:
            if self._server.documents.get(v.uri) is None:
                params = types.PublishDiagnosticsParams(uri=v.uri, diagnostics=v.diagnostics)
                self._server.text_document_publish_diagnostics(params)

    async def validate_many(self, jobs: list[ValidationJob]) -> list[Validation]:
        """Validate jobs in the validation pool (one pool job: open documents' validations interleave between calls)."""
        if not jobs:
            return []
        done = await self._diagnostics.run(validate_all, jobs)
        for job in jobs:  # a file no editor has open is not edited next: the text kept for a delta is let go
            if self._server.documents.get(job.uri) is None:
                self._server.analyzer.forget(job.path)
        return done


@dataclass(slots=True)
class Walk:
    """A workspace walk: the validation jobs found, entries looked at, and whether it ended early (limit or stop)."""

    jobs: list[ValidationJob]
    looked_at: int = 0
    truncated: bool = False
    stopped: bool = False


@dataclass(frozen=True, slots=True)
class _FolderJob:
    folders: list[str]
    settings: Settings
    loader: WorkflowLoader
    open_docs: dict[str, documents.OpenCopy]


def _walk(
    jobs: list[_FolderJob],
    encoding: str,
    style: DiagnosticStyle,
    generation: int,
    stop: threading.Event,
    tick: Callable[[int], None] | None,
) -> Walk:
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
            args = (f.uri, f.version, f.text, f.path, chosen, seen_wf, job.loader, encoding, style, generation)
            out.jobs.append(ValidationJob(*args))
    out.stopped = out.stopped or (out.truncated and stop.is_set())
    return out
