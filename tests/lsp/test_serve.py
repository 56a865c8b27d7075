"""`wf-lsp serve --tcp HOST:PORT`: the same server over a loopback socket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sys
from typing import Any

import pytest

from tests.lsp.kit import BOOT, corpus_text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    await writer.drain()


async def _read(reader: asyncio.StreamReader) -> dict[str, Any]:
    header = await reader.readuntil(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length"))
    return json.loads(await reader.readexactly(length))  # type: ignore[no-any-return]


async def _until(reader: asyncio.StreamReader, accept: Any) -> dict[str, Any]:
    while True:
        message = await asyncio.wait_for(_read(reader), 20)
        if accept(message):
            return message


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    for _ in range(200):
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
    pytest.fail("the server did not listen")


async def _shutdown_and_exit(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, proc: asyncio.subprocess.Process) -> None:
    """shutdown, exit: the server ends with code 0 and closes the connection."""
    await _send(writer, {"id": 2, "method": "shutdown"})
    await _until(reader, lambda m: m.get("id") == 2)
    await _send(writer, {"method": "exit"})
    assert await asyncio.wait_for(proc.wait(), 20) == 0
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()


@pytest.mark.asyncio
async def test_a_bad_frame_over_tcp_is_skipped_and_exit_is_clean(tmp_path: Any) -> None:
    """Before: over TCP pygls's own reader ran (no maxMessageBytes bound: a 2 GB Content-Length was waited for), and
    `exit` ended with a SystemExit traceback on stderr. TCP now reads frames as stdio does."""
    port = _free_port()
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as stderr:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "wf_lsp", "serve", "--tcp", f"127.0.0.1:{port}", stderr=stderr)
    try:
        reader, writer = await _connect(port)
        writer.write(b"Content-Length: 2000000000\r\n\r\n{}")  # over maxMessageBytes: skipped up to the next header
        await _send(writer, {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        init = await _until(reader, lambda m: m.get("id") == 1)
        assert init["result"]["serverInfo"]["name"] == "wf-lsp"
        await _send(writer, {"method": "initialized", "params": {}})
        await _shutdown_and_exit(reader, writer, proc)
        logged = err.read_text(errors="replace")
        assert "maxMessageBytes" in logged and "Traceback" not in logged, logged
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.asyncio
async def test_serve_over_tcp() -> None:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "wf_lsp", "serve", "--tcp", f"127.0.0.1:{port}", stderr=asyncio.subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("the server did not listen")
        await _send(writer, {"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        init = await _until(reader, lambda m: m.get("id") == 1)
        assert init["result"]["serverInfo"]["name"] == "wf-lsp"
        assert init["result"]["capabilities"]["textDocumentSync"]["change"] == 2  # incremental
        await _send(writer, {"method": "initialized", "params": {}})
        text = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')
        uri = "file:///tcp/dup.json"
        await _send(writer, {"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}})
        published = await _until(reader, lambda m: m.get("method") == "textDocument/publishDiagnostics")
        assert "DUPLICATE_NODE_NAME" in {d["code"] for d in published["params"]["diagnostics"]}
        await _shutdown_and_exit(reader, writer, proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
