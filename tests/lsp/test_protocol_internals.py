"""The pygls internals the protocol relies on are there and listed, and document sync reaches our own store."""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import textwrap
from typing import Any

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol

from wf_lsp.lsp import protocol
from wf_lsp.lsp.protocol import PYGLS_INTERNALS, WfProtocol
from wf_lsp.lsp.server import WfServer

SYNC = {
    "lsp_text_document__did_open": types.TEXT_DOCUMENT_DID_OPEN,
    "lsp_text_document__did_change": types.TEXT_DOCUMENT_DID_CHANGE,
    "lsp_text_document__did_close": types.TEXT_DOCUMENT_DID_CLOSE,
}


class _Writer:
    """Collects what the protocol writes (pygls's writer interface: write and close)."""

    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass


def _private_names_used(cls: type) -> set[str]:
    """`self._name` and `self.fm` the class reads but does not define itself."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    attrs = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)]
    used = {n.attr for n in attrs if isinstance(n.value, ast.Name) and n.value.id == "self"}
    own = set(vars(cls))
    for node in ast.walk(tree):  # attributes the class assigns (in __init__)
        if isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Attribute):
                    own.add(target.attr)
    return {n for n in used - own if n.startswith("_") or n == "fm"}


def test_the_list_of_pygls_internals_is_complete() -> None:
    assert _private_names_used(WfProtocol) <= set(PYGLS_INTERNALS), "a pygls internal the protocol uses is not listed"


def test_every_listed_pygls_internal_is_there() -> None:
    proto = WfServer().protocol
    missing = [name for name in PYGLS_INTERNALS if not hasattr(proto, name)]
    assert not missing, f"pygls no longer has {missing}: see PYGLS_INTERNALS in {protocol.__file__}"
    assert isinstance(proto.fm.features, dict) and isinstance(proto.fm.builtin_features, dict)


def test_our_document_sync_replaces_pygls_own() -> None:
    for name, method in SYNC.items():
        theirs = getattr(LanguageServerProtocol, name, None)
        assert getattr(theirs, "method_name", None) == method, f"pygls's {name} is gone or renamed"
        handler = WfServer().protocol.fm.builtin_features[method]
        assert handler.__func__ is getattr(WfProtocol, name), f"{method} is not handled by WfProtocol.{name}"


def _message(method: str, params: dict[str, Any], msg_id: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is not None:
        out["id"] = msg_id
    return out


def test_document_sync_edits_our_store_and_calls_the_server_handlers() -> None:
    server = WfServer()
    proto = server.protocol
    writer = _Writer()
    proto.set_writer(writer)
    heard: list[str] = []
    for method in SYNC.values():
        server.feature(method)(lambda params, method=method: heard.append(method))
    uri = "file:///w/a.json"
    change = {"range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 1}}, "text": '"x": 1'}

    async def run() -> None:
        proto.handle_message(_message(types.INITIALIZE, {"capabilities": {}, "processId": None}, 1))
        await asyncio.sleep(0)
        item = {"uri": uri, "languageId": "json", "version": 1, "text": "{}"}
        proto.handle_message(_message(types.TEXT_DOCUMENT_DID_OPEN, {"textDocument": item}))
        await asyncio.sleep(0)
        doc = server.documents.get(uri)
        assert doc is not None and doc.text == "{}" and doc.version == 1
        edit = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]}
        proto.handle_message(_message(types.TEXT_DOCUMENT_DID_CHANGE, edit))
        await asyncio.sleep(0)
        assert doc.text == '{"x": 1}' and doc.version == 2
        assert uri not in server.workspace.text_documents, "pygls's own document store was updated: its sync ran"
        proto.handle_message(_message(types.TEXT_DOCUMENT_DID_CLOSE, {"textDocument": {"uri": uri}}))
        await asyncio.sleep(0)
        assert server.documents.get(uri) is None

    try:
        asyncio.run(run())
    finally:
        server.close()
    assert heard == list(SYNC.values())
    assert b'"id": 1' in writer.data or b'"id":1' in writer.data, writer.data[:200]
    assert json.loads(writer.data.split(b"\r\n\r\n", 1)[1].split(b"Content-Length")[0])["result"]["capabilities"]


def _frames(data: bytes) -> list[tuple[bytes, Any]]:
    """(header, parsed body) of each message a writer received, read by the Content-Length it declares in bytes."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        out.append((head, json.loads(rest[:length].decode("utf-8"))))
        data = rest[length:]
    return out


def test_a_message_written_off_the_loop_is_framed_as_pygls_frames_its_own() -> None:
    """publishDiagnostics is written to UTF-8 JSON in the validation thread; the frame must be pygls's, its length in
    bytes (non-ASCII is written raw there, escaped by pygls's json)."""
    from wf_lsp.lsp.validation import _publish_message

    payload = [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 2}}, "message": "é 😀 ✓"}
    ]
    body = _publish_message("file:///w/é.json", 3, payload)
    assert body is not None and "é 😀".encode() in body
    proto = WfServer().protocol
    writer = _Writer()
    proto.set_writer(writer)
    proto.send_encoded(body)
    proto.notify_json(
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, {"uri": "file:///w/é.json", "version": 3, "diagnostics": payload}
    )
    (ours_head, ours), (theirs_head, theirs) = _frames(writer.data)
    assert ours == theirs and ours["params"]["diagnostics"][0]["message"] == "é 😀 ✓"
    assert ours_head.split(b"\r\n")[1:] == theirs_head.split(b"\r\n")[1:]  # the same Content-Type


def test_text_orjson_cannot_write_is_left_to_the_event_loops_json() -> None:
    from wf_lsp.lsp.validation import _publish_message

    assert _publish_message("file:///w.json", 1, [{"message": "lone \ud800 surrogate"}]) is None
