"""Commands end to end: tenant diagnostics (JSON and a shown report), workspace validation, cache, execution plan."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import LanguageClient

from tests.lsp.kit import (
    APPROVAL,
    BOOT,
    CLIENTS,
    CONFIG,
    VARIABLES,
    command,
    corpus_text,
    open_doc,
    published,
    pull_mode,
    start,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(scope="module", params=[*CLIENTS, "neovim@0.7"], config=CONFIG)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    """Also Neovim 0.7, which can neither show documents nor answer workspace/configuration."""
    await start(lsp_client, request.param, [workspace])
    yield
    await lsp_client.shutdown_session()


def _tenant(report: dict, tenant: str | None) -> dict:  # type: ignore[type-arg]
    return next(x for x in report["tenants"] if x["tenantId"] == tenant)


async def test_tenant_diagnostics_group_every_workflow_file(client: LanguageClient, workspace: Path) -> None:
    shown_before = len(client.shown_documents)
    report = await command(client, "wf.showTenantDiagnostics")
    assert {x["tenantId"] for x in report["tenants"]} == {"${TENANT_ID}", "acme-corp", "tenant-a", None}
    a = _tenant(report, "tenant-a")
    assert a["files"] == 1
    assert a["counts"] == {
        "nodes": 5,
        "connections": 4,
        "triggers": 0,
        "variables": 0,
        "errors": 0,
        "warnings": 0,
        "invalidFiles": 0,
    }
    acme = _tenant(report, "acme-corp")
    assert acme["counts"]["triggers"] == 1 and acme["counts"]["variables"] == 2
    assert acme["warningsByCode"] == {"TIMEOUT_TOO_SHORT": 1}
    none = _tenant(report, None)
    assert none["files"] == 3 and none["errorsByCode"]["MISSING_TENANT_ID"] == 3
    assert none["worstFiles"][0]["errors"] >= none["worstFiles"][-1]["errors"] > 0
    assert {"hits", "misses", "size", "hitRate"} <= set(report["cache"])
    if client.capabilities.window.show_document and client.capabilities.window.show_document.support:  # type: ignore[union-attr]
        shown = client.shown_documents[shown_before:]
        assert len(shown) == 1 and shown[0].uri.endswith(".md")
        text = Path(shown[0].uri.removeprefix("file://")).read_text()
        assert text.startswith("# Workflow diagnostics by tenant") and "## Tenant: tenant-a" in text
    else:
        assert any("Workflow diagnostics by tenant" in m.message for m in client.messages)


async def test_tenant_diagnostics_narrow_to_one_tenant_and_see_unsaved_edits(
    client: LanguageClient, workspace: Path
) -> None:
    path = workspace / "tenant_a_boot.json"
    doc = open_doc(client, path, path.read_text().replace('"name": "Migrate Version"', '"name": "Load Config"'))
    report = await command(client, "wf.showTenantDiagnostics", "tenant-a")
    assert [x["tenantId"] for x in report["tenants"]] == ["tenant-a"]
    a = report["tenants"][0]
    assert a["errorsByCode"]["DUPLICATE_NODE_NAME"] == 1
    assert a["worstFiles"][0]["uri"] == doc.uri
    doc.close()


async def test_tenant_diagnostics_of_a_document_uri(client: LanguageClient, workspace: Path) -> None:
    """Editors pass the document (VS Code from a context menu, Neovim `vim.uri_from_bufnr(0)`): its tenant is
    reported."""
    path = workspace / "tenant_a_boot.json"
    for arg in (path.as_uri(), {"uri": path.as_uri()}, [path.as_uri()]):
        report = await command(client, "wf.showTenantDiagnostics", arg)
        assert [x["tenantId"] for x in report["tenants"]] == ["tenant-a"], (arg, report.get("problem"))
        assert "problem" not in report
    approval = await command(client, "wf.showTenantDiagnostics", (workspace / APPROVAL).as_uri())
    assert [x["tenantId"] for x in approval["tenants"]] == ["acme-corp"]


async def test_tenant_diagnostics_name_an_unknown_tenant_as_such(client: LanguageClient, workspace: Path) -> None:
    before = len(client.messages)
    report = await command(client, "wf.showTenantDiagnostics", "no-such-tenant")
    assert report["tenants"] == []
    assert report["problem"].startswith(
        "unknown tenant 'no-such-tenant': no workflow file in the workspace has it (tenants: "
    )
    assert "tenant-a" in report["problem"]
    if not (client.capabilities.window.show_document and client.capabilities.window.show_document.support):  # type: ignore[union-attr]
        assert any("unknown tenant 'no-such-tenant'" in m.message for m in client.messages[before:])
    outside = await command(client, "wf.showTenantDiagnostics", (workspace / "package.json").as_uri())
    assert outside["tenants"] == [] and outside["problem"].endswith("is not a workflow file in the workspace")


async def test_a_placeholder_tenant_is_shown_as_unresolved(client: LanguageClient) -> None:
    shown_before = len(client.shown_documents)
    report = await command(client, "wf.showTenantDiagnostics", "${TENANT_ID}")
    [group] = report["tenants"]
    assert group["tenantId"] == "${TENANT_ID}" and group["placeholder"] is True
    if client.capabilities.window.show_document and client.capabilities.window.show_document.support:  # type: ignore[union-attr]
        text = Path(client.shown_documents[shown_before].uri.removeprefix("file://")).read_text()
        assert (
            "## Unresolved placeholder ${TENANT_ID} (filled in at deployment)" in text
            and "Tenant: ${TENANT_ID}" not in text
        )
    else:
        assert any("unresolved placeholder ${TENANT_ID}: " in m.message for m in client.messages)


async def test_validate_workspace_reports_progress(client: LanguageClient, workspace: Path) -> None:
    before = set(client.progress_reports)
    count = len(client.published)  # type: ignore[attr-defined]
    result = await command(client, "wf.validateWorkspace")
    assert result["files"] == 10 and not result["cancelled"]
    assert result["counts"]["errors"] > 0 and result["invalidFiles"] >= 3
    tokens = set(client.progress_reports) - before
    assert len(tokens) == 1
    kinds = [r.kind for r in client.progress_reports[tokens.pop()]]
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    if not pull_mode(client):  # files that are not open get their diagnostics pushed
        single = (workspace / "workflow__examples__python__single_pass__workflow.json").as_uri()
        pushed = await published(client, single, since=count)
        assert "MISSING_TENANT_ID" in {str(d.code) for d in pushed.diagnostics}


async def test_validate_workspace_can_be_cancelled(client: LanguageClient) -> None:
    client.cancel_progress = True  # type: ignore[attr-defined]
    try:
        result = await command(client, "wf.validateWorkspace")
    finally:
        client.cancel_progress = False  # type: ignore[attr-defined]
    assert result["cancelled"] is True and result["files"] == 0


async def test_cache_stats_and_clear(client: LanguageClient, workspace: Path) -> None:
    await command(client, "wf.validateWorkspace")
    stats = await command(client, "wf.cacheStats")
    assert stats["size"] >= 10 and stats["maxSize"] == 512
    again = await command(client, "wf.validateWorkspace")
    assert again["files"] == 10
    warm = await command(client, "wf.cacheStats")
    assert warm["hits"] >= stats["hits"] + 10  # the second run came from the cache
    cleared = await command(client, "wf.clearCache")
    assert cleared["cleared"] >= 10
    after = await command(client, "wf.cacheStats")
    assert after["size"] == 0 and after["hits"] == 0


async def test_execution_plan_levels_from_the_triggers(client: LanguageClient, workspace: Path) -> None:
    boot = open_doc(client, workspace / "open" / "plan.json", corpus_text(BOOT))
    plan = await command(client, "wf.executionPlan", boot.uri)
    assert plan["valid"] is True
    assert plan["levels"] == [
        ["Load Config"],
        ["Validate Version"],
        ["Migrate Version"],
        ["Validate Schema"],
        ["Build Runtime Config"],
    ]
    on_disk = await command(client, "wf.executionPlan", (workspace / APPROVAL).as_uri())
    assert on_disk["valid"] is True and on_disk["levels"][:3] == [
        ["Approval Request Received"],
        ["Validate Request Data"],
        ["Run Parallel Validations"],
    ]
    # The parallel node starts its tasks (named in its parameters) in one step, with what follows it.
    assert {"Check Available Budget", "Verify User Permissions", "Run Fraud Detection"} <= set(on_disk["levels"][3])
    assert on_disk["unreachable"] == [] and on_disk["levels"][-1] == ["Return Result"]
    boot.close()


async def test_execution_plan_refuses_an_invalid_workflow(client: LanguageClient, workspace: Path) -> None:
    doc = open_doc(
        client,
        workspace / "open" / "noplan.json",
        corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"'),
    )
    plan = await command(client, "wf.executionPlan", doc.uri)
    assert plan["valid"] is False and "levels" not in plan
    assert {e["code"] for e in plan["errors"]} >= {"DUPLICATE_NODE_NAME", "INVALID_CONNECTION_SOURCE"}
    missing = await command(client, "wf.executionPlan", (workspace / VARIABLES).as_uri())
    assert missing["valid"] is False and missing["errors"][0]["code"] == "MISSING_TENANT_ID"
    doc.close()


async def test_unknown_command_arguments_do_not_crash(client: LanguageClient) -> None:
    plan = await command(client, "wf.executionPlan")
    assert plan["valid"] is False
    assert (await command(client, "wf.cacheStats", 1, 2))["maxSize"] == 512
    assert isinstance(await client.workspace_execute_command_async(t.ExecuteCommandParams("wf.cacheStats")), dict)


async def test_a_client_that_shows_the_report_itself_gets_the_file(client: LanguageClient, workspace: Path) -> None:
    """VS Code opens the report's preview itself: with `{"show": false}` nothing is shown, the result names the report
    the server wrote, and its files are named by their workspace path and linked relative to the report."""
    shown_before, messages_before = len(client.shown_documents), len(client.messages)
    report = await command(client, "wf.showTenantDiagnostics", "(no tenant)", {"show": False})
    assert len(client.shown_documents) == shown_before and len(client.messages) == messages_before
    assert [x["tenantId"] for x in report["tenants"]] == [None]
    path = Path(report["document"].removeprefix("file://"))
    text = path.read_text()
    assert text.startswith("# Workflow diagnostics by tenant\n\nGenerated 20") and "## Tenant: (no tenant)" in text
    assert "tenant-a" not in text
    worst = report["tenants"][0]["worstFiles"]
    rel = Path(worst[0]["path"]).relative_to(workspace).as_posix()
    link = re.search(rf"\| \[{re.escape(rel)}\]\(([^)]+)\) \|", text)
    assert link and not link[1].startswith("file:"), text
    assert (path.parent / unquote(link[1])).resolve() == Path(worst[0]["path"]).resolve()
