"""Settings end to end: initializationOptions, per-folder workspace/configuration, didChangeConfiguration, bad input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import (
    BOOT,
    CLIENTS,
    CONFIG,
    corpus_text,
    diagnostics,
    make_workspace,
    only,
    open_doc,
    published,
    pull_mode,
    start,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
DUP = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("multi")
    return make_workspace(root / "a", [BOOT]), make_workspace(root / "b", [BOOT])


@pytest_lsp.fixture(scope="module", params=CLIENTS, config=CONFIG)
async def client(
    request: pytest.FixtureRequest, lsp_client: LanguageClient, folders: tuple[Path, Path]
) -> AsyncIterator[None]:
    """Two folders; folder b demotes DUPLICATE_NODE_NAME to a warning through workspace/configuration."""
    a, b = folders
    lsp_client.set_configuration(
        {"severity": {"DUPLICATE_NODE_NAME": "warning"}, "debounceMs": 10}, section="wf-lsp", scope_uri=b.as_uri()
    )
    await start(lsp_client, request.param, [a, b], {"debounceMs": 10, "exclude": ["excluded/"], "include": ["*.wflow"]})
    yield
    await lsp_client.shutdown_session()


async def test_each_folder_has_its_own_settings(client: LanguageClient, folders: tuple[Path, Path]) -> None:
    a, b = folders
    in_a = open_doc(client, a / "dup.json", DUP)
    in_b = open_doc(client, b / "dup.json", DUP)
    assert only(await diagnostics(in_a), "DUPLICATE_NODE_NAME").severity == t.DiagnosticSeverity.Error
    assert only(await diagnostics(in_b), "DUPLICATE_NODE_NAME").severity == t.DiagnosticSeverity.Warning
    in_a.close()
    in_b.close()


async def test_include_and_exclude_globs(client: LanguageClient, folders: tuple[Path, Path]) -> None:
    a, _ = folders
    excluded = open_doc(client, a / "excluded" / "dup.json", DUP)
    included = open_doc(client, a / "flow.wflow", DUP, language="plaintext")
    assert "DUPLICATE_NODE_NAME" in {str(d.code) for d in await diagnostics(included)}
    if pull_mode(client):
        assert await diagnostics(excluded) == []
    else:
        assert not [p for p in client.published if p.uri == excluded.uri]  # type: ignore[attr-defined]
    excluded.close()
    included.close()


async def _changed(client: LanguageClient, doc_uri: str, since: int) -> None:
    """Send didChangeConfiguration and wait until the server has read the new settings and revalidated."""
    logs = len(client.log_messages)
    client.workspace_did_change_configuration(t.DidChangeConfigurationParams(settings=None))
    for _ in range(1000):
        if any("settings changed" in m.message for m in client.log_messages[logs:]):
            break
        await asyncio.sleep(0.01)
    if not pull_mode(client):
        await published(client, doc_uri, since=since)


async def test_did_change_configuration_revalidates_open_documents(
    client: LanguageClient, folders: tuple[Path, Path]
) -> None:
    a, _ = folders
    doc = open_doc(client, a / "change.json", DUP)
    assert only(await diagnostics(doc), "DUPLICATE_NODE_NAME").severity == t.DiagnosticSeverity.Error
    client.set_configuration({"severity": {"DUPLICATE_NODE_NAME": "hint"}}, section="wf-lsp")
    await _changed(client, doc.uri, len(client.published))  # type: ignore[attr-defined]
    assert only(await diagnostics(doc), "DUPLICATE_NODE_NAME").severity == t.DiagnosticSeverity.Hint
    client.set_configuration({}, section="wf-lsp")
    await _changed(client, doc.uri, len(client.published))  # type: ignore[attr-defined]
    assert only(await diagnostics(doc), "DUPLICATE_NODE_NAME").severity == t.DiagnosticSeverity.Error
    doc.close()


async def test_bad_settings_fall_back_to_defaults_with_one_message(
    client: LanguageClient, folders: tuple[Path, Path]
) -> None:
    a, _ = folders
    doc = open_doc(client, a / "bad.json", DUP)
    await diagnostics(doc)
    before = len(client.messages)
    client.set_configuration(
        {"profile": "nope", "debounceMs": -5, "severity": {"DUPLICATE_NODE_NAME": "hint"}}, section="wf-lsp"
    )
    await _changed(client, doc.uri, len(client.published))  # type: ignore[attr-defined]
    assert (
        only(await diagnostics(doc), "DUPLICATE_NODE_NAME").severity == t.DiagnosticSeverity.Hint
    )  # the good key still applies
    client.workspace_did_change_configuration(
        t.DidChangeConfigurationParams(settings=None)
    )  # the same bad values again
    assert only(await diagnostics(doc), "DUPLICATE_NODE_NAME")
    shown = [m for m in client.messages[before:] if "wf-lsp" in m.message]
    assert len(shown) == 1 and shown[0].type == t.MessageType.Warning
    assert "'profile'" in shown[0].message and "'debounceMs'" in shown[0].message
    client.set_configuration({}, section="wf-lsp")
    await _changed(client, doc.uri, len(client.published))  # type: ignore[attr-defined]
    doc.close()
