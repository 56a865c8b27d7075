"""The diagnostics of one document are capped (setting maxDiagnostics) with one diagnostic that counts the rest."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import CLIENTS, CONFIG, diagnostics, open_doc, start

pytestmark = pytest.mark.asyncio(loop_scope="module")


def dangling(n: int, warnings: int = 0) -> str:
    """A workflow whose one connection list has n targets that name no node (one error each), and `warnings`
    variables in global scope (one warning each, placed before the errors)."""
    node = {
        "id": "a",
        "name": "A",
        "type": "logic.if",
        "typeVersion": 1,
        "position": [0, 0],
        "parameters": {"condition": "x"},
    }
    targets = [{"node": f"Missing {i}", "type": "main", "index": 0} for i in range(n)]
    variables = {f"v{i}": {"type": "string", "scope": "global"} for i in range(warnings)}
    wf = {
        "variables": variables,
        "id": "w",
        "tenantId": "${TENANT_ID}",
        "nodes": [node],
        "connections": {"A": {"main": {"0": targets}}},
    }
    return json.dumps(wf, indent=2)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cap")


@pytest_lsp.fixture(scope="module", params=CLIENTS, config=CONFIG)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, folder: Path) -> AsyncIterator[None]:
    await start(lsp_client, request.param, [folder], {"debounceMs": 10})
    yield
    await lsp_client.shutdown_session()


async def test_a_document_gets_at_most_1000_diagnostics_and_a_summary(client: LanguageClient, folder: Path) -> None:
    doc = open_doc(client, folder / "many.json", dangling(1500, warnings=3))
    diags = await diagnostics(doc)
    assert len(diags) == 1001
    summary = [d for d in diags if d.code == "TOO_MANY_DIAGNOSTICS"]
    assert len(summary) == 1 and diags[-1] is summary[0]
    assert summary[0].message.startswith(
        "503 more problem(s) not shown (500 errors, 3 warnings): at most 1,000 are shown per document"
    )
    assert summary[0].severity == t.DiagnosticSeverity.Error
    kept = [d for d in diags if d is not summary[0]]
    # The most severe are kept: every diagnostic shown is an error, in document order.
    assert {d.severity for d in kept} == {t.DiagnosticSeverity.Error}
    assert [d.range.start.line for d in kept] == sorted(d.range.start.line for d in kept)
    doc.close()


async def test_under_the_limit_nothing_is_left_out(client: LanguageClient, folder: Path) -> None:
    doc = open_doc(client, folder / "few.json", dangling(999))
    diags = await diagnostics(doc)
    assert len(diags) == 999 and all(d.code == "INVALID_CONNECTION_TARGET_NODE" for d in diags)
    doc.close()


@pytest_lsp.fixture(scope="module", params=CLIENTS[1:], config=CONFIG)
async def capped(request: pytest.FixtureRequest, lsp_client: LanguageClient, folder: Path) -> AsyncIterator[None]:
    await start(lsp_client, request.param, [folder], {"debounceMs": 10, "maxDiagnostics": 5})
    yield
    await lsp_client.shutdown_session()


async def test_the_limit_is_a_setting(capped: LanguageClient, folder: Path) -> None:
    doc = open_doc(capped, folder / "set.json", dangling(100_000))  # 8 MB: the whole report would be 84 MB of JSON
    diags = await diagnostics(doc)
    assert len(diags) == 6 and diags[-1].code == "TOO_MANY_DIAGNOSTICS"
    assert diags[-1].message.startswith("99,995 more problem(s) not shown (99,995 errors): at most 5 are shown")
    doc.close()
