"""The one tenant-report renderer: grouping by tenant, the Markdown editors show, how it names and links files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings
from wf_lsp.report.tenants import NO_TENANT, Links, render_markdown, render_message, tenant_report


@dataclass
class _Checked:
    uri: str
    result: Result


def _workflow(tenant: str | None, duplicate: bool) -> str:
    names = ["A", "A" if duplicate else "B"]
    nodes = ", ".join(f'{{"id": "n{i}", "name": "{n}", "type": "metabuilder.trigger"}}' for i, n in enumerate(names))
    head = f'"tenantId": "{tenant}", ' if tenant else ""
    return f'{{{head}"nodes": [{nodes}], "connections": {{}}}}'


def _report(root: Path) -> dict:  # type: ignore[type-arg]
    loader = WorkflowLoader(Settings())
    files = {"flows/a|b [1].json": ("acme", True), "flows/ok.json": ("acme", False), "x.json": (None, True)}
    checked, paths = [], {}
    for name, (tenant, dup) in files.items():
        path = root / name
        paths[path.as_uri()] = str(path)
        checked.append(_Checked(path.as_uri(), loader.validate_text(_workflow(tenant, dup), str(path))))
    return tenant_report(checked, {"hits": 1, "hitRate": 0.5}, path_of=paths.get)


def test_groups_by_tenant_with_the_worst_files_first(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert [t["tenantId"] for t in report["tenants"]] == ["acme", None]
    acme = report["tenants"][0]
    assert acme["files"] == 2 and acme["errorsByCode"] == {"DUPLICATE_NODE_NAME": 1}
    assert [r["path"] for r in acme["worstFiles"]] == [str(tmp_path / "flows/a|b [1].json")]
    only = tenant_report([], {}, NO_TENANT)
    assert only == {"tenants": [], "cache": {}}


def test_the_markdown_names_files_by_base_name_and_links_their_uri_by_default(tmp_path: Path) -> None:
    text = render_markdown(_report(tmp_path))
    assert text.startswith("# Workflow diagnostics by tenant\n\n## Tenant: acme\n\n2 file(s), ")
    uri = (tmp_path / "flows/a|b [1].json").as_uri()
    assert f"| [a\\|b \\[1\\].json]({uri}) | 1 | 0 |" in text
    assert "## Tenant: (no tenant)" in text and text.endswith("## Validation cache\n\n- hits: 1\n- hitRate: 0.5\n")
    assert render_message(_report(tmp_path)).startswith("Workflow diagnostics by tenant: acme: 2 file(s), 1 error(s)")


def test_a_preview_gets_workspace_paths_and_links_relative_to_the_report(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    links = Links(base=str(reports), folders=(str(tmp_path / "ws"),))
    text = render_markdown(_report(tmp_path / "ws"), links, "2026-01-02T03:04:05Z")
    assert text.startswith("# Workflow diagnostics by tenant\n\nGenerated 2026-01-02T03:04:05Z.\n\n")
    assert "| [flows/a\\|b \\[1\\].json](../ws/flows/a%7Cb%20%5B1%5D.json) | 1 | 0 |" in text
    assert "| [x.json](../ws/x.json) | 2 | 0 |" in text


def test_a_file_name_that_is_not_utf8_keeps_its_bytes_in_the_link(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.json")
    link = Links(base=str(tmp_path / "reports")).target(str(tmp_path / name), "file:///x")
    assert link == "../caf%E9.json"
    assert Links(base="/r").target("/r/\ud800.json", "file:///x") == "%5Cud800.json"
