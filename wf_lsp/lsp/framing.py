"""Reading the client's JSON-RPC frames: bounded in size, and back in step after any bad header."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

import orjson
from pygls.exceptions import JsonRpcException
from pygls.protocol import JsonRPCProtocol

log = logging.getLogger("wf_lsp.lsp.framing")

#: Longest header line read at once; a longer line (or a body skipped after a bad header) is read in pieces this big.
LINE_LIMIT = 64 * 1024
_HEADER = b"content-length:"
#: Bytes kept from the end of a skipped piece, so a header split between two pieces is still found.
_TAIL = len(_HEADER) - 1


def parse_length(value: bytes, limit: int) -> int | str:
    """The body length a Content-Length value gives, or why it is unusable."""
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        return f"Content-Length {_show(text)} is not a non-negative whole number"
    if len(text) > 20 or int(text) > limit:
        return f"Content-Length {_show(text)} is over the maximum message size ({limit} bytes, setting maxMessageBytes)"
    return int(text)


#: orjson reads an integer literal past 64 bits as a float this large or larger (json: the exact int)
_WIDE = float(2**63)


def decode(body: bytes) -> Any:
    """A message body's JSON value, exactly json.loads's: orjson reads it (a full-text change of a 6 MB document in
    17 ms, json in 41), json what orjson refuses or reads otherwise (lone surrogate escapes, NaN, 1E400, a BOM,
    integers past 64 bits, deep nesting), with json's errors."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)
    values = [value]
    while values:  # the message's structure (a document's text is one string): a few values
        v = values.pop()
        if type(v) is dict:
            values.extend(v.values())
        elif type(v) is list:
            values.extend(v)
        elif type(v) is float and not -_WIDE < v < _WIDE:
            return json.loads(body)
    return value


def _show(value: bytes) -> str:
    shown = value[:40].decode("ascii", "backslashreplace")
    return repr(shown + ("…" if len(value) > 40 else ""))


async def read_messages(
    stop: threading.Event,
    stdin: BinaryIO,
    executor: ThreadPoolExecutor,
    protocol: JsonRPCProtocol,
    max_bytes: Callable[[], int],
    on_error: Callable[[Exception, type[JsonRpcException]], Any],
) -> None:
    """Read framed messages until end of input and hand each to the protocol (pygls's reader loop, bounded). Each is
    handed over as JSON values, every object as parsed (what WfProtocol.structure_message keeps as its object hook).

    A frame whose Content-Length is missing a number, negative, or over `max_bytes()` is logged as an error and
    skipped: the stream is read in bounded pieces up to the next `Content-Length:` header, which starts a new frame."""
    loop = asyncio.get_running_loop()
    length: int | None = None
    skipping = False
    tail = b""
    while not stop.is_set():
        line: bytes = await loop.run_in_executor(executor, stdin.readline, LINE_LIMIT)
        if not line:
            break
        if skipping:
            seen = tail + line
            at = seen.lower().find(_HEADER)
            if at < 0:
                tail = seen[-_TAIL:]
                continue
            skipping, tail, line = False, b"", seen[at:]
            if not line.endswith(b"\n"):  # the header was cut where the piece ended
                line += await loop.run_in_executor(executor, stdin.readline, LINE_LIMIT)
            log.info("back in step: a new message header follows")
        if not line.endswith(b"\n"):  # a header line longer than any real one: what follows cannot be trusted
            log.error("a message header line is over %d bytes: skipped to the next Content-Length header", LINE_LIMIT)
            skipping, tail, length = True, line[-_TAIL:], None
            continue
        stripped = line.strip()
        if not stripped:  # the blank line that ends the headers
            if length is None:
                continue  # a stray blank line between messages
            body: bytes = await loop.run_in_executor(executor, stdin.read, length) if length else b""
            if len(body) < length:
                break  # the input ended inside the body
            length = None
            try:
                message = decode(body)
                protocol.handle_message(message)
            except Exception as exc:
                log.debug("unable to handle a message", exc_info=True)
                on_error(exc, JsonRpcException)
            continue
        name, _, value = stripped.partition(b":")
        if name.strip().lower() != b"content-length":
            continue  # Content-Type, or another header nobody needs
        parsed = parse_length(value, max_bytes())
        if isinstance(parsed, str):
            log.error("invalid message header: %s; skipped to the next Content-Length header", parsed)
            skipping, tail, length = True, b"", None
            continue
        length = parsed
