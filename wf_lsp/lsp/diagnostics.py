"""Diagnostics of open documents: debounced validation off the event loop, stale results dropped, push or pull."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types
from pygls.capabilities import get_capability

from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import DiagnosticStyle
from wf_lsp.lsp.documents import OpenDocument
from wf_lsp.lsp.snapshot import DocumentSnapshot
from wf_lsp.lsp.validation import Validation, ValidationJob, validate

if TYPE_CHECKING:
    from wf_lsp.lsp.server import WfServer

log = logging.getLogger("wf_lsp.lsp.diagnostics")
IDENTIFIER = "wf-lsp"
T = TypeVar("T")


@dataclass(slots=True)
class _State:
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Future[None] | None = None
    dirty: bool = False
    published: bool = False
    last: Validation | None = None
    #: The snapshot of the document's newest version (editor features may ask for it before it is validated).
    document: DocumentSnapshot | None = None


class Diagnostics:
    """Owns validation scheduling for open documents, their snapshots, and answers their diagnostic requests."""

    def __init__(self, server: WfServer) -> None:
        self._server = server
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wf-validate")
        self._states: dict[str, _State] = {}
        self.push = True
        self.generation = 0
        self.stale_drops = 0

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
        await self.settings_ready()
        try:
            while True:
                state.dirty = False
                doc = self._server.documents.get(uri)
                job = self.job(doc) if doc is not None else None
                if job is None:
                    self._clear(uri, state)
                    return
                outcome = await asyncio.get_running_loop().run_in_executor(self._pool, validate, job)
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

    def _accept(self, doc: OpenDocument, state: _State, outcome: Validation) -> None:
        state.last = outcome
        if outcome.workflow:
            doc.seen_workflow = True
        if self.push and (outcome.workflow or state.published):
            if outcome.message is not None and outcome.uri == doc.uri:
                self._server.protocol.send_encoded(outcome.message)
            elif outcome.payload is not None:
                params = {"uri": doc.uri, "version": outcome.version, "diagnostics": outcome.payload}
                self._server.protocol.notify_json(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)
            else:
                self._server.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(
                        uri=doc.uri, diagnostics=outcome.diagnostics, version=outcome.version
                    )
                )
            state.published = outcome.workflow

    def _clear(self, uri: str, state: _State) -> None:
        if state.published and self.push:
            self._server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        state.published = False
        state.last = None
        state.document = None

    def document(self, doc: OpenDocument) -> DocumentSnapshot:
        """The snapshot of an open document's current version under its settings: one per version, shared by its
        validation and every editor feature (made on first request; the text is parsed on first use)."""
        state = self._states.setdefault(doc.uri, _State())
        settings = self._server.settings.for_uri(doc.uri)
        encoding = self._server.encoding
        snap = state.document
        if snap is None or not snap.matches(doc.text, doc.version, settings, encoding):
            snap = state.document = DocumentSnapshot(doc.text, doc.version, settings, encoding)
        return snap

    def job(self, doc: OpenDocument) -> ValidationJob | None:
        """A validation job for an open document, or None when it is not a workflow candidate."""
        settings = self._server.settings.for_uri(doc.uri)
        chosen = documents.selection(doc.uri, doc.language_id, settings)
        if chosen is False or (chosen is None and not doc.seen_workflow and not documents.has_markers(doc.text)):
            return None
        return ValidationJob(
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
            self.document(doc),
        )

    def close(self, uri: str) -> None:
        """Forget a closed document and clear its diagnostics."""
        self._server.analyzer.forget(documents.uri_to_path(uri))
        state = self._states.pop(uri, None)
        if state is None:
            return
        if state.timer is not None:
            state.timer.cancel()
        if self.push and (state.published or state.task is not None or state.last is not None):
            self._server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

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
    async def settings_ready(self) -> None:
        """Wait (briefly) for the client's settings, so the first diagnostics use them."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.settings.ready.wait(), 5)

    def last(self, uri: str) -> Validation | None:
        """The last accepted outcome of a document (possibly of an older version)."""
        state = self._states.get(uri)
        return state.last if state else None

    async def current(self, uri: str) -> Validation | None:
        """The outcome for the document's current version, validating now if needed (None when not a candidate)."""
        await self.settings_ready()
        doc = self._server.documents.get(uri)
        if doc is None:
            return None
        state = self._states.setdefault(uri, _State())
        last = state.last
        fresh = last is not None and last.version == doc.version and last.settings == self._server.settings.for_uri(uri)
        if fresh and not state.dirty and state.timer is None and state.task is None:
            return state.last
        job = self.job(doc)
        if job is None:
            return None
        outcome = await asyncio.get_running_loop().run_in_executor(self._pool, validate, job)
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

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking call in the validation pool."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
