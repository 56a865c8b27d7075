"""Server log messages reach the editor each at its own level: routine pygls chatter is not an error or a warning."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.lsp.raw import RawServer

pytestmark = pytest.mark.asyncio


async def test_a_cancel_for_an_answered_request_is_logged_at_debug_level(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    srv = await RawServer(stderr=log).start()
    try:
        await srv.initialize([tmp_path])
        answer = await srv.call("workspace/executeCommand", {"command": "wf.cacheStats", "arguments": []})
        mark = len(srv.received)
        srv.cancel(answer["id"])  # what editors do when a reply and the cancel cross
        srv.notify("$/setTrace", {"value": "off"})
        await srv.drain()
        found = await srv.until(
            lambda: [
                m["params"]
                for m in srv.notifications("window/logMessage", mark)
                if "Cancel notification" in m["params"]["message"]
            ],
            what="the log line",
        )
        assert [m["type"] for m in found] == [4], found  # MessageType.Log: the client's debug/trace level
        await asyncio.sleep(0.2)
        levels = {m["params"]["type"] for m in srv.notifications("window/logMessage", mark)}
        assert levels <= {3, 4}, srv.notifications("window/logMessage", mark)  # nothing at Error (1) or Warning (2)
        assert await srv.shutdown_and_exit() == 0
    finally:
        await srv.stop()
    assert "Cancel notification" not in log.read_text(), "editors show a server's stderr as errors"
