"""Protocol faults against the real server over stdio, written byte by byte: malformed and invalid messages, unknown
methods, wrong parameter types, edits that make no sense; the client dying; shutdown and exit in and out of order; and
settings that are wrong in every way. The server answers as JSON-RPC and LSP say, logs what it saw, and keeps
serving."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.lsp.kit import APPROVAL, BOOT, PROFILE, VARIABLES, corpus_text
from tests.lsp.raw import Expected, RawServer, frame, utf16_position
from wf_lsp.core.settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
DUP = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')
SECRET = "hunter2-never-logged"
SECRET_TEXT = json.dumps({"nodes": [], "connections": {}, "credentials": {"password": SECRET}})
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, NOT_INITIALIZED = -32700, -32600, -32601, -32602, -32002


@dataclass
class Session:
    """A running server with one untouched document (for liveness hovers) and one that the cases edit."""

    server: RawServer
    folder: Path
    probe_uri: str
    probe_position: dict[str, int]
    edited_uri: str
    edited: list[Any]  # [text, version] as the client holds them


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Session]:
    folder = tmp_path_factory.mktemp("faults")
    server = await RawServer(configuration=lambda item: {"debounceMs": 20}, stderr=folder / "stderr.txt").start()
    await server.initialize([folder])
    probe, edited = (folder / "probe.json").as_uri(), (folder / "edited.json").as_uri()
    server.open(probe, DUP)
    server.open(edited, DUP)
    await server.drain()
    await server.until(lambda: server.publishes(probe) and server.publishes(edited), what="the first diagnostics")
    position = utf16_position(DUP, DUP.index('"config.load"') + 3)
    yield Session(server, folder, probe, position, edited, [DUP, 1])
    try:
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def _still_serving(s: Session) -> None:
    """A normal request still gets its normal answer."""
    answer = await s.server.call(
        "textDocument/hover", {"textDocument": {"uri": s.probe_uri}, "position": s.probe_position}, timeout=10
    )
    assert "config.load" in answer["result"]["contents"]["value"], answer


def _edit(s: Session, version: int, start: dict[str, int], end: dict[str, int], text: str) -> None:
    s.server.change(s.edited_uri, version, [{"range": {"start": start, "end": end}, "text": text}])


#: Sends one case's bytes; returns the id the server's answer must carry (None: null, or no answer at all).
Send = Callable[[Session], "int | str | None"]


def _raw(data: bytes) -> Send:
    def send(s: Session) -> None:
        s.server.write(data)

    return send


def _message(message: dict[str, Any]) -> Send:
    def send(s: Session) -> int | str | None:
        s.server.send(message)
        return message.get("id") if isinstance(message.get("id"), int | str) else None

    return send


def _never(s: Session) -> str:
    return (s.folder / "never.json").as_uri()


def _request(method: str, params: Any = None, omit_params: bool = False) -> Send:
    def send(s: Session) -> int | str:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": f"case-{method}-{time.monotonic_ns()}", "method": method}
        if not omit_params:
            message["params"] = params(s) if callable(params) else params
        s.server.send(message)
        return message["id"]  # type: ignore[no-any-return]

    return send


def _notify(method: str, params: Any) -> Send:
    def send(s: Session) -> None:
        s.server.notify(method, params(s) if callable(params) else params)

    return send


CASES: dict[str, tuple[Send, int | None, str | None]] = {
    # (sender, the error code of the expected response (None: none), a phrase the log must have (None: need not log))
    "invalid JSON": (_raw(frame(b'{"jsonrpc": "2.0", "id": 901, "method": ')), PARSE_ERROR, "not valid JSON"),
    "a body that is not UTF-8": (
        _raw(frame(b'{"jsonrpc": "2.0", "method": "\xff\xfe"}')),
        PARSE_ERROR,
        "not valid JSON",
    ),
    "no jsonrpc member": (
        _message({"id": 902, "method": "textDocument/hover", "params": {}}),
        INVALID_REQUEST,
        "invalid JSON-RPC message",
    ),
    "jsonrpc 1.0": (
        _message({"jsonrpc": "1.0", "id": 903, "method": "shutdown"}),
        INVALID_REQUEST,
        "invalid JSON-RPC message",
    ),
    "a batch (array)": (
        _raw(frame(b'[{"jsonrpc": "2.0", "id": 904, "method": "shutdown"}]')),
        INVALID_REQUEST,
        "not an object",
    ),
    "an id that is an object": (
        _message({"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}),
        INVALID_REQUEST,
        '"id" must be',
    ),
    "a method that is a number": (
        _message({"jsonrpc": "2.0", "id": 905, "method": 7}),
        INVALID_REQUEST,
        '"method" must be',
    ),
    "neither request nor response": (
        _message({"jsonrpc": "2.0", "params": {}}),
        INVALID_REQUEST,
        "no method and no id",
    ),
    "an unknown request": (_request("wf/noSuchMethod", {}), METHOD_NOT_FOUND, "unknown method 'wf/noSuchMethod'"),
    "an unknown $/ request": (_request("$/noSuchThing", {}), METHOD_NOT_FOUND, "unknown method '$/noSuchThing'"),
    "an unknown notification": (
        _notify("wf/noSuchNotification", {"x": 1}),
        None,
        "ignored notification 'wf/noSuchNotification'",
    ),
    "hover with wrong parameter types": (
        _request("textDocument/hover", {"textDocument": {"uri": 5}, "position": {"line": "three", "character": None}}),
        INVALID_PARAMS,
        "has invalid params",
    ),
    "hover without params": (_request("textDocument/hover", omit_params=True), INVALID_PARAMS, "has invalid params"),
    "hover with params that are a string": (
        _request("textDocument/hover", "here"),
        INVALID_REQUEST,
        '"params" must be',
    ),
    "didOpen without a document": (
        _notify("textDocument/didOpen", {"uri": "file:///x.json"}),
        None,
        "ignored notification 'textDocument/didOpen'",
    ),
    "didChange for a document never opened": (
        _notify(
            "textDocument/didChange",
            lambda s: {"textDocument": {"uri": _never(s), "version": 2}, "contentChanges": [{"text": "{}"}]},
        ),
        None,
        "not open (ignored)",
    ),
    "didClose for a document never opened": (
        _notify("textDocument/didClose", lambda s: {"textDocument": {"uri": _never(s)}}),
        None,
        "not open (ignored)",
    ),
    "didChange with changes that are not a list": (
        _notify(
            "textDocument/didChange",
            lambda s: {"textDocument": {"uri": s.probe_uri, "version": 99}, "contentChanges": SECRET_TEXT},
        ),
        None,
        "may now differ from the editor's",
    ),
    "a didOpen without jsonrpc (its text is not logged)": (
        _message(
            {
                "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": "file:///s.json", "languageId": "json", "text": SECRET_TEXT}},
            }
        ),
        INVALID_REQUEST,
        "members method, params",
    ),
    "a cancel for a request that does not exist": (_notify("$/cancelRequest", {"id": 424242}), None, None),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_malformed_input_is_answered_or_ignored_logged_and_survived(session: Session, case: str) -> None:
    send, code, phrase = CASES[case]
    server = session.server
    seen = len(server.received)
    msg_id = send(session)
    await server.drain()
    await _still_serving(
        session
    )  # the server keeps serving, and (messages being handled in order) has dealt with the case
    new = server.received[seen:]
    errors = [m for m in new if "error" in m and "method" not in m]
    if code is None:
        assert not errors, f"{case}: a notification was answered: {errors}"
    else:
        want_id = (
            msg_id
            if code in (METHOD_NOT_FOUND, INVALID_PARAMS) or (code == INVALID_REQUEST and msg_id is not None)
            else None
        )
        assert [(m["id"], m["error"]["code"]) for m in errors] == [(want_id, code)], f"{case}: {new}"
        assert server.proc is not None and server.proc.returncode is None
    logs = server.logs(seen)
    assert phrase is None or any(phrase in line for line in logs), f"{case}: nothing like {phrase!r} logged: {logs}"
    assert not any(SECRET in json.dumps(m) for m in new), f"{case}: the content of a message was echoed back"
    assert not server.shown(seen), f"{case}: a protocol fault popped up a message: {server.shown(seen)}"
    assert not server.publishes(_never(session)), "diagnostics for a document that was never opened"


async def _edited_diagnostics(s: Session, version: int) -> list[dict[str, Any]]:
    server = s.server
    await server.until(
        lambda: any(p.get("version") == version for p in server.publishes(s.edited_uri)),
        what=f"diagnostics of v{version}",
    )
    return next(p for p in reversed(server.publishes(s.edited_uri)) if p.get("version") == version)["diagnostics"]  # type: ignore[no-any-return]


def _offset(text: str, pos: dict[str, int]) -> int:
    """vscode-languageserver's TextDocument.offsetAt (ASCII text): past the last line is the end, past a line's end its
    end."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    if pos["line"] >= len(starts):
        return len(text)
    end = starts[pos["line"] + 1] - 1 if pos["line"] + 1 < len(starts) else len(text)
    return min(starts[pos["line"]] + pos["character"], end)


