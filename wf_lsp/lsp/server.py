"""Wiring: the server object, its lifecycle handlers, the feature modules, and `wf-lsp serve`."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import threading
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.exceptions import FeatureNotificationError, FeatureRequestError, JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from wf_lsp import __version__
from wf_lsp.core.cache.cachestats import CacheStats
from wf_lsp.core.config import CONFIG_NAMES
from wf_lsp.lsp import (
    code_actions,
    code_lens,
    commands,
    completion,
    framing,
    graph,
    hover,
    inlay_hints,
    logs,
    memory,
    navigation,
    symbols,
    workers,
)
from wf_lsp.lsp.diagnostics import IDENTIFIER, Diagnostics
from wf_lsp.lsp.documents import DocumentStore
from wf_lsp.lsp.protocol import PARSE_ERROR, WfProtocol
from wf_lsp.lsp.settings import SettingsManager
from wf_lsp.lsp.workspace_reports import WorkspaceReports

log = logging.getLogger("wf_lsp.lsp.server")


class WfServer(LanguageServer):
    """The wf-lsp language server: documents, settings and diagnostics shared by the feature modules."""

    protocol: WfProtocol

    def __init__(self, sync_kind: types.TextDocumentSyncKind = types.TextDocumentSyncKind.Incremental) -> None:
        super().__init__(
            "wf-lsp", __version__, text_document_sync_kind=sync_kind, protocol_cls=WfProtocol, max_workers=4
        )
        self.documents = DocumentStore()
        #: Validations run in worker processes (started on the first one).
        self.analyzer = workers.ProcessAnalyzer()
        self.settings = SettingsManager(self)
        self.diagnostics = Diagnostics(self)
        self.workspace_reports = WorkspaceReports(self, self.diagnostics)
        self.log_handler: logs.ClientLogHandler | None = None
        self._report_dir: str | None = None
        self._reporting = False
        self._told_internal = False

    @property
    def exit_code(self) -> int:
        """0 when the client asked to shut down before the connection ended (exit, or stdin closed), else 1 (as LSP
        says)."""
        return 0 if self.protocol.shutdown_received else 1

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A message that cannot be parsed gets a JSON-RPC ParseError; other faults are logged, and shown once."""
        if self._reporting:  # logging itself failed (the connection is gone): stderr has it
            return
        self._reporting = True
        try:
            if source is JsonRpcException and isinstance(
                error, ValueError
            ):  # json.loads failed: invalid JSON or bad UTF-8
                log.warning("a message from the client is not valid JSON (%s): answered ParseError", error)
                self.protocol.reply_error(None, PARSE_ERROR, f"Parse error: {error}")
            elif source is FeatureRequestError:  # the request was answered with the error already
                log.error("request failed: %s", error)
            else:
                log.error("internal error (%s): %s", getattr(source, "__name__", source), error)
                if source is FeatureNotificationError and not self._told_internal:
                    self._told_internal = True
                    message = f"wf-lsp hit an internal error and carried on; the output log has the details: {error}"
                    self.window_show_message(
                        types.ShowMessageParams(type=types.MessageType.Error, message=message[:500])
                    )
        finally:
            self._reporting = False

    @property
    def encoding(self) -> str:
        """The negotiated position encoding (UTF-16 unless the client offered another we support)."""
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return str(encoding.value if isinstance(encoding, types.PositionEncodingKind) else encoding)

    def report_dir(self) -> str:
        """A private temp folder for reports shown to the user (created on first use, removed at shutdown)."""
        if self._report_dir is None:
            self._report_dir = commands.make_report_dir()
        return self._report_dir

    def cache_stats(self) -> dict[str, Any]:
        """Cache statistics of every loader, summed (with the shared layer's own figures)."""
        parts = [loader.cache_stats() for loader in self.settings.loaders()]
        if not parts:
            parts = [self.settings.loader(self.settings.base).cache_stats()]
        return CacheStats.total(parts).to_json()

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve on stdio until `exit` or end of input (pygls's own start, with our bounded frame reader).

        pygls parts this relies on (2.1; tests/lsp/test_wedge_framing.py runs them all): `_stop_event` (set by pygls's
        `shutdown()`), the `thread_pool` its stdin reads run in, `StdoutWriter` and `protocol.set_writer`."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        reader = framing.read_messages(
            self._stop_event,
            stdin or sys.stdin.buffer,
            self.thread_pool,
            self.protocol,
            lambda: self.settings.base.max_message_bytes,
            self.report_server_error,
        )
        try:
            asyncio.run(reader)
        except BrokenPipeError:
            log.error("the connection to the client is lost: shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def serve_tcp(self, host: str, port: int) -> None:
        """Listen on HOST:PORT, take one client and serve it as on stdio: the same bounded frame reader and the same
        ending (pygls's own TCP server has neither: no maxMessageBytes bound, and a traceback on `exit`)."""
        with socket.create_server((host, port)) as listener:
            log.info("listening on %s:%d for one client", host, port)
            connection, peer = listener.accept()
        log.info("client connected from %s", peer)
        with connection, connection.makefile("rb") as incoming, connection.makefile("wb") as outgoing:
            self.start_io(incoming, outgoing)

    def close(self) -> None:
        """Release threads and temp files."""
        self.diagnostics.shutdown()
        self.workspace_reports.shutdown()
        self.analyzer.shutdown()
        commands.remove_report_dir(self._report_dir)
        self._report_dir = None


def build_server(sync_kind: types.TextDocumentSyncKind = types.TextDocumentSyncKind.Incremental) -> WfServer:
    """A server with every feature registered."""
    server = WfServer(sync_kind)

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        if server.log_handler is not None:
            server.log_handler.bind(asyncio.get_running_loop())
        server.settings.initialize(params.initialization_options)
        server.diagnostics.configure(params.capabilities)
        if not server.diagnostics.push:

            @server.feature(
                types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(
                    identifier=IDENTIFIER, inter_file_dependencies=False, workspace_diagnostics=True
                ),
            )
            async def pull(p: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
                return await server.diagnostics.pull(p)

            @server.feature(types.WORKSPACE_DIAGNOSTIC)
            async def workspace_pull(p: types.WorkspaceDiagnosticParams) -> types.WorkspaceDiagnosticReport:
                return await server.workspace_reports.pull(p)

        client = params.client_info.name if params.client_info else "unknown client"
        log.info(
            "wf-lsp %s for %s: %s diagnostics, %s positions",
            __version__,
            client,
            "push" if server.diagnostics.push else "pull",
            server.encoding,
        )

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        memory.collect_start_up_garbage()  # off the initialize response's path
        await server.settings.refresh()
        await _watch_config_files(server)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.rsplit("/", 1)[-1] in CONFIG_NAMES for change in params.changes):
            await _config_changed(server)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        if await server.settings.refresh(params.settings):
            log.info("settings changed: revalidating %d open document(s)", len(server.documents))
            server.diagnostics.revalidate_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(params: types.DidChangeWorkspaceFoldersParams) -> None:
        await server.settings.refresh()
        server.diagnostics.revalidate_all()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.diagnostics.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.diagnostics.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.workspace_reports.files_changed()
        if params.text_document.uri.rsplit("/", 1)[-1] in CONFIG_NAMES:  # clients that watch no files still save them
            await _config_changed(server)
            return
        server.diagnostics.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        server.diagnostics.close(params.text_document.uri)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: Any) -> None:
        server.close()

    for module in (code_actions, commands, graph, hover, completion, navigation, symbols, inlay_hints, code_lens):
        module.register(server)
    return server


