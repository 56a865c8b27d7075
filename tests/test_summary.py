"""`wf-lsp check --summary FILE.md`: a Markdown report with a Mermaid graph of each invalid workflow."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.helpers import CORPUS, DATA, run_cli
from tests.mermaidkit import mermaid_parse
from wf_lsp.report.summary import cell

BAD = "workflow__examples__python__testing_triangle__workflow.json"
WARN = "packages__examples__workflows__complex_approval_flow.workflow.json"
GOOD = "gameengine__packages__bootstrap__workflows__boot_default.json"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "flows"
    root.mkdir()
    for name in (BAD, WARN, GOOD):
        shutil.copy(CORPUS / name, root / name)
    shutil.copy(DATA / "graph" / "hostile_names.json", root / "hostile `names` | x.json")
    return root


def test_summary_reports_the_run_with_a_graph_per_invalid_workflow(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    report = tmp_path / "summary.md"
    code, out, err = run_cli(["check", str(root), "--no-config", "--jobs", "1", "--summary", str(report), "-q"])
    assert code == 1, err
    md = report.read_text(encoding="utf-8")
    assert md.startswith("## wf-lsp check\n")
    assert "**❌ 2 invalid workflow(s)** · 4 file(s) checked · 8 error(s) · 3 warning(s)" in md
    # every file with a problem is in the table, the clean one is not
    table = [line for line in md.splitlines() if line.startswith("| `")]
    assert len(table) == 3 and not any(GOOD in line for line in table)
    assert any(WARN in line and "| 0 | 1 | TIMEOUT_TOO_SHORT |" in line for line in table)
    # a section (findings and graph) per invalid file only
    sections = re.findall(r"^### ❌ `([^`]*)`$", md, flags=re.M)
    assert sorted(Path(s).name for s in sections) == sorted([BAD, "hostile 'names' | x.json"])
    assert (
        "| 106 | ❌ error | `INVALID_CONNECTION_TARGET_NODE` | "
        'Target node "&#91;object Object&#93;" not found in workflow nodes |' in md
    )
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", md, flags=re.M | re.S)
    assert len(blocks) == 2 and md.count("```") == 4
    assert all(b.startswith("flowchart LR\n") for b in blocks)
    assert any("class n0,n1,n3,n4 error" in b for b in blocks)
    assert any("class n2,n11,n13 error" in b and "class n10 cyclic" in b and "class n12 warning" in b for b in blocks)
    # every table row has exactly its four cells: hostile names and paths never add a pipe
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(rows) > 8 and all(len(re.findall(r"(?<!\\)\|", line)) == 5 for line in rows), rows
    assert "hostile 'names' \\| x.json" in md
    files = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"block{i}.mmd"
        path.write_text(block, encoding="utf-8")
        files.append(path)
    results = mermaid_parse(files)
    assert all(r["ok"] for r in results.values()), results


def test_summary_of_a_clean_run_says_so(tmp_path: Path) -> None:
    report = tmp_path / "summary.md"
    code, _, err = run_cli(["check", str(CORPUS / GOOD), "--no-config", "--summary", str(report), "-q"])
    assert code == 0, err
    md = report.read_text(encoding="utf-8")
    assert (
        "**✅ all workflows valid** · 1 file(s) checked · 0 error(s) · 0 warning(s)" in md
        and "```" not in md
        and "| File |" not in md
    )


def test_summary_of_a_huge_invalid_workflow_leaves_the_graph_out(tmp_path: Path) -> None:
    nodes = ",".join(
        f'{{"id": "n{i}", "name": "Node number {i}", "type": "metabuilder.transform", "parameters": {{}}}}'
        for i in range(3000)
    )
    conns = ",".join(
        f'"Node number {i}": {{"main": {{"0": [{{"node": "Node number {i + 1}", "type": "main", "index": 0}}]}}}}'
        for i in range(2999)
    )
    big = tmp_path / "big.json"
    big.write_text(f'{{"name": "big", "nodes": [{nodes}], "connections": {{{conns}}}}}')
    report = tmp_path / "summary.md"
    code, _, err = run_cli(["check", str(big), "--no-config", "--summary", str(report), "-q"])
    assert code == 1, err
    md = report.read_text(encoding="utf-8")
    assert "```mermaid" not in md and "is too big for a Mermaid block" in md and "MISSING_TENANT_ID" in md


def test_cells_escape_markdown_and_html() -> None:
    assert (
        cell("a | b <script> `x` *y* _z_ [l](u)\nnext")
        == "a &#124; b &lt;script&gt; &#96;x&#96; &#42;y&#42; &#95;z&#95; &#91;l&#93;(u) next"
    )
