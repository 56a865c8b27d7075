"""Walking the workspace cannot freeze the server: with `/` as the workspace folder, wf.validateWorkspace walks in a
worker thread, ends at maxWorkspaceFiles, reports progress and can be cancelled, and hovers are answered meanwhile."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import pytest

from tests.lsp.kit import BOOT, corpus_text
from tests.lsp.raw import RawServer, utf16_position

pytestmark = pytest.mark.asyncio
TEXT = corpus_text(BOOT)
POSITION = utf16_position(TEXT, TEXT.index('"config.load"') + 3)
LIMIT = 20_000


async def _root_session(tmp_path: Path, options: dict[str, object]) -> tuple[RawServer, str]:
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    await server.initialize([Path("/")], options={"debounceMs": 20, **options})
    uri = (tmp_path / "probe.json").as_uri()
    server.open(uri, TEXT)
    await server.until(lambda: server.publishes(uri), timeout=30, what="the probe's diagnostics")
    return server, uri


async def _hover_ms(server: RawServer, uri: str) -> float:
    started = time.perf_counter()
    answer = await server.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": POSITION}, timeout=60)
    assert "config.load" in answer["result"]["contents"]["value"], answer
    return (time.perf_counter() - started) * 1000


async def test_a_walk_of_root_ends_at_the_limit_and_hovers_are_answered_meanwhile(tmp_path: Path) -> None:
    """Before: the walk ran on the event loop with no limit (`/` took a minute, hovers waited seconds)."""
    server, uri = await _root_session(tmp_path, {"maxWorkspaceFiles": LIMIT})
    try:
        since = len(server.received)
        started = time.monotonic()
        msg_id, done = server.request("workspace/executeCommand", {"command": "wf.validateWorkspace", "arguments": []})
        await server.drain()
        latencies: list[float] = []
        while not done.done() and time.monotonic() - started < 120:
            latencies.append(await _hover_ms(server, uri))
            await asyncio.sleep(0.01)
        answer = await asyncio.wait_for(done, 120)
        seconds = time.monotonic() - started
        print(
            f"walk of /: {seconds:.1f} s; {len(latencies)} hovers meanwhile, "
            f"median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms; answer {str(answer)[:200]}"
        )
        assert len(latencies) >= 3 and statistics.median(latencies) < 100 and max(latencies) < 1000, latencies
        result = answer["result"]
        assert result["truncated"] is True and result["cancelled"] is False, result
        assert LIMIT < result["entriesLookedAt"] < LIMIT + 50_000, result  # ends at the folder that crosses the limit
        reports = [m["params"]["value"] for m in server.notifications("$/progress", since)]
        assert any("looking for workflows" in (r.get("message") or "") for r in reports), reports
        assert any("maxWorkspaceFiles" in m for m in server.logs(since)), server.logs(since)
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def test_a_walk_is_cancelled_from_its_progress_bar(tmp_path: Path) -> None:
    """Cancelling the progress stops the walk itself (a limit far beyond `/`: only the cancel can end it early)."""
    server, uri = await _root_session(tmp_path, {"maxWorkspaceFiles": 10_000_000})
    try:
        since = len(server.received)
        msg_id, done = server.request("workspace/executeCommand", {"command": "wf.validateWorkspace", "arguments": []})
        await server.drain()
        began = await server.until(
            lambda: next(
                (
                    m["params"]["token"]
                    for m in server.notifications("$/progress", since)
                    if m["params"]["value"].get("kind") == "report"
                ),
                None,
            ),
            timeout=30,
            what="the walk's first progress report",
        )
        cancelled_at = time.monotonic()
        server.notify("window/workDoneProgress/cancel", {"token": began})
        await server.drain()
        result = (await asyncio.wait_for(done, 30))["result"]
        assert result["cancelled"] is True and result["files"] == 0, result
        assert time.monotonic() - cancelled_at < 5
        assert (await _hover_ms(server, uri)) < 1000
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


async def test_the_tenant_report_walk_ends_at_the_limit_with_progress(tmp_path: Path) -> None:
    """The tenant report walks the same way: `/` ends at the limit, with progress, and says it was cut short."""
    server, uri = await _root_session(tmp_path, {"maxWorkspaceFiles": 5_000})
    try:
        since = len(server.received)
        answer = await server.call(
            "workspace/executeCommand", {"command": "wf.showTenantDiagnostics", "arguments": []}, timeout=120
        )
        assert "result" in answer, (
            answer,
            server.logs(since)[-20:],
            (tmp_path / "stderr.txt").read_text(errors="replace")[-4000:],
        )
        result = answer["result"]
        assert result["truncated"] is True and 5_000 < result["entriesLookedAt"] < 55_000, {
            k: v for k, v in result.items() if k != "tenants"
        }
        assert any(t["files"] for t in result["tenants"]), "the open workflow document is in the report"
        begins = [
            m["params"]["value"]
            for m in server.notifications("$/progress", since)
            if m["params"]["value"].get("kind") == "begin"
        ]
        assert any(b["title"] == "Collecting tenant diagnostics" for b in begins), begins
        assert (await _hover_ms(server, uri)) < 1000
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()