async def test_odd_edits_are_applied_as_editors_do_and_logged(session: Session) -> None:
    """An edit past the last line is clamped to the end and a range that ends before it starts is taken the other way
    round (as vscode-languageserver's TextDocument does); a version that goes backwards (even negative) is applied: the
    client's text is the truth. Each says so in the log, and the diagnostics are those of the text the client has."""
    server, expected = session.server, Expected()
    text, version = session.edited
    steps: list[tuple[int, Any, dict[str, int], str, str]] = [
        # (version, start, end, new text, log phrase)
        (version + 1, {"line": 9999, "character": 0}, {"line": 10000, "character": 5}, "\n", "past its last line"),
        (
            version + 2,
            "the last brace",
            {"line": 9999, "character": 0},
            "",
            "past its last line",
        ),  # the JSON is broken now
        (-3, {"line": 0, "character": 1}, {"line": 0, "character": 1}, " ", "not above"),
        (7, {"line": 4, "character": 6}, {"line": 3, "character": 0}, "\n", "ends before it starts"),
    ]
    for new_version, start, end, new, phrase in steps:
        if start == "the last brace":
            start = utf16_position(text, text.rindex("}"))
        seen = len(server.received)
        _edit(session, new_version, start, end, new)
        await server.drain()
        a, b = sorted((_offset(text, start), _offset(text, end)))
        text = text[:a] + new + text[b:]
        got = await _edited_diagnostics(session, new_version)
        assert got == expected.diagnostics(session.edited_uri, text, new_version), (
            f"v{new_version}: the server's text is not the client's"
        )
        assert any(phrase in line for line in server.logs(seen)), f"nothing like {phrase!r} logged: {server.logs(seen)}"
        await _still_serving(session)
    session.edited[:] = [text, 7]


