"""Test kit for the language server: a recording client, documents edited like an editor does, and waits."""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types as t
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tests.helpers import CORPUS

#: The recorded real-editor capabilities every end-to-end test runs against.
CLIENTS = ("visual-studio-code", "neovim")
SERVER = [sys.executable, "-m", "wf_lsp", "serve"]
TIMEOUT = 20.0

#: Corpus files the tests edit, by role.
BOOT = "gameengine__packages__bootstrap__workflows__boot_default.json"  # 5 nodes, a name-keyed chain
# id-keyed, triggers, variables, tenant acme-corp
APPROVAL = "packages__examples__workflows__complex_approval_flow.workflow.json"
VARIABLES = "docs__N8N_VARIABLES_EXAMPLE.json"  # no tenantId, a global variable: two safe fixes
PROFILE = "packages__dashboard__workflow__fetch_user_profile.json"  # id-keyed array connections


def corpus_text(name: str) -> str:
    """A real corpus file's text; fails loudly when the corpus is missing."""
    path = CORPUS / name
    assert CORPUS.is_dir(), f"the MetaBuilder corpus is missing: expected it at {CORPUS}"
    return path.read_text(encoding="utf-8")


def make_workspace(root: Path, names: list[str]) -> Path:
    """A workspace folder with copies of corpus files."""
    root.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, root / name)
    return root


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics (uri, version, diagnostics) in order."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.cancel_progress = False  # type: ignore[attr-defined]
    features = dict(DEFAULT_CLIENT_FEATURES)
    default_publish = features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    default_create = features[t.WINDOW_WORK_DONE_PROGRESS_CREATE]

    def publish(ls: LanguageClient, params: t.PublishDiagnosticsParams) -> None:
        default_publish(ls, params)
        ls.published.append(params)  # type: ignore[attr-defined]

    def create(ls: LanguageClient, params: t.WorkDoneProgressCreateParams) -> None:
        default_create(ls, params)
        if ls.cancel_progress:  # type: ignore[attr-defined]
            ls.window_work_done_progress_cancel(t.WorkDoneProgressCancelParams(token=params.token))

    def register_capability(ls: LanguageClient, params: t.RegistrationParams) -> None:
        ls.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]
    features[t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    features[t.WINDOW_WORK_DONE_PROGRESS_CREATE] = create
    features[t.CLIENT_REGISTER_CAPABILITY] = register_capability
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


async def start(
    client: LanguageClient, caps_name: str, folders: list[Path], options: dict[str, Any] | None = None
) -> t.InitializeResult:
    """Initialize a session with recorded capabilities, workspace folders and initializationOptions."""
    caps = client_capabilities(caps_name)
    result = await client.initialize_session(
        t.InitializeParams(
            capabilities=caps,
            root_uri=folders[0].as_uri() if folders else None,
            workspace_folders=[t.WorkspaceFolder(f.as_uri(), f.name) for f in folders] or None,
            initialization_options=options if options is not None else {"debounceMs": 30},
        )
    )
    client.init_result = result  # type: ignore[attr-defined]
    return result


def pull_mode(client: LanguageClient) -> bool:
    """Whether the server chose pull diagnostics for this client."""
    return client.init_result.capabilities.diagnostic_provider is not None  # type: ignore[attr-defined]


def encoding(client: LanguageClient) -> str:
    """The negotiated position encoding."""
    enc = client.init_result.capabilities.position_encoding  # type: ignore[attr-defined]
    return str(enc.value if hasattr(enc, "value") else enc or "utf-16")


def _units(s: str, enc: str) -> int:
    if enc == "utf-8":
        return len(s.encode("utf-8"))
    if enc == "utf-32":
        return len(s)
    return len(s.encode("utf-16-le")) // 2


@dataclass
class Doc:
    """A document as the editor holds it: text, version, and conversions in the session's encoding."""

    client: LanguageClient
    uri: str
    text: str
    version: int = 1

    @property
    def enc(self) -> str:
        return encoding(self.client)

    def position(self, offset: int) -> t.Position:
        line = self.text.count("\n", 0, offset)
        start = self.text.rfind("\n", 0, offset) + 1
        return t.Position(line, _units(self.text[start:offset], self.enc))

    def offset(self, pos: t.Position) -> int:
        lines = self.text.split("\n")
        base = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        col = 0
        while col < len(line) and _units(line[:col], self.enc) < pos.character:
            col += 1
        return base + col

    def find(self, needle: str, nth: int = 0, after: str | None = None) -> int:
        """Offset of the nth occurrence of needle (after the first occurrence of `after`, if given)."""
        at = self.text.index(after) if after else 0
        for _ in range(nth + 1):
            at = self.text.index(needle, at + (1 if _ else 0))
        return at

    def range_of(self, needle: str, nth: int = 0, after: str | None = None) -> t.Range:
        start = self.find(needle, nth, after)
        return t.Range(self.position(start), self.position(start + len(needle)))

    def replace(self, start: int, end: int, new: str) -> None:
        """Edit the text and send the change (one incremental content change)."""
        rng = t.Range(self.position(start), self.position(end))
        self.text = self.text[:start] + new + self.text[end:]
        self.version += 1
        self.client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[t.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        )

    def type(self, offset: int, text: str) -> None:
        """Type text one character per change, as an editor sends keystrokes."""
        for i, ch in enumerate(text):
            self.replace(offset + i, offset + i, ch)

    def apply(self, edit: t.WorkspaceEdit) -> None:
        """Apply a server's workspace edit as the editor would (checking the version it was made for), then send it."""
        edits: list[t.TextEdit] = []
        if edit.document_changes:
            for change in edit.document_changes:
                assert isinstance(change, t.TextDocumentEdit)
                assert change.text_document.uri == self.uri
                assert change.text_document.version == self.version, "edit made for another version"
                edits.extend(e for e in change.edits if isinstance(e, t.TextEdit))
        else:
            assert edit.changes is not None
            edits.extend(edit.changes[self.uri])
        spans = sorted(
            ((self.offset(e.range.start), self.offset(e.range.end), e.new_text) for e in edits), reverse=True
        )
        for start, end, new in spans:
            self.replace(start, end, new)

    def close(self) -> None:
        self.client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(self.uri)))


