"""A client that shows hover text as it is (eglot 1.9 without markdown-mode) gets plain text, not Markdown markers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.kit import APPROVAL, CONFIG, corpus_text, diagnostics, make_workspace, open_doc


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, tmp_path: Path) -> AsyncIterator[None]:
    caps = client_capabilities("emacs")
    assert caps.text_document is not None and caps.text_document.hover is not None
    caps.text_document.hover.content_format = [t.MarkupKind.PlainText]  # what eglot 1.9 says without markdown-mode
    root = make_workspace(tmp_path / "flows", [APPROVAL])
    lsp_client.init_result = await lsp_client.initialize_session(  # type: ignore[attr-defined]
        t.InitializeParams(
            capabilities=caps, root_uri=root.as_uri(), workspace_folders=[t.WorkspaceFolder(root.as_uri(), "flows")]
        )
    )
    lsp_client.root = root  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_hover_is_plain_text_for_a_plain_text_client(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    doc = open_doc(client, root / "hover.json", corpus_text(APPROVAL))
    assert await diagnostics(doc)
    pos = doc.position(doc.find('"timeout": 30') + 12)
    hover = await client.text_document_hover_async(t.HoverParams(t.TextDocumentIdentifier(doc.uri), pos))
    assert hover is not None and isinstance(hover.contents, t.MarkupContent)
    assert hover.contents.kind == t.MarkupKind.PlainText
    shown = hover.contents.value
    assert shown.startswith("TIMEOUT_TOO_SHORT (warning)") and "Suggestion: Increase timeout" in shown, shown
    assert "**" not in shown and "`" not in shown and "](" not in shown and "Rule documentation (https://" in shown, (
        shown
    )
