"""`wf-lsp serve --tcp HOST:PORT`: the same server over a loopback socket."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.lsp.kit import BOOT, corpus_text
from tests.lsp.raw import RawServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_a_bad_frame_over_tcp_is_skipped_and_exit_is_clean(tmp_path: Path) -> None:
    """Before: over TCP pygls's own reader ran (no maxMessageBytes bound: a 2 GB Content-Length was waited for), and
    `exit` ended with a SystemExit traceback on stderr. TCP now reads frames as stdio does."""
    err = tmp_path / "stderr.txt"
    server = await RawServer(stderr=err).start_tcp(_free_port())
    try:
        server.write(b"Content-Length: 2000000000\r\n\r\n{}")  # over maxMessageBytes: skipped up to the next header
        init = await server.initialize(caps={})
        assert init["result"]["serverInfo"]["name"] == "wf-lsp"
        assert await server.shutdown_and_exit(20) == 0
    finally:
        await server.stop()
    logged = err.read_text(errors="replace")
    assert "maxMessageBytes" in logged and "Traceback" not in logged, logged


@pytest.mark.asyncio
async def test_serve_over_tcp(tmp_path: Path) -> None:
    server = await RawServer(stderr=tmp_path / "stderr.txt").start_tcp(_free_port())
    try:
        init = await server.initialize(caps={})
        assert init["result"]["serverInfo"]["name"] == "wf-lsp"
        assert init["result"]["capabilities"]["textDocumentSync"]["change"] == 2  # incremental
        text = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')
        uri = "file:///tcp/dup.json"
        server.open(uri, text)
        await server.drain()
        published = await server.until(lambda: server.publishes(uri), what="diagnostics over TCP")
        assert "DUPLICATE_NODE_NAME" in {d["code"] for d in published[0]["diagnostics"]}
        assert await server.shutdown_and_exit(20) == 0
        await server.until(lambda: server.closed.is_set(), what="the server to close the connection")
    finally:
        await server.stop()
