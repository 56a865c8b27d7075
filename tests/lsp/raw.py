"""The one raw JSON-RPC client of the tests and the benchmark, over a server's stdio or a TCP socket: it can send
anything (malformed frames, invalid messages, cancellations by id), never waits unless asked, and records every message
the server sends with the time it arrived."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types as t
from pygls.protocol import default_converter
from pytest_lsp import client_capabilities

from tests.lsp.kit import SERVER, TIMEOUT
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import documents
from wf_lsp.lsp.convert import DiagnosticStyle, to_diagnostics

Message = dict[str, Any]


def capabilities(name: str = "visual-studio-code") -> dict[str, Any]:
    """A recorded editor's client capabilities as JSON (VS Code's recording: push diagnostics, UTF-16)."""
    return default_converter().unstructure(client_capabilities(name))  # type: ignore[no-untyped-call,no-any-return]


def utf16_position(text: str, offset: int) -> dict[str, int]:
    """The LSP position (UTF-16 columns) of a code-point offset."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": len(text[start:offset].encode("utf-16-le")) // 2}


class Expected:
    """What the server should publish for a text: a fresh core validation (WorkflowLoader with the same settings),
    converted for the client the way diagnostics are (UTF-16 ranges, the recorded editor's capabilities)."""

    def __init__(self, client: str = "visual-studio-code") -> None:
        self._style = DiagnosticStyle.of(client_capabilities(client))
        self._converter = default_converter()  # type: ignore[no-untyped-call]
        self._loaders: dict[str, WorkflowLoader] = {}

    def loader(self, settings: Settings) -> WorkflowLoader:
        key = repr(settings)
        if key not in self._loaders:
            self._loaders[key] = WorkflowLoader(settings)
        return self._loaders[key]

    def diagnostics(
        self, uri: str, text: str, version: int | None, settings: Settings | None = None
    ) -> list[dict[str, Any]]:
        """The diagnostics of a document that has been seen as a workflow (a broken one keeps them), as JSON."""
        settings = settings or Settings()
        path = documents.uri_to_path(uri)
        result = self.loader(settings).validate_text(text, path)
        chosen = documents.selection(uri, "json", settings)
        if (
            chosen is False
            or (chosen is None and not documents.has_markers(text))
            or not documents.is_workflow(chosen, result, True)
        ):
            return []
        diags = to_diagnostics(result, text, uri, version, t.PositionEncodingKind.Utf16.value, self._style)
        return self._converter.unstructure(diags, list[t.Diagnostic])  # type: ignore[no-any-return]


