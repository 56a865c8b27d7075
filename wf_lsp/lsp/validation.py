"""One validation: what it needs (copied off the live document), and what it gives (result, diagnostics, snapshot)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from lsprotocol import types

from wf_lsp.core.engine import PausedGC
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import DiagnosticStyle, to_diagnostics, to_payload
from wf_lsp.lsp.payload import LAYOUT_KNOWN, diagnostics_json
from wf_lsp.lsp.snapshot import DocumentSnapshot


@dataclass(frozen=True, slots=True)
class ValidationJob:
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
    #: The open document's snapshot of this version (editor features may have parsed it already); None: a new one.
    document: DocumentSnapshot | None = None


class Validation:
    """A validated version: the result, whether it is a workflow, its diagnostics and their result id, and the
    snapshot editor features read (the same object for every feature and command on this version).

    A pushed version's diagnostics are written straight to JSON (payload); their LSP objects, which only code actions
    and pulls read, are made on first use (`diagnostics` is then a function that makes them)."""

    __slots__ = (
        "_diagnostics",
        "document",
        "message",
        "payload",
        "result",
        "result_id",
        "settings",
        "text",
        "uri",
        "version",
        "workflow",
    )

    def __init__(
        self,
        uri: str,
        version: int | None,
        text: str,
        result: Result,
        workflow: bool,
        diagnostics: list[types.Diagnostic] | Callable[[], list[types.Diagnostic]],
        result_id: str,
        settings: Settings,
        document: DocumentSnapshot,
        payload: list[Any] | None = None,
        message: bytes | None = None,
    ) -> None:
        self.uri, self.version, self.text, self.result, self.workflow = uri, version, text, result, workflow
        self._diagnostics = diagnostics
        self.result_id, self.settings, self.document = result_id, settings, document
        #: The diagnostics as JSON values, ready to publish without serializing on the event loop.
        self.payload = payload
        #: The whole publishDiagnostics notification, written as UTF-8 JSON (None: write payload on the event loop).
        self.message = message

    @property
    def diagnostics(self) -> list[types.Diagnostic]:
        """The diagnostics as LSP objects (made once, on first use, for a pushed version)."""
        made = self._diagnostics
        if callable(made):
            with PausedGC():  # thousands of objects, no cycles (see validate)
                made = self._diagnostics = made()
        return made


def validate(job: ValidationJob) -> Validation:
    """Validate a job and convert its findings (runs in a worker thread)."""
    result = job.loader.validate_text(job.text, job.path)
    workflow = documents.is_workflow(job.chosen, result, job.seen_workflow)
    limit = job.loader.settings.max_diagnostics
    diags: list[types.Diagnostic] | Callable[[], list[types.Diagnostic]] = []
    payload = None
    # Converting thousands of findings allocates enough objects to trigger full collections that walk the result and
    # the diagnostics so far (measured at 5000 diagnostics: 110 ms instead of 70); what is built here holds no cycles.
    with PausedGC():
        convert = functools.partial(
            to_diagnostics, result, job.text, job.uri, job.version, job.encoding, job.style, limit=limit
        )
        if workflow and job.converter is not None and LAYOUT_KNOWN:
            payload = to_payload(result, job.text, job.uri, job.version, job.encoding, job.style, limit=limit)
            diags = convert  # the LSP objects: made on first use
        elif workflow:
            diags = convert()
        if payload is None and job.converter is not None:  # (another lsprotocol's layout: through its converter)
            payload = diagnostics_json(diags if isinstance(diags, list) else diags(), job.converter)
    result.earlier = None  # (read by to_payload; it holds the last version's findings)
    message = _publish_message(job.uri, job.version, payload) if payload is not None else None
    rid = f"{job.loader.fingerprint[:10]}-{job.generation}-{len(job.text)}-{hash(job.text) & 0xFFFFFFFFFFFF:x}"
    settings = job.loader.settings
    document = job.document or DocumentSnapshot(job.text, job.version, settings, job.encoding)
    return Validation(
        job.uri, job.version, job.text, result, workflow, diags, rid, settings, document, payload, message
    )


def _publish_message(uri: str, version: int | None, payload: list[Any]) -> bytes | None:
    """The publishDiagnostics notification as UTF-8 JSON (orjson: a tenth of json.dumps's time, off the event loop);
    None for text orjson cannot write (a lone surrogate): the event loop's json then writes it escaped."""
    params = {"uri": uri, "version": version, "diagnostics": payload}
    try:
        return orjson.dumps({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params})
    except TypeError:  # (orjson.JSONEncodeError is one)
        return None


def validate_all(jobs: list[ValidationJob]) -> list[Validation]:
    """Validate jobs one after another (one pool job)."""
    return [validate(job) for job in jobs]
