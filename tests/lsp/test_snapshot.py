"""One analysis per document version: the server reads a version's text once for every editor feature and command."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.lsp.kit import APPROVAL, corpus_text
from tests.lsp.raw import utf16_position
from wf_lsp.core.settings import Settings
from wf_lsp.lsp.server import build_server
from wf_lsp.lsp.snapshot import DocumentSnapshot


class _Client:
    """Drives the real server object in this process with real JSON-RPC messages, and reads what it writes."""

    def __init__(self) -> None:
        self.server = build_server()
        self.data = b""
        self.server.protocol.set_writer(self)
        self._next = 0

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass

    def messages(self) -> list[dict[str, Any]]:
        out = []
        for frame in self.data.split(b"Content-Length: ")[1:]:
            out.append(json.loads(frame.split(b"\r\n\r\n", 1)[1]))
        return out

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.server.protocol.handle_message({"jsonrpc": "2.0", "method": method, "params": params})

    async def until(self, test: Any, what: str, timeout: float = 60) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages() if test(m)]
            if found:
                return found[-1]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no {what} within {timeout} s")

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        self._next += 1
        msg_id = self._next
        self.server.protocol.handle_message({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        answer = await self.until(lambda m: m.get("id") == msg_id and "method" not in m, f"answer to {method}")
        assert "error" not in answer, answer
        return answer["result"]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the server process decodes a document's text as JSON (validation runs in worker processes)."""
    counts: dict[str, int] = {}

    def counting(real: Any) -> Any:
        def loads(data: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(data, str | bytes) and len(data) > 1000:  # a document, not a protocol message's part
                key = data if isinstance(data, str) else data.decode("utf-8", "replace")
                counts[key] = counts.get(key, 0) + 1
            return real(data, *args, **kwargs)

        return loads

    monkeypatch.setattr(json, "loads", counting(json.loads))
    monkeypatch.setattr(orjson, "loads", counting(orjson.loads))
    return counts


async def _every_feature(client: _Client, uri: str, text: str) -> None:
    doc = {"uri": uri}
    position = utf16_position(text, text.index('"validate-request"', text.index('"connections"')) + 3)  # a reference
    assert await client.call("textDocument/hover", {"textDocument": doc, "position": position})
    assert await client.call("textDocument/documentSymbol", {"textDocument": doc})
    assert await client.call("textDocument/codeLens", {"textDocument": doc})
    whole = {"start": {"line": 0, "character": 0}, "end": utf16_position(text, len(text))}
    await client.call("textDocument/inlayHint", {"textDocument": doc, "range": whole})
    assert await client.call("textDocument/definition", {"textDocument": doc, "position": position}) is not None
    plan = await client.call("workspace/executeCommand", {"command": "wf.executionPlan", "arguments": [uri]})
    assert plan["valid"] and plan["levels"], plan
    graph = await client.call("workspace/executeCommand", {"command": "wf.graph", "arguments": [uri]})
    assert graph["graph"]["nodes"] and graph["mermaid"], graph


async def _session(tmp_path: Path, reads: dict[str, int]) -> None:
    client = _Client()
    try:
        await client.call("initialize", {"capabilities": {}, "processId": None, "rootUri": tmp_path.as_uri()})
        client.notify("initialized", {})
        uri = (tmp_path / "approval.json").as_uri()
        text = corpus_text(APPROVAL)
        item = {"uri": uri, "languageId": "json", "version": 1, "text": text}
        client.notify("textDocument/didOpen", {"textDocument": item})
        published = "textDocument/publishDiagnostics"
        await client.until(lambda m: m.get("method") == published and m["params"]["version"] == 1, "diagnostics")
        await _every_feature(client, uri, text)
        await _every_feature(client, uri, text)  # asked again: nothing is read again
        assert reads.get(text) == 1, f"version 1 was decoded {reads.get(text, 0)} times"
        text2 = text + "\n"
        edit = {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text2}]}
        client.notify("textDocument/didChange", edit)
        await _every_feature(client, uri, text2)
        await _every_feature(client, uri, text2)
        assert reads.get(text2) == 1, f"version 2 was decoded {reads.get(text2, 0)} times"
    finally:
        client.server.close()


def test_one_read_of_the_text_per_document_version(tmp_path: Path, reads: dict[str, int]) -> None:
    asyncio.run(_session(tmp_path, reads))


def test_a_snapshot_is_shared_by_a_version_and_replaced_by_the_next() -> None:
    settings = Settings()
    snap = DocumentSnapshot('{"nodes": [{"id": "a", "name": "A"}], "connections": {}}', 1, settings, "utf-16")
    assert not snap.parsed
    assert snap.graph is snap.graph and snap.plan is snap.plan and snap.parsed
    assert snap.matches(snap.text, 1, settings, "utf-16")
    assert not snap.matches(snap.text, 2, settings, "utf-16")
    assert not snap.matches(snap.text, 1, settings.with_(profile="oracle"), "utf-16")
    assert not snap.matches(snap.text, 1, settings, "utf-8")
    assert not snap.matches(str(snap.text + " ")[:-1], 1, settings, "utf-16"), "texts are compared by identity"
    oracle = settings.with_(profile="oracle", connection_keys="id")
    assert DocumentSnapshot("{}", 1, oracle, "utf-16").key_mode == "name"


async def _settings_change(tmp_path: Path) -> None:
    client = _Client()
    try:
        options = {"connectionKeys": "name"}
        await client.call("initialize", {"capabilities": {}, "processId": None, "initializationOptions": options})
        client.notify("initialized", {})
        uri = (tmp_path / "approval.json").as_uri()
        text = corpus_text(APPROVAL)  # connections keyed by node id
        item = {"uri": uri, "languageId": "json", "version": 1, "text": text}
        client.notify("textDocument/didOpen", {"textDocument": item})
        position = utf16_position(text, text.index('"validate-request"', text.index('"connections"')) + 3)
        where = {"textDocument": {"uri": uri}, "position": position}
        assert not await client.call("textDocument/definition", where), "an id key resolved under connectionKeys name"
        client.notify("workspace/didChangeConfiguration", {"settings": {"connectionKeys": "id"}})
        deadline = time.monotonic() + 20
        while not await client.call("textDocument/definition", where):
            assert time.monotonic() < deadline, "the same version kept the key mode of the settings before the change"
            await asyncio.sleep(0.05)
    finally:
        client.server.close()


def test_a_settings_change_gives_the_same_version_a_new_snapshot(tmp_path: Path) -> None:
    asyncio.run(_settings_change(tmp_path))