def frame(body: bytes) -> bytes:
    """A body with its Content-Length header."""
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """One server process (`wf-lsp serve` unless told otherwise) and a client that speaks to it byte by byte."""

    def __init__(
        self,
        configuration: Callable[[dict[str, Any]], Any] | None = None,
        stderr: Path | None = None,
        command: list[str] | None = None,
    ) -> None:
        #: Answers workspace/configuration items (None: an empty object per item).
        self.configuration = configuration or (lambda item: {})
        self.stderr_path = stderr
        #: The server command (None: SERVER, looked up when the process starts).
        self.command = command
        #: Whole results to answer server requests with, by method (instead of the editor-like answers below).
        self.answers: dict[str, Any] = {}
        self.proc: asyncio.subprocess.Process | None = None
        self.received: list[Message] = []
        #: time.perf_counter() when each message in `received` had been read (before it was decoded)
        self.arrived: list[float] = []
        #: time.perf_counter() just before the last message was written (after it was encoded)
        self.sent_at = 0.0
        self._out: asyncio.StreamReader | None = None
        self._in: asyncio.StreamWriter | None = None
        self._pending: dict[int | str, asyncio.Future[Message]] = {}
        self._ids = itertools.count(1)
        self._reader: asyncio.Task[None] | None = None
        self._stderr: Any = None
        self._changed = asyncio.Event()
        self.closed = asyncio.Event()

    # -- process ------------------------------------------------------------------------------
    async def start(self) -> RawServer:
        """Start the server and speak to it over its stdin and stdout."""
        self.proc = await self._spawn([], stdio=True)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        return self._attach(self.proc.stdout, self.proc.stdin)

    async def start_tcp(self, port: int, timeout: float = 10.0) -> RawServer:
        """Start the server with `--tcp 127.0.0.1:PORT` and speak to it over that socket."""
        self.proc = await self._spawn(["--tcp", f"127.0.0.1:{port}"], stdio=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 26)
                return self._attach(reader, writer)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def _spawn(self, extra: list[str], stdio: bool) -> asyncio.subprocess.Process:
        self._stderr = open(self.stderr_path, "ab") if self.stderr_path else asyncio.subprocess.DEVNULL  # noqa: SIM115 (closed in stop())
        env = {k: v for k, v in os.environ.items() if k != "WF_LSP_REDIS_URL"}
        pipe = asyncio.subprocess.PIPE if stdio else asyncio.subprocess.DEVNULL
        command = (SERVER if self.command is None else self.command) + extra
        return await asyncio.create_subprocess_exec(
            *command,
            stdin=pipe,
            stdout=pipe,
            stderr=self._stderr,
            env=env,
            limit=1 << 26,
        )

    def _attach(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> RawServer:
        self._out, self._in = reader, writer
        self._reader = asyncio.create_task(self._read_loop())
        return self

    async def stop(self) -> int | None:
        """Kill the process if it still runs (tests end it properly first); returns its exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.kill()
        code = await self.proc.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)
        if self._in is not None and not self._in.is_closing():
            self._in.close()
        if self._stderr not in (None, asyncio.subprocess.DEVNULL):
            self._stderr.close()
        return code

    async def wait_exit(self, timeout: float = 5.0) -> int:
        """The exit code, waiting at most `timeout` seconds for the process to end."""
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    def close_stdin(self) -> None:
        """The client goes away: its end of the pipe closes, nothing more is said."""
        assert self._in is not None
        self._in.close()

    # -- writing ------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        """Raw bytes, framed or not."""
        assert self._in is not None
        self.sent_at = time.perf_counter()
        self._in.write(data)

    async def drain(self) -> None:
        assert self._in is not None
        await self._in.drain()

    def send(self, message: Message) -> None:
        """A message as given (no "jsonrpc" added), framed."""
        self.write(frame(json.dumps(message).encode()))

    def notify(self, method: str, params: Any = None) -> None:
        message: Message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def request(
        self, method: str, params: Any = None, msg_id: int | str | None = None
    ) -> tuple[int | str, asyncio.Future[Message]]:
        """Send a request without waiting; returns its id and a future for the whole response message."""
        msg_id = next(self._ids) if msg_id is None else msg_id
        fut: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = fut
        message: Message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return msg_id, fut

    async def call(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> Message:
        """Send a request and wait for its response message."""
        _, fut = self.request(method, params)
        await self.drain()
        return await asyncio.wait_for(fut, timeout)

    def expect(self, msg_id: int | str) -> asyncio.Future[Message]:
        """A future for the response to an id sent by hand (with `send`)."""
        fut: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = fut
        return fut

    def cancel(self, msg_id: int | str) -> None:
        self.notify("$/cancelRequest", {"id": msg_id})

    # -- the session --------------------------------------------------------------------------
    async def initialize(
        self,
        folders: list[Path] | None = None,
        options: Any = None,
        caps: dict[str, Any] | None = None,
        client: str = "visual-studio-code",
    ) -> Message:
        folders = folders or []
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "raw-test-client"},
            "rootUri": folders[0].as_uri() if folders else None,
            "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in folders] or None,
            "capabilities": caps if caps is not None else capabilities(client),
            "initializationOptions": options if options is not None else {"debounceMs": 20},
        }
        answer = await self.call("initialize", params)
        assert "result" in answer, answer
        self.notify("initialized", {})
        await self.drain()
        return answer

    async def shutdown_and_exit(self, timeout: float = 10.0) -> int:
        answer = await self.call("shutdown")
        assert "result" in answer and answer["result"] is None, answer
        self.notify("exit")
        await self.drain()
        return await self.wait_exit(timeout)

    def open(self, uri: str, text: str, version: int = 1, language: str = "json") -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}},
        )

    def change(self, uri: str, version: int, changes: list[dict[str, Any]]) -> None:
        self.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
        )

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    # -- reading ------------------------------------------------------------------------------
    def notifications(self, method: str, since: int = 0) -> list[Message]:
        return [m for m in self.received[since:] if m.get("method") == method and "id" not in m]

    def publishes(self, uri: str | None = None, since: int = 0) -> list[Message]:
        return [
            m["params"]
            for m in self.notifications("textDocument/publishDiagnostics", since)
            if uri is None or m["params"]["uri"] == uri
        ]

    def logs(self, since: int = 0) -> list[str]:
        return [m["params"]["message"] for m in self.notifications("window/logMessage", since)]

    def shown(self, since: int = 0) -> list[Message]:
        return [m["params"] for m in self.notifications("window/showMessage", since)]

    async def until(self, accept: Callable[[], Any], timeout: float = TIMEOUT, what: str = "a condition") -> Any:
        """Wait until accept() is truthy (checked after every message received); returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = accept()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(
                    f"timed out waiting for {what}; last messages: "
                    f"{[m.get('method', m.get('id')) for m in self.received[-8:]]}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))

    async def _read_loop(self) -> None:
        assert self._out is not None
        out = self._out
        try:
            while True:
                header = await out.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in header.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await out.readexactly(length)
                self.arrived.append(time.perf_counter())
                self._dispatch(json.loads(body))
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass
        finally:
            self.closed.set()
            self._changed.set()
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("the server closed its output"))

    def _dispatch(self, message: Message) -> None:
        self.received.append(message)
        self._changed.set()
        if "method" not in message:  # a response to us
            fut = self._pending.pop(message.get("id"), None)  # type: ignore[arg-type]
            if fut is not None and not fut.done():
                fut.set_result(message)
            return
        if "id" in message:  # a request from the server: answer it as an editor would
            method = message["method"]
            result: Any = None
            if method in self.answers:
                result = self.answers[method]
            elif method == "workspace/configuration":
                result = [self.configuration(item) for item in message.get("params", {}).get("items", [])]
            elif method == "window/showDocument":
                result = {"success": True}
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