def _terminated(server: WfServer, signum: int) -> None:
    """SIGTERM (or SIGHUP): remove what the server made (report folders, worker processes) and end at once."""
    try:
        server.close()
    finally:
        os._exit(128 + signum)


async def _config_changed(server: WfServer) -> None:
    """A settings file was created, changed or deleted: read them again, and revalidate if anything changed."""
    if await server.settings.reread_files():
        log.info("settings files changed: revalidating %d open document(s)", len(server.documents))
        server.diagnostics.revalidate_all()


async def _watch_config_files(server: WfServer) -> None:
    """Ask the client to report changes to settings files (when it can watch files for us)."""
    if not get_capability(server.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False):
        return
    watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
    options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
    registration = types.Registration(
        id="wf-lsp-config-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    try:
        await asyncio.wait_for(
            server.client_register_capability_async(types.RegistrationParams(registrations=[registration])), 10
        )
    except Exception as exc:  # a client that refuses still sends didSave for files it has open
        log.info("the client does not watch settings files for us (%s): they are re-read when saved in the editor", exc)


def serve(tcp: str | None = None, log_level: str = "INFO") -> None:
    """Run the server on stdio, or on TCP when given HOST:PORT; ending without a shutdown request exits with code 1."""
    memory.pin_mmap_threshold()
    server = build_server()
    server.log_handler = logs.setup(server, log_level)
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            signal.signal(signum, lambda signum, frame: _terminated(server, signum))
    try:
        if tcp:
            host, _, port = tcp.rpartition(":")
            server.serve_tcp(host or "127.0.0.1", int(port))
        else:
            server.start_io()  # returns on `exit` (pygls swallows its SystemExit) and when stdin closes
    finally:
        server.close()
    if server.exit_code:
        raise SystemExit(server.exit_code)
