"""Open documents (our own store, with cheap incremental edits), which of them are workflows, and workspace files."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote_to_bytes, urlsplit

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace.position_codec import PositionCodec

from wf_lsp.core.discover import Budget, Candidate, Discovery, discover, read_candidate
from wf_lsp.core.globs import matches
from wf_lsp.core.parse.document import decode_bytes
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import files
from wf_lsp.lsp.lines import LineIndex, LinesView

if TYPE_CHECKING:
    from wf_lsp.core.result import Result

log = logging.getLogger("wf_lsp.lsp.documents")

JSON_LANGUAGES = frozenset({"json", "jsonc"})
JSON_SUFFIXES = (".json", ".jsonc")
#: Well-known JSON files that are never workflows, whatever they contain (unless an include glob names them).
NEVER = frozenset(
    {"package.json", "package-lock.json", "tsconfig.json", "jsconfig.json", "composer.json", ".eslintrc.json"}
)
MARKERS = ('"nodes"', '"connections"')
#: Findings that mean the text did not parse: such a file still gets diagnostics if it looked like a workflow.
UNREADABLE = frozenset({"JSON_SYNTAX_ERROR", "INVALID_ENCODING", "FILE_TOO_LARGE", "NESTING_TOO_DEEP"})


@dataclass(slots=True)
class OpenDocument:
    """One open text document: its text (with a line index), version and what we know about it."""

    uri: str
    language_id: str
    version: int
    lines: LineIndex
    path: str | None
    #: Once seen as a workflow while open, broken text keeps its diagnostics (the user is mid-keystroke).
    seen_workflow: bool = False

    @property
    def text(self) -> str:
        """The current text."""
        return self.lines.text

    def offset_at(self, position: types.Position, codec: PositionCodec) -> int:
        """Code-point offset of a client position (in the negotiated encoding)."""
        index = self.lines
        if position.line >= len(index):
            return len(index.text)
        line = index.line(position.line)
        if line.isascii() or codec.encoding == types.PositionEncodingKind.Utf32:
            return index.offset(position.line, position.character)
        server = codec.position_from_client_units(LinesView(index), types.Position(position.line, position.character))
        return index.offset(server.line, server.character)

    def apply(self, change: types.TextDocumentContentChangeEvent, codec: PositionCodec) -> None:
        """Apply one content change: a range edit patches the text and line index, a whole text replaces them."""
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = self.offset_at(change.range.start, codec)
            end = self.offset_at(change.range.end, codec)
            start, end = min(start, end), max(start, end)  # a reversed range is the same range (vscode-languageserver)
            self.lines.replace(start, end, change.text)
        else:
            self.lines = LineIndex(change.text)


class DocumentStore:
    """Open documents by URI."""

    def __init__(self) -> None:
        self._docs: dict[str, OpenDocument] = {}

    def get(self, uri: str) -> OpenDocument | None:
        """The open document, if any."""
        return self._docs.get(uri)

    def __iter__(self) -> Iterator[OpenDocument]:
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)

    def open(self, item: types.TextDocumentItem) -> OpenDocument:
        """Start tracking a document (an open of an open document replaces it, with a log line)."""
        if item.uri in self._docs:
            log.warning("open for a document that is already open (its text is replaced): %s", item.uri)
        doc = OpenDocument(item.uri, item.language_id, item.version, LineIndex(item.text), uri_to_path(item.uri))
        self._docs[item.uri] = doc
        return doc

    def change(self, params: types.DidChangeTextDocumentParams, codec: PositionCodec) -> OpenDocument | None:
        """Apply a didChange; unknown documents are ignored, odd versions and ranges applied as editors do, each
        logged."""
        uri, version = params.text_document.uri, params.text_document.version
        doc = self._docs.get(uri)
        if doc is None:
            log.warning("change for a document that is not open (ignored): %s", uri)
            return None
        if version <= doc.version:  # the client's text is still the truth: apply it, but say so
            log.warning("change to %s has version %d, not above %d (applied anyway)", uri, version, doc.version)
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                _check_range(doc, change.range)
            doc.apply(change, codec)
        doc.version = version
        return doc

    def close(self, uri: str) -> OpenDocument | None:
        """Stop tracking a document (a close of a document that is not open is logged)."""
        doc = self._docs.pop(uri, None)
        if doc is None:
            log.warning("close for a document that is not open (ignored): %s", uri)
        return doc


def _check_range(doc: OpenDocument, rng: types.Range) -> None:
    """Log an edit range past the last line (clamped to the end, as vscode-languageserver does) or ending before it
    starts."""
    lines = len(doc.lines)
    if rng.start.line >= lines or rng.end.line >= lines:
        log.warning(
            "edit range %s of %s is past its last line (%d): clamped to the end of the text",
            _show(rng),
            doc.uri,
            lines - 1,
        )
    elif (rng.end.line, rng.end.character) < (rng.start.line, rng.start.character):
        log.warning("edit range %s of %s ends before it starts: taken from its end to its start", _show(rng), doc.uri)


def _show(rng: types.Range) -> str:
    return f"{rng.start.line}:{rng.start.character}-{rng.end.line}:{rng.end.character}"


# -- which documents are workflows --------------------------------------------------------------


def uri_to_path(uri: str) -> str | None:
    """File-system path of a file: URI (None for untitled buffers and other schemes). Percent-escapes that are not
    UTF-8 (`caf%E9.json`, how Neovim names a file whose name is not UTF-8) are the file name's own bytes."""
    try:
        path = to_fs_path(uri)
    except Exception:  # a malformed URI is not a file we can name
        return None
    if path is not None and "\ufffd" in path and os.name == "posix":
        parts = urlsplit(uri)
        if parts.scheme == "file" and not parts.netloc:
            raw = unquote_to_bytes(parts.path)
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return os.fsdecode(raw)
    return path


