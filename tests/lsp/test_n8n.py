"""The n8n dialect in the editor: diagnostics from the catalogue, hover with the type's catalogue entry and dialect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lsp.raw import RawServer, utf16_position

MINI = Path(__file__).resolve().parents[1] / "data" / "n8n" / "mini-catalog.json"
EXPORT = json.dumps(
    {
        "name": "Demo",
        "nodes": [
            {
                "id": "1",
                "name": "Trigger",
                "type": "n8n-nodes-base.demoTrigger",
                "typeVersion": 1,
                "position": [0, 0],
                "parameters": {},
            },
            {
                "id": "2",
                "name": "Action",
                "type": "n8n-nodes-base.demoAction",
                "typeVersion": 2,
                "position": [200, 0],
                "parameters": {"resource": "item"},
            },
        ],
        "connections": {"Trigger": {"main": [[{"node": "Action", "type": "main", "index": 0}]]}},
        "meta": {"instanceId": "x"},
    },
    indent=2,
)


async def _labels(server: RawServer, uri: str, offset: int) -> list[str]:
    answer = await server.call(
        "textDocument/completion", {"textDocument": {"uri": uri}, "position": utf16_position(EXPORT, offset)}
    )
    return [i["label"] for i in answer["result"]["items"]]


@pytest.mark.asyncio(loop_scope="module")
async def test_n8n_export_gets_catalogue_diagnostics_and_hover(tmp_path: Path) -> None:
    server = await RawServer(
        configuration=lambda item: {"debounceMs": 20, "n8nCatalog": str(MINI)}, stderr=tmp_path / "stderr.txt"
    ).start()
    try:
        await server.initialize([tmp_path])
        uri = (tmp_path / "export.json").as_uri()
        server.open(uri, EXPORT)
        await server.drain()
        published = await server.until(lambda: server.publishes(uri), what="diagnostics")
        codes = [d.get("code") for d in published[-1]["diagnostics"]]
        assert codes == ["N8N_PARAMETER_ISSUE"], codes
        position = utf16_position(EXPORT, EXPORT.index('"n8n-nodes-base.demoAction"') + 3)
        answer = await server.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
        shown = answer["result"]["contents"]["value"]
        assert shown.startswith("**Demo Action** (`n8n-nodes-base.demoAction` v2)"), shown
        assert "| `title` | string | yes |" in shown and "_Dialect: n8n_" in shown
        position = utf16_position(EXPORT, EXPORT.index('"resource"') + 3)
        shown = (await server.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": position}))[
            "result"
        ]["contents"]["value"]
        assert shown.startswith("**Resource** (`resource`): options") and "Options: `item`, `list`" in shown
        info = await server.call("workspace/executeCommand", {"command": "wf.documentInfo", "arguments": [uri]})
        assert info["result"] == {"workflow": True, "dialect": "n8n", "valid": False}
        labels = await _labels(server, uri, EXPORT.index('"n8n-nodes-base.demoAction"') + 3)
        assert "n8n-nodes-base.demoActionTool" in labels and "@n8n/n8n-nodes-langchain.demoModel" in labels
        assert await _labels(server, uri, EXPORT.index('"item"') + 2) == ["item", "list"]
        assert "title" in await _labels(server, uri, EXPORT.index('"resource"') + 2)
        # quick fix for a typeVersion the type does not have: the nearest valid one
        wrong = EXPORT.replace('"typeVersion": 2,', '"typeVersion": 7,')
        server.change(uri, 2, [{"text": wrong}])
        await server.drain()
        published = await server.until(
            lambda: [p for p in server.publishes(uri) if p.get("version") == 2], what="diagnostics of version 2"
        )
        diag = next(d for d in published[-1]["diagnostics"] if d.get("code") == "N8N_UNKNOWN_TYPE_VERSION")
        params = {"textDocument": {"uri": uri}, "range": diag["range"], "context": {"diagnostics": [diag]}}
        actions = (await server.call("textDocument/codeAction", params))["result"]
        fix = next(a for a in actions if a["title"] == "Use typeVersion 2.1")
        edit = (
            fix["edit"]["changes"][uri][0]
            if "changes" in fix["edit"]
            else fix["edit"]["documentChanges"][0]["edits"][0]
        )
        assert edit["newText"] == "2.1"
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()


def test_tenant_report_groups_n8n_exports_under_no_tenant() -> None:
    from wf_lsp.core.loader import WorkflowLoader
    from wf_lsp.core.settings import Settings
    from wf_lsp.lsp.commands import NO_TENANT, render_markdown, tenant_report
    from wf_lsp.lsp.snapshot import DocumentSnapshot
    from wf_lsp.lsp.validation import Validation

    settings = Settings(n8n_catalog=str(MINI))
    loader = WorkflowLoader(settings)
    metabuilder = json.dumps(
        {"tenantId": "acme", "nodes": [{"id": "a", "name": "A", "type": "metabuilder.trigger"}], "connections": {}}
    )
    outcomes = [
        Validation(
            f"file:///w/{name}.json",
            1,
            text,
            loader.validate_text(text),
            True,
            [],
            name,
            settings,
            DocumentSnapshot(text, 1, settings, "utf-16"),
        )
        for name, text in (("export", EXPORT), ("mb", metabuilder))
    ]
    report = tenant_report(outcomes, {})
    groups = {t["tenantId"]: t for t in report["tenants"]}
    assert groups[None]["dialects"] == {"n8n": 1} and groups["acme"]["dialects"] == {"metabuilder": 1}
    assert f"## Tenant: {NO_TENANT}\n\nDialects: n8n 1" in render_markdown(report)
