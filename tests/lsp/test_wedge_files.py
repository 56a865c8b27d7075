"""Files named by a client's command (wf.executionPlan): the real server reads only open documents and regular files
inside the workspace folders, under maxFileBytes; a device, a FIFO, a file outside (or a symlink out) is refused at
once, and its content is never echoed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.helpers import CORPUS
from tests.lsp.kit import BOOT, corpus_text
from tests.lsp.raw import RawServer, utf16_position
from wf_lsp.lsp import documents

pytestmark = pytest.mark.asyncio(loop_scope="module")
TEXT = corpus_text(BOOT)
POSITION = utf16_position(TEXT, TEXT.index('"config.load"') + 3)
SECRET_LINE = "root:x:0:0:"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def session(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[RawServer, Path]]:
    root = tmp_path_factory.mktemp("plan")
    folder = root / "ws"
    folder.mkdir()
    shutil.copy(CORPUS / BOOT, folder / "boot.json")
    (folder / "big.json").write_text(json.dumps({"nodes": [], "connections": {}, "pad": "x" * 5000}))
    os.mkfifo(folder / "pipe.json")
    (folder / "out.json").symlink_to("/etc/passwd")
    (root / "outside.json").write_text(TEXT)  # a workflow, but not in the workspace
    server = await RawServer(stderr=root / "stderr.txt").start()
    await server.initialize([folder], options={"debounceMs": 20, "maxFileBytes": 4096})
    server.open((folder / "probe.json").as_uri(), TEXT)
    await server.drain()
    yield server, folder
    try:
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def _plan(server: RawServer, uri: str) -> tuple[dict[str, object], float]:
    started = time.monotonic()
    answer = await server.call(
        "workspace/executeCommand", {"command": "wf.executionPlan", "arguments": [uri]}, timeout=10
    )
    return answer["result"], time.monotonic() - started


async def _alive(server: RawServer, folder: Path) -> None:
    answer = await server.call(
        "textDocument/hover",
        {"textDocument": {"uri": (folder / "probe.json").as_uri()}, "position": POSITION},
        timeout=10,
    )
    assert "config.load" in answer["result"]["contents"]["value"]


async def test_a_workspace_file_gets_its_plan(session: tuple[RawServer, Path]) -> None:
    server, folder = session
    result, _ = await _plan(server, (folder / "boot.json").as_uri())
    assert result["valid"] is True and result["levels"], result


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("file:///etc/passwd", "not inside a workspace folder"),
        ("file:///dev/zero", "not inside a workspace folder"),
        ("pipe.json", "not a regular file"),
        ("out.json", "not inside a workspace folder"),
        ("big.json", "larger than maxFileBytes (4096 bytes)"),
        ("../outside.json", "not inside a workspace folder"),
        ("missing.json", "No such file"),
    ],
    ids=[
        "/etc/passwd",
        "/dev/zero",
        "a FIFO in the workspace",
        "a symlink out of it",
        "over maxFileBytes",
        "a file beside it",
        "missing",
    ],
)
async def test_a_file_that_must_not_be_read_is_refused_at_once(
    session: tuple[RawServer, Path], target: str, why: str
) -> None:
    """Before: /etc/passwd was read and quoted in the errors, /dev/zero grew the server without bound, a FIFO hung
    it."""
    server, folder = session
    uri = (
        target
        if target.startswith("file:")
        else (folder / target).resolve(strict=False).as_uri()
        if target.startswith("..")
        else (folder / target).as_uri()
    )
    result, seconds = await _plan(server, uri)
    assert result["valid"] is False and seconds < 5, (result, seconds)
    errors = result["errors"]
    assert isinstance(errors, list) and errors[0]["code"] == "NO_DOCUMENT" and why in errors[0]["message"], errors
    assert SECRET_LINE not in json.dumps(result)
    await _alive(server, folder)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
async def test_the_report_folder_is_removed_on_sigterm(tmp_path: Path, signum: signal.Signals) -> None:
    """Before: SIGTERM (or SIGHUP) ended the server at once and its report folder stayed behind in the temp folder."""
    folder = tmp_path / "ws"
    folder.mkdir()
    shutil.copy(CORPUS / BOOT, folder / "boot.json")
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize([folder])
        answer = await server.call(
            "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": []}, timeout=30
        )
        assert answer["result"]["tenants"], answer
        shown = [m["params"]["uri"] for m in server.received if m.get("method") == "window/showDocument"]
        assert shown, "the client can show documents: the report is written to a file"
        report = Path(documents.uri_to_path(shown[-1]) or "")
        assert report.is_file() and report.parent.name.startswith("wf-lsp-")
        assert server.proc is not None
        server.proc.send_signal(signum)
        code = await server.wait_exit(10)
        assert not report.parent.exists(), f"{report.parent} is left behind"
        assert code == 128 + signum
    finally:
        await server.stop()


async def test_the_tenant_report_shows_text_that_is_not_utf8(tmp_path: Path) -> None:
    """Before: a tenantId with a lone surrogate (`"\\ud800"`, valid JSON) or a file name that is not UTF-8 made the
    report fail with UnicodeEncodeError while writing its Markdown file (CI met one in the test fixtures)."""
    folder = tmp_path / "ws"
    folder.mkdir()
    data = json.loads((CORPUS / BOOT).read_text())
    (folder / "lone.json").write_text(json.dumps(dict(data, tenantId="acme\ud800")))  # json.dumps escapes it: \ud800
    odd = os.fsencode(folder) + b"/caf\xe9.json"  # Latin-1 bytes in a name: not UTF-8
    with open(odd, "w", encoding="utf-8") as fh:
        fh.write(
            json.dumps(dict(data, tenantId="globex", nodes=data["nodes"] + data["nodes"][:1]))
        )  # a duplicate id: listed
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize([folder])
        answer = await server.call(
            "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": []}, timeout=30
        )
        assert "result" in answer, answer
        assert sorted(t["tenantId"] for t in answer["result"]["tenants"]) == ["acme\ud800", "globex"]
        shown = [m["params"]["uri"] for m in server.received if m.get("method") == "window/showDocument"]
        markdown = Path(documents.uri_to_path(shown[-1]) or "").read_text(encoding="utf-8")
        assert "## Tenant: acme\\ud800" in markdown and "## Tenant: globex" in markdown, markdown
        assert "caf%E9.json" in markdown, markdown  # the file's own bytes, as Neovim names it
        rows = [r for t in answer["result"]["tenants"] for r in t["worstFiles"]]
        assert [r["uri"].rsplit("/", 1)[1] for r in rows] == ["caf%E9.json"] and rows[0]["path"] == os.fsdecode(odd), (
            rows
        )
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


@pytest.mark.parametrize("inside", [True, False], ids=["in the folder", "outside every folder"])
@pytest.mark.parametrize("how", ["comma", "truncated", "emptied"])
async def test_the_tenant_report_of_an_open_workflow_being_edited(tmp_path: Path, how: str, inside: bool) -> None:
    """Before: a workflow file open in a workspace folder and broken mid-edit (cut in half, or emptied) was "not a
    workflow file in the workspace" for the report, while the same document outside every folder was reported. Once a
    workflow, always a workflow while open, in the report as in its diagnostics."""
    folder = tmp_path / "ws"
    folder.mkdir()
    shutil.copy(CORPUS / BOOT, folder / "boot.json")
    text = corpus_text(BOOT)
    broken = {"comma": text.replace(",", "", 1), "truncated": text[: len(text) // 2], "emptied": ""}[how]
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize([folder], options={"debounceMs": 20})
        uri = (folder / "boot.json").as_uri() if inside else (tmp_path / "elsewhere.json").as_uri()
        server.open(uri, text)
        await server.until(lambda: server.publishes(uri), timeout=30, what="the document's diagnostics")
        server.change(uri, 2, [{"text": broken}])
        await server.until(
            lambda: any(p.get("version") == 2 for p in server.publishes(uri)), timeout=30, what="the edit's diagnostics"
        )
        answer = await server.call(
            "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": [uri]}, timeout=60
        )
        report = answer["result"]
        assert report.get("problem") is None, report.get("problem")
        rows = [r["uri"] for t in report["tenants"] for r in t["worstFiles"]]
        assert uri in rows, report["tenants"]
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()
