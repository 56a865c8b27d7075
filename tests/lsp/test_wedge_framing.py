"""Frames the client gets wrong, against the real server over stdio: a Content-Length that is negative, not a number,
absurdly large or over maxMessageBytes is logged as an error, skipped to the next header, and the server keeps
serving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lsp.kit import BOOT, corpus_text
from tests.lsp.raw import RawServer, frame, utf16_position

pytestmark = pytest.mark.asyncio
TEXT = corpus_text(BOOT)
POSITION = utf16_position(TEXT, TEXT.index('"config.load"') + 3)
BODY = json.dumps({"jsonrpc": "2.0", "id": "lost", "method": "textDocument/hover", "params": {}}).encode()


async def _session(tmp_path: Path, options: dict[str, object] | None = None) -> tuple[RawServer, str]:
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    await server.initialize([tmp_path], options=options)
    uri = (tmp_path / "probe.json").as_uri()
    server.open(uri, TEXT)
    await server.drain()
    return server, uri


async def _hover_answered(server: RawServer, uri: str) -> None:
    answer = await server.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": POSITION}, timeout=10)
    assert "config.load" in answer["result"]["contents"]["value"], answer


@pytest.mark.parametrize(
    ("header", "logged"),
    [
        (b"Content-Length: -5\r\n\r\n", "'-5' is not a non-negative whole number"),
        (b"Content-Length: twelve\r\n\r\n", "'twelve' is not a non-negative whole number"),
        (b"Content-Length: 1e3\r\n\r\n", "'1e3' is not a non-negative whole number"),
        (b"Content-Length: 100000000000\r\n\r\n", "over the maximum message size"),
        (b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n", "over the maximum message size"),
    ],
    ids=["negative", "not a number", "exponent", "10^11", "5000 digits"],
)
async def test_a_bad_content_length_is_skipped_and_the_next_message_answered(
    tmp_path: Path, header: bytes, logged: str
) -> None:
    """Before: the stream stayed out of step (every later message lost: the hover timed out); 10^11 was a
    MemoryError."""
    server, uri = await _session(tmp_path)
    try:
        since = len(server.received)
        server.write(header + BODY)  # the body of the bad frame follows, without a newline, as clients send it
        await _hover_answered(server, uri)
        await _hover_answered(server, uri)
        errors = [m for m in server.logs(since) if "Content-Length" in m]
        assert any(logged in m for m in errors), server.logs(since)
        assert not any(m.get("id") == "lost" for m in server.received), (
            "the skipped frame's body must not be read as a message"
        )
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def test_a_frame_over_max_message_bytes_is_skipped_whole(tmp_path: Path) -> None:
    """A real frame bigger than maxMessageBytes is never read into memory: skipped, logged, the next one answered."""
    server, uri = await _session(tmp_path, {"debounceMs": 20, "maxMessageBytes": 4096})
    try:
        await _hover_answered(server, uri)
        since = len(server.received)
        big = json.dumps(
            {"jsonrpc": "2.0", "id": "big", "method": "textDocument/hover", "params": {"pad": "x" * 200_000}}
        ).encode()
        server.write(frame(big))
        await _hover_answered(server, uri)
        assert any("over the maximum message size (4096 bytes" in m for m in server.logs(since)), server.logs(since)
        assert not any(m.get("id") == "big" for m in server.received)
        small = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": "small",
                "method": "textDocument/hover",
                "params": {"textDocument": {"uri": uri}, "position": POSITION},
            }
        )
        server.write(frame(small.encode()))
        answer = await server.until(
            lambda: next((m for m in server.received if m.get("id") == "small"), None),
            timeout=10,
            what="the small frame's answer",
        )
        assert "config.load" in answer["result"]["contents"]["value"]
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def test_a_header_line_without_end_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    """Megabytes of header garbage without a newline: read in pieces and skipped (no line grows without bound)."""
    server, uri = await _session(tmp_path)
    try:
        since = len(server.received)
        server.write(b"X-Junk: " + b"a" * 3_000_000)
        server.write(frame(json.dumps({"jsonrpc": "2.0", "id": "after", "method": "shutdown"}).encode()))
        await server.drain()
        answer = await server.until(
            lambda: next((m for m in server.received if m.get("id") == "after"), None),
            timeout=10,
            what="the answer after the junk",
        )
        assert answer["result"] is None
        assert any("header line is over" in m for m in server.logs(since)), server.logs(since)
        server.notify("exit")
        await server.drain()
        assert await server.wait_exit(10) == 0
    finally:
        await server.stop()
