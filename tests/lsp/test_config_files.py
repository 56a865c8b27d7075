"""The server and the project's settings file: read per workspace folder, anchored globs, editor precedence
(`configurationPreference`), re-read on change, a broken file told once; and workflow identity while a file is open."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.raw import RawServer
from tests.project import DUP, make_project

pytestmark = pytest.mark.asyncio


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RawServer]:
    srv = await RawServer(stderr=tmp_path / "server.log").start()
    yield srv
    await srv.stop()


async def _codes(srv: RawServer, path: Path, text: str | None = None, since: int | None = None) -> list[str]:
    """Open a file (or send its new text) and return the codes of the diagnostics published for it next."""
    uri = path.as_uri()
    start = len(srv.received) if since is None else since
    if since is None:
        srv.open(uri, text if text is not None else path.read_text(encoding="utf-8"))
        await srv.drain()
    params = await srv.until(lambda: srv.publishes(uri, start), what=f"diagnostics of {path.name}")
    return sorted(d["code"] for d in params[-1]["diagnostics"])


async def _start(srv: RawServer, folder: Path, options: dict[str, Any] | None = None) -> None:
    await srv.initialize(
        [folder], options={"debounceMs": 10, **(options or {})}, client="visual-studio-code"
    )  # push, watches files, answers configuration


async def test_the_server_reads_the_project_file_of_its_folder(server: RawServer, project: Path) -> None:
    """The same findings as `wf-lsp check`: severity off, an anchored ignore glob, exclude and the registry file."""
    await _start(server, project)
    assert await _codes(server, project / "flows" / "dup.json") == [
        "DUPLICATE_NODE_NAME",
        "INVALID_CONNECTION_TARGET_NODE",
    ]
    assert await _codes(server, project / "legacy" / "dup.json") == ["INVALID_CONNECTION_TARGET_NODE"]
    assert await _codes(server, project / "flows" / "custom.json") == []
    mark = len(server.received)
    server.open((project / "generated" / "dup.json").as_uri(), DUP)
    await server.call("workspace/executeCommand", {"command": "wf.cacheStats", "arguments": []})
    assert not server.publishes((project / "generated" / "dup.json").as_uri(), mark)  # excluded: never reported
    assert not server.shown()


async def test_the_server_asks_to_be_told_when_settings_files_change(server: RawServer, project: Path) -> None:
    await _start(server, project)
    found = await server.until(
        lambda: [m for m in server.received if m.get("method") == "client/registerCapability"], what="registration"
    )
    [registration] = found[0]["params"]["registrations"]
    assert registration["method"] == "workspace/didChangeWatchedFiles"
    assert {w["globPattern"] for w in registration["registerOptions"]["watchers"]} == {
        "**/wf-lsp.toml",
        "**/pyproject.toml",
    }


@pytest.mark.parametrize("how", ["watched", "saved"])
async def test_a_changed_settings_file_is_read_again(server: RawServer, project: Path, how: str) -> None:
    await _start(server, project)
    dup = project / "flows" / "dup.json"
    assert "UNREACHABLE_NODE" not in await _codes(server, dup)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('UNREACHABLE_NODE = "off"', 'UNREACHABLE_NODE = "error"'), encoding="utf-8"
    )
    mark = len(server.received)
    if how == "watched":
        server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": pyproject.as_uri(), "type": 2}]})
    else:  # a client that watches nothing still saves the file it edits
        server.notify("textDocument/didSave", {"textDocument": {"uri": pyproject.as_uri()}})
    await server.drain()
    assert "UNREACHABLE_NODE" in await _codes(server, dup, since=mark)


async def test_a_broken_settings_file_is_told_once_then_defaults(server: RawServer, project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('severity = { UNREACHABLE_NODE = "off" }', "severity = { UNREACHABLE_NODE = "),
        encoding="utf-8",
    )
    await _start(server, project)
    codes = await _codes(server, project / "legacy" / "dup.json")
    assert codes == [
        "DUPLICATE_NODE_NAME",
        "INVALID_CONNECTION_TARGET_NODE",
        "UNREACHABLE_NODE",
    ]  # defaults: nothing from the file
    shown = await server.until(lambda: server.shown(), what="a message")
    assert len(shown) == 1 and shown[0]["type"] == 2
    assert f"{pyproject}:6:33: invalid TOML" in shown[0]["message"], shown[0]["message"]
    # the file is fixed: its settings apply again, and no new message
    pyproject.write_text(make_project_pyproject(), encoding="utf-8")
    mark = len(server.received)
    server.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": pyproject.as_uri(), "type": 2}]})
    await server.drain()
    assert await _codes(server, project / "legacy" / "dup.json", since=mark) == ["INVALID_CONNECTION_TARGET_NODE"]
    assert len(server.shown()) == 1


def make_project_pyproject() -> str:
    from tests.project import PYPROJECT

    return PYPROJECT


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        # editor: DUPLICATE_NODE_NAME as a warning, profile oracle; file: UNREACHABLE_NODE off, profile recommended
        # (default)
        ("editorFirst", ["DUPLICATE_NODE_NAME:2", "INVALID_CONNECTION_TARGET_NODE:1"]),
        ("filesystemFirst", ["DUPLICATE_NODE_NAME:1", "INVALID_CONNECTION_TARGET_NODE:1"]),
        ("editorOnly", ["DUPLICATE_NODE_NAME:2", "INVALID_CONNECTION_TARGET_NODE:1", "UNREACHABLE_NODE:2"]),
    ],
)
async def test_configuration_preference(server: RawServer, project: Path, preference: str, expected: list[str]) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'severity = { UNREACHABLE_NODE = "off" }',
            'severity = { UNREACHABLE_NODE = "off", DUPLICATE_NODE_NAME = "error" }',
        )
    )
    editor = {
        "severity": {"DUPLICATE_NODE_NAME": "warning", "UNREACHABLE_NODE": "warning"},
        "configurationPreference": preference,
    }
    if preference == "editorFirst":  # the editor sets only one key: the file's other keys stay
        editor["severity"] = {"DUPLICATE_NODE_NAME": "warning"}
    server.configuration = lambda item: editor
    await _start(server, project, editor)
    uri = (project / "flows" / "dup.json").as_uri()
    server.open(uri, DUP)
    await server.drain()
    params = await server.until(lambda: server.publishes(uri), what="diagnostics")
    assert sorted(f"{d['code']}:{d['severity']}" for d in params[-1]["diagnostics"]) == expected


async def test_once_a_workflow_always_a_workflow_while_open(server: RawServer, tmp_path: Path) -> None:
    """Cutting the text mid-edit (no `connections` any more) keeps the diagnostics, the syntax error first of all."""
    await _start(server, tmp_path)
    path = tmp_path / "flow.json"
    uri = path.as_uri()
    assert "DUPLICATE_NODE_NAME" in await _codes(server, path, DUP)
    cut = DUP[: DUP.index('"connections"') - 10]
    mark = len(server.received)
    server.change(uri, 2, [{"text": cut}])
    await server.drain()
    params = await server.until(
        lambda: [p for p in server.publishes(uri, mark) if p.get("version") == 2], what="v2 diagnostics"
    )
    assert "JSON_SYNTAX_ERROR" in {d["code"] for d in params[-1]["diagnostics"]}
    mark = len(server.received)
    server.change(uri, 3, [{"text": "{}"}])  # everything selected and deleted, then braces typed
    await server.drain()
    params = await server.until(
        lambda: [p for p in server.publishes(uri, mark) if p.get("version") == 3], what="v3 diagnostics"
    )
    assert params[-1]["diagnostics"], "a document that was a workflow keeps its diagnostics while open"
    # a document never seen as a workflow is still left alone
    other = tmp_path / "data.json"
    mark = len(server.received)
    server.open(other.as_uri(), json.dumps({"name": "x", "items": [1, 2]}))
    await server.call("workspace/executeCommand", {"command": "wf.cacheStats", "arguments": []})
    assert not server.publishes(other.as_uri(), mark)


async def test_bad_values_in_the_settings_file_and_the_editor_are_one_message(server: RawServer, project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('exclude = ["generated/"]', 'exclude = ["generated/"]\nprofile = "loud"'),
        encoding="utf-8",
    )
    await _start(server, project, {"userLevel": 9})
    assert await _codes(server, project / "legacy" / "dup.json") == [
        "INVALID_CONNECTION_TARGET_NODE"
    ]  # the rest of the file applies
    await asyncio.sleep(0.3)
    [shown] = server.shown()
    assert shown["message"].count("userLevel") == 1 and f"{pyproject}: setting 'profile'" in shown["message"], shown[
        "message"
    ]