async def test_a_response_the_server_cannot_read_does_not_hang_it(session: Session) -> None:
    """The client answers workspace/configuration with nonsense: the server logs it, keeps its settings and serves."""
    server = session.server
    seen = len(server.received)
    server.answers["workspace/configuration"] = 12  # a list was asked for
    try:
        server.notify("workspace/didChangeConfiguration", {"settings": None})
        await server.drain()
        # at once: the request fails instead of waiting for its 10 s timeout
        await server.until(
            lambda: any("could not read settings" in line for line in server.logs(seen)), timeout=5, what="a log line"
        )
        assert any("cannot be read" in line for line in server.logs(seen))
    finally:
        del server.answers["workspace/configuration"]
    await _still_serving(session)


# -- lifecycle -----------------------------------------------------------------------------------


async def _started(tmp_path: Path, initialize: bool = True) -> RawServer:
    server = await RawServer(configuration=lambda item: {"debounceMs": 20}, stderr=tmp_path / "stderr.txt").start()
    if initialize:
        await server.initialize([tmp_path])
    return server


async def test_the_client_dying_ends_the_server_promptly(tmp_path: Path) -> None:
    """stdin closes with no shutdown and no exit, in the middle of work: the process ends within 5 s, with code 1."""
    server = await _started(tmp_path)
    try:
        uri = (tmp_path / "dying.json").as_uri()
        server.open(uri, DUP)
        at = utf16_position(DUP, DUP.rindex('"Load Config"') + 1)  # typing into the duplicate name
        for version in range(2, 200):  # edits still being validated, and requests in flight
            server.change(uri, version, [{"range": {"start": at, "end": at}, "text": "x"}])
            if version % 20 == 0:
                server.request(
                    "textDocument/codeAction",
                    {"textDocument": {"uri": uri}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}},
                )
        await server.drain()
        began = time.monotonic()
        server.close_stdin()
        code = await server.wait_exit(5)
        assert code == 1, "ended without a shutdown request: LSP's exit code is 1"
        assert time.monotonic() - began < 5
    finally:
        await server.stop()


async def test_shutdown_then_exit(tmp_path: Path) -> None:
    """After shutdown, requests get InvalidRequest and notifications are ignored; exit then ends the process with 0."""
    server = await _started(tmp_path)
    try:
        uri = (tmp_path / "late.json").as_uri()
        server.open(uri, DUP)
        await server.drain()
        assert (await server.call("shutdown"))["result"] is None
        seen = len(server.received)
        answer = await server.call(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
        )
        assert answer["error"]["code"] == INVALID_REQUEST and "shutting down" in answer["error"]["message"]
        server.change(uri, 2, [{"text": DUP + " "}])  # ignored
        again = await server.call("shutdown")
        assert again["error"]["code"] == INVALID_REQUEST
        assert any("after shutdown" in line for line in server.logs(seen))
        assert not [p for p in server.publishes(uri, seen) if p.get("version") == 2], (
            "a change after shutdown was validated"
        )
        server.notify("exit")
        await server.drain()
        assert await server.wait_exit(5) == 0
    finally:
        await server.stop()


async def test_exit_without_shutdown_exits_with_1(tmp_path: Path) -> None:
    server = await _started(tmp_path)
    try:
        server.notify("exit")
        await server.drain()
        assert await server.wait_exit(5) == 1
    finally:
        await server.stop()