def open_doc(client: LanguageClient, path: Path | str, text: str, language: str = "json") -> Doc:
    """Open a document (the path need not exist on disk)."""
    uri = Path(path).as_uri() if not str(path).startswith(("file:", "untitled:")) else str(path)
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
    )
    return Doc(client, uri, text)


async def published(
    client: LanguageClient, uri: str, version: int | None = None, since: int = 0, timeout: float = TIMEOUT
) -> t.PublishDiagnosticsParams:
    """The latest publishDiagnostics for uri at (or past) version, among those from index `since` on, waiting for
    one."""
    deadline = time.monotonic() + timeout
    while True:
        history: list[t.PublishDiagnosticsParams] = client.published  # type: ignore[attr-defined]
        hits = [
            p
            for p in history[since:]
            if p.uri == uri and (version is None or (p.version is not None and p.version >= version))
        ]
        if hits:
            return hits[-1]
        if time.monotonic() > deadline:
            raise TimeoutError(f"no diagnostics for {uri} v{version}; got {[(p.uri, p.version) for p in history[-5:]]}")
        await asyncio.sleep(0.01)


async def diagnostics(doc: Doc) -> list[t.Diagnostic]:
    """The diagnostics of the document's current version: pulled where the server pulls, else the published ones."""
    if pull_mode(doc.client):
        report = await doc.client.text_document_diagnostic_async(
            t.DocumentDiagnosticParams(t.TextDocumentIdentifier(doc.uri))
        )
        assert isinstance(report, t.RelatedFullDocumentDiagnosticReport | t.FullDocumentDiagnosticReport)
        return list(report.items)
    return list((await published(doc.client, doc.uri, doc.version)).diagnostics)


def codes(diags: list[t.Diagnostic]) -> list[str]:
    """The codes of diagnostics, sorted."""
    return sorted(str(d.code) for d in diags)


def only(diags: list[t.Diagnostic], code: str) -> t.Diagnostic:
    """The single diagnostic with a code."""
    hits = [d for d in diags if d.code == code]
    assert len(hits) == 1, f"expected one {code}, got {codes(diags)}"
    return hits[0]


async def actions(
    doc: Doc, diags: list[t.Diagnostic], rng: t.Range | None = None, kinds: list[str] | None = None
) -> list[t.CodeAction]:
    """Code actions for a range with the given diagnostics in context."""
    rng = rng or (diags[0].range if diags else t.Range(t.Position(0, 0), t.Position(0, 0)))
    result = await doc.client.text_document_code_action_async(
        t.CodeActionParams(t.TextDocumentIdentifier(doc.uri), rng, t.CodeActionContext(diagnostics=diags, only=kinds))
    )
    return [a for a in result or [] if isinstance(a, t.CodeAction)]


async def command(client: LanguageClient, name: str, *args: Any) -> Any:
    """Run a server command."""
    return await client.workspace_execute_command_async(t.ExecuteCommandParams(command=name, arguments=list(args)))
