"""One validation: what it needs (copied off the live document), and what it gives (result, diagnostics, snapshot)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from wf_lsp.core.engine import PausedGC
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import DiagnosticStyle, to_diagnostics
from wf_lsp.lsp.payload import diagnostics_json
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


@dataclass(frozen=True, slots=True)
class Validation:
    """A validated version: the result, whether it is a workflow, its diagnostics and their result id, and the
    snapshot editor features read (the same object for every feature and command on this version)."""

    uri: str
    version: int | None
    text: str
    result: Result
    workflow: bool
    diagnostics: list[types.Diagnostic]
    result_id: str
    settings: Settings
    document: DocumentSnapshot
    #: The diagnostics as JSON values, ready to publish without serializing on the event loop.
    payload: list[Any] | None = None


def validate(job: ValidationJob) -> Validation:
    """Validate a job and convert its findings (runs in a worker thread)."""
    result = job.loader.validate_text(job.text, job.path)
    workflow = documents.is_workflow(job.chosen, result, job.seen_workflow)
    limit = job.loader.settings.max_diagnostics
    diags: list[types.Diagnostic] = []
    # Converting thousands of findings allocates enough objects to trigger full collections that walk the result and
    # the diagnostics so far (measured at 5000 diagnostics: 110 ms instead of 70); what is built here holds no cycles.
    with PausedGC():
        if workflow:
            diags = to_diagnostics(result, job.text, job.uri, job.version, job.encoding, job.style, limit=limit)
        payload = diagnostics_json(diags, job.converter) if job.converter is not None else None
    rid = f"{job.loader.fingerprint[:10]}-{job.generation}-{len(job.text)}-{hash(job.text) & 0xFFFFFFFFFFFF:x}"
    settings = job.loader.settings
    document = job.document or DocumentSnapshot(job.text, job.version, settings, job.encoding)
    return Validation(job.uri, job.version, job.text, result, workflow, diags, rid, settings, document, payload)


def validate_all(jobs: list[ValidationJob]) -> list[Validation]:
    """Validate jobs one after another (one pool job)."""
    return [validate(job) for job in jobs]