def path_to_uri(path: str) -> str:
    """file: URI of a path; a name that is not UTF-8 (surrogate-escaped by os.fsdecode) keeps its bytes,
    percent-encoded."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        if os.name == "posix" and os.path.isabs(path):
            return "file://" + quote(os.fsencode(path), safe="/")
        path = path.encode("utf-8", "backslashreplace").decode("utf-8")
    return from_fs_path(path) or path


def selection(uri: str, language_id: str | None, settings: Settings) -> bool | None:
    """True when a glob includes the document, False when it is excluded or not JSON, None when its content decides."""
    path = uri_to_path(uri)
    if path is not None:
        if matches(path, settings.exclude, settings.root):
            return False
        if matches(path, settings.include, settings.root):
            return True
        if os.path.basename(path) in NEVER:
            return False
    json_like = (language_id or "").lower() in JSON_LANGUAGES or (path or uri).lower().endswith(JSON_SUFFIXES)
    return None if json_like else False


def has_markers(text: str) -> bool:
    """Cheap test: the text mentions both `"nodes"` and `"connections"`."""
    return all(m in text for m in MARKERS)


def unreadable(result: Result) -> bool:
    """The text did not parse (a workflow being typed, or a damaged one)."""
    return any(f.code in UNREADABLE for f in result.findings)


def is_workflow(chosen: bool | None, result: Result, seen_before: bool = False) -> bool:
    """Whether a validated text gets diagnostics: forced by a glob, or its top level is a workflow, or it was one
    since it was opened (once a workflow, always a workflow while open: the user is mid-edit), or it is a broken
    text."""
    if chosen is not None:
        return chosen
    return result.is_workflow or seen_before or (result.summary.get("nodeCount", 0) == 0 and unreadable(result))


# -- workspace files ----------------------------------------------------------------------------


@dataclass(slots=True)
class WorkspaceFile:
    """A workflow candidate on disk (or open in the editor): its URI, path and text."""

    uri: str
    path: str
    text: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class OpenCopy:
    """What a workspace walk needs of an open document, copied on the event loop (walks run in a worker thread)."""

    uri: str
    path: str | None
    text: str
    version: int
    language_id: str
    seen_workflow: bool

    @classmethod
    def of(cls, doc: OpenDocument) -> OpenCopy:
        """A copy of an open document's current state."""
        return cls(doc.uri, doc.path, doc.text, doc.version, doc.language_id, doc.seen_workflow)


def workspace_candidates(
    folders: list[str], settings: Settings, open_docs: dict[str, OpenCopy], budget: Budget | None = None
) -> tuple[list[WorkspaceFile], Discovery | None]:
    """JSON files under the folders that may be workflows (open documents use the editor's text), and the walk's
    account; files reached through a symlink that leads out of the folders are left out (as are FIFOs and devices)."""
    out: list[WorkspaceFile] = []
    seen: set[str] = set()
    found = (
        discover(folders, settings.exclude, settings.include, settings.root, settings.respect_gitignore, budget=budget)
        if folders
        else None
    )
    for cand in found.files if found else []:
        path = os.path.abspath(cand.path)
        if path in seen:
            continue
        seen.add(path)
        uri = path_to_uri(path)
        chosen = selection(uri, None, settings)
        if chosen is False:
            continue
        doc = open_docs.get(uri)
        if doc is not None:  # once a workflow, always a workflow while open (a text broken mid-edit too)
            if chosen or doc.seen_workflow or has_markers(doc.text):
                out.append(WorkspaceFile(uri, path, doc.text, doc.version))
            continue
        if not files.inside(path, folders):
            continue
        data, _why = read_candidate(Candidate(path, explicit=bool(chosen)), settings.max_file_bytes)
        if data is None:
            continue
        text = decode_bytes(data)[0]
        if chosen or has_markers(text):
            out.append(WorkspaceFile(uri, path, text))
    for doc in open_docs.values():  # open workflow documents outside every folder count too
        if doc.path is not None and os.path.abspath(doc.path) not in seen and doc.seen_workflow:
            out.append(WorkspaceFile(doc.uri, doc.path, doc.text, doc.version))
    return out, found
