"""A storm of 500 changes to one document: the server stays responsive, the final diagnostics match the final text."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import BOOT, CLIENTS, CONFIG, corpus_text, diagnostics, open_doc, pull_mode, start
from wf_lsp.core.loader import WorkflowLoader

pytestmark = pytest.mark.asyncio(loop_scope="module")
CHANGES = 500


@pytest_lsp.fixture(scope="module", params=[*CLIENTS, "neovim@0.7"], config=CONFIG)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    """Default settings: the real 150 ms debounce."""
    await start(lsp_client, request.param, [workspace], {})
    yield
    await lsp_client.shutdown_session()


async def test_a_storm_of_changes(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(client, workspace / "open" / "storm.json", corpus_text(BOOT))
    await diagnostics(doc)
    start_at = doc.find('"Migrate Version"') + 1
    current = "Migrate Version"
    hover: asyncio.Future[t.Hover | None] | None = None
    times: dict[str, float] = {}
    began = time.perf_counter()
    for i in range(CHANGES):
        new = "Load Config" if i == CHANGES - 1 else f"Step {i}"
        doc.replace(start_at, start_at + len(current), new)
        current = new
        if i == CHANGES // 2:  # a request in the middle of the storm
            times["asked"] = time.perf_counter()
            hover = asyncio.ensure_future(
                client.text_document_hover_async(
                    t.HoverParams(t.TextDocumentIdentifier(doc.uri), doc.position(doc.find('"config.load"') + 3))
                )
            )
            hover.add_done_callback(lambda _f: times.setdefault("answered", time.perf_counter()))
        if i % 50 == 0:
            await asyncio.sleep(0)  # let the client's writer flush, as an editor's event loop would
    sent = time.perf_counter()
    assert hover is not None
    result = await asyncio.wait_for(hover, 10)
    waited = times["answered"] - times["asked"]
    assert result is not None and "config.load" in result.contents.value  # type: ignore[union-attr]
    assert waited < 5.0, f"hover took {waited:.2f}s during the storm"

    final = await diagnostics(doc)
    expected = WorkflowLoader().validate_text(doc.text).findings
    got = sorted(
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in final
    )
    want = sorted(
        (f.code, f.span.start.line, f.span.start.character, f.span.end.line, f.span.end.character)
        for f in expected
        if f.span
    )
    assert got == want and "DUPLICATE_NODE_NAME" in {g[0] for g in got}
    if not pull_mode(client):
        mine = [p for p in client.published if p.uri == doc.uri]  # type: ignore[attr-defined]
        versions = [p.version for p in mine]
        assert versions == sorted(versions), "diagnostics of an older version were published after newer ones"
        assert mine[-1].version == doc.version
        assert len(mine) < CHANGES // 5, f"{len(mine)} publishes for {CHANGES} changes: the debounce is not working"
    doc.close()
    client.storm_timing = {"sent_ms": (sent - began) * 1000, "hover_ms": waited * 1000}  # type: ignore[attr-defined]