async def test_requests_before_initialize_are_refused(tmp_path: Path) -> None:
    """Before initialize: requests get ServerNotInitialized, notifications are dropped; then initialize works."""
    server = await _started(tmp_path, initialize=False)
    try:
        early = await server.call(
            "textDocument/hover", {"textDocument": {"uri": "file:///x.json"}, "position": {"line": 0, "character": 0}}
        )
        assert early["error"]["code"] == NOT_INITIALIZED
        early_uri = (tmp_path / "early.json").as_uri()
        server.open(early_uri, DUP)  # dropped
        await server.initialize([tmp_path])
        hover = await server.call(
            "textDocument/hover",
            {"textDocument": {"uri": early_uri}, "position": utf16_position(DUP, DUP.index('"config.load"') + 3)},
        )
        assert hover["result"] is None, "a document opened before initialize was kept"
        assert not server.publishes(early_uri)
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


# -- settings that are wrong in every way ----------------------------------------------------------

#: Every key with a value of the wrong type or out of range, an unknown key and profile, registry files that do not
#: exist or are not JSON, and a shared cache whose host name does not resolve.
WRONG = {
    "profile": "paranoid",
    "connectionKeys": "both",
    "tenantId": 7,
    "userLevel": "admin",
    "severity": ["DUPLICATE_NODE_NAME"],
    "select": 3,
    "ignore": 5,
    "include": {"a": 1},
    "exclude": 2,
    "debounceMs": "fast",
    "maxFileBytes": -1,
    "noSuchSetting": True,
    "cache": {"redisUrl": "redis://nonexistent.invalid:6379", "redisTimeoutMs": 200, "secret": "s"},
}


@pytest.mark.parametrize("shape", ["wrong values", "not objects"])
async def test_settings_wrong_in_every_way(tmp_path: Path, shape: str) -> None:
    """Defaults are used, one clear message (not one per document or per folder) says what was wrong, and every document
    gets the diagnostics of the default settings."""
    folders = [tmp_path / "a", tmp_path / "b"]
    for f in folders:
        f.mkdir()
    (tmp_path / "registry.json").write_text("{ this is not JSON")
    wrong = dict(WRONG, registry=[str(tmp_path / "missing-registry.json"), str(tmp_path / "registry.json")])
    if shape == "wrong values":
        init: Any = wrong
        config: Any = dict(
            wrong, profile="strictest", debounceMs=[1]
        )  # the client's own settings are wrong too, differently
    else:
        init, config = "profile=strict", 42
    server = await RawServer(configuration=lambda item: config, stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize(folders, init)
        docs = {}
        for k, name in enumerate((BOOT, APPROVAL, VARIABLES, PROFILE, "dup.json", "dup2.json")):
            text = DUP if name.startswith("dup") else corpus_text(name)
            uri = (folders[k % 2] / name).as_uri()
            server.open(uri, text)
            docs[uri] = text
        await server.drain()
        await server.until(lambda: all(server.publishes(u) for u in docs), what="diagnostics for every document")
        await server.until(lambda: server.shown(), what="the message about the settings")
        await _still_ok(server, docs)
        server.notify("workspace/didChangeConfiguration", {"settings": None})  # the same wrong settings again
        await server.drain()
        await _still_ok(server, docs)
        await asyncio.sleep(0.3)
        shown = server.shown()
        assert len(shown) == 1, f"{len(shown)} messages: {[m['message'][:120] for m in shown]}"
        message = shown[0]["message"]
        assert shown[0]["type"] == 2, "a warning"  # MessageType.Warning
        assert message.startswith("wf-lsp: some settings could not be used, so their defaults are in force.")
        if shape == "wrong values":
            for phrase in (
                "'profile'",
                "'tenantId'",
                "'userLevel'",
                "'debounceMs'",
                "'noSuchSetting'",
                "strictest",
                "missing-registry.json",
                "registry.json' ignored: Expecting",
                "nonexistent.invalid",
            ):
                assert phrase in message, f"{phrase!r} missing from: {message}"
        else:
            assert "settings must be an object" in message
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def _still_ok(server: RawServer, docs: dict[str, str]) -> None:
    """Every document's latest diagnostics are those of the default settings; a hover still answers."""
    expected = Expected()
    for uri, text in docs.items():
        got = server.publishes(uri)[-1]["diagnostics"]
        assert got == expected.diagnostics(uri, text, 1, Settings()), (
            f"{uri}: not the default settings' diagnostics: {json.dumps(got)[:300]}"
        )
    uri, text = next(iter(docs.items()))
    hover = await server.call(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": utf16_position(text, text.index('"config.load"') + 3)},
    )
    assert "result" in hover and hover["result"] is not None
