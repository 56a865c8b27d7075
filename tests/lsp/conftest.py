"""Fixtures: a workspace of real corpus files and one server per module and recorded client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from tests.helpers import CORPUS
from tests.lsp.kit import APPROVAL, BOOT, CLIENTS, CONFIG, PROFILE, VARIABLES, corpus_text, make_workspace, start

if not CORPUS.is_dir():  # fail loudly: these tests are about real files
    raise RuntimeError(f"the MetaBuilder corpus is missing: expected it at {CORPUS}")

#: Real files copied into the test workspace (a mix of dialects, tenants and problems).
WORKSPACE_FILES = [
    BOOT,
    APPROVAL,
    VARIABLES,
    PROFILE,
    "workflow__examples__python__single_pass__workflow.json",
    "workflow__examples__python__iterative_loop__workflow.json",
    "packages__user_manager__workflow__create_user.json",
    "packages__forum_forge__workflow__create_post.json",
    "gameengine__packages__seed__workflows__demo_gameplay.json",
]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace folder: corpus copies, one file moved to tenant `tenant-a`, a package.json and other JSON."""
    root = make_workspace(tmp_path_factory.mktemp("ws") / "flows", WORKSPACE_FILES)
    data = json.loads(corpus_text(BOOT))
    data["tenantId"] = "tenant-a"
    (root / "tenant_a_boot.json").write_text(json.dumps(data, indent=2))
    (root / "package.json").write_text(json.dumps({"name": "x", "nodes": [], "connections": {}}, indent=2))
    (root / "settings.json").write_text(json.dumps({"editor": {"nodes": [], "connections": {}}}, indent=2))
    (root / "open").mkdir()
    return root


@pytest_lsp.fixture(scope="module", params=CLIENTS, config=CONFIG)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    """A server per module and client kind, its workspace the corpus copies."""
    await start(lsp_client, request.param, [workspace])
    yield
    await lsp_client.shutdown_session()
