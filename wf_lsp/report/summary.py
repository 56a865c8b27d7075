"""Markdown report of a check run (for `$GITHUB_STEP_SUMMARY` or a pull-request comment), a graph per invalid file."""

from __future__ import annotations

from collections.abc import Callable

from wf_lsp.core.batch import FileResult
from wf_lsp.core.findings import Severity
from wf_lsp.core.graphmodel import WorkflowGraph
from wf_lsp.report import mermaid
from wf_lsp.report.graphlabels import clean, shorten

#: GitHub renders Mermaid blocks up to this many characters; bigger graphs are left out with a note
MAX_MERMAID = 45_000
#: at most this many invalid files get a section, and this many findings a table row each
MAX_SECTIONS = 25
MAX_ROWS = 50
_MARK = {
    Severity.ERROR: "❌ error",
    Severity.WARNING: "⚠️ warning",
    Severity.INFORMATION: "ℹ️ info",
    Severity.HINT: "hint",
}


def cell(text: str, limit: int = 200) -> str:
    """Text safe in a Markdown table cell: one line, no pipes, no HTML, no emphasis or code from backticks."""
    value = shorten(clean(text), limit)
    for raw, entity in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("|", "&#124;"),
        ("`", "&#96;"),
        ("*", "&#42;"),
        ("_", "&#95;"),
    ):
        value = value.replace(raw, entity)
    return value.replace("[", "&#91;").replace("]", "&#93;")


def render(
    files: list[FileResult], graph_of: Callable[[FileResult], WorkflowGraph | None], title: str = "wf-lsp check"
) -> str:
    """The report: totals, a table of files with problems, then per invalid file its findings and its graph."""
    errors = sum(len(fr.result.errors) for fr in files)
    warnings = sum(len(fr.result.warnings) for fr in files)
    invalid = [fr for fr in files if not fr.result.valid]
    flagged = [fr for fr in files if fr.result.errors or fr.result.warnings]
    verdict = "✅ all workflows valid" if not invalid else f"❌ {len(invalid)} invalid workflow(s)"
    out = [
        f"## {cell(title)}",
        "",
        f"**{verdict}** · {len(files)} file(s) checked · {errors} error(s) · {warnings} warning(s)",
        "",
    ]
    if flagged:
        out += ["| File | Errors | Warnings | Codes |", "| --- | ---: | ---: | --- |"]
        for fr in flagged:
            codes = list(dict.fromkeys(f.code for f in fr.result.findings if f.severity <= Severity.WARNING))
            more = f" +{len(codes) - 6}" if len(codes) > 6 else ""
            out.append(
                f"| `{_code(fr.path, True)}` | {len(fr.result.errors)} | {len(fr.result.warnings)} | "
                f"{', '.join(codes[:6])}{more} |"
            )
        out.append("")
    for fr in invalid[:MAX_SECTIONS]:
        out += _section(fr, graph_of)
    if len(invalid) > MAX_SECTIONS:
        out += [
            f"_{len(invalid) - MAX_SECTIONS} more invalid file(s) not shown: run `wf-lsp check` for all of them._",
            "",
        ]
    return "\n".join(out) + "\n"


def _code(path: str, in_table: bool = False) -> str:
    """A path inside an inline code span (backticks cannot close it; in a table, a pipe cannot end the cell)."""
    value = clean(path).replace("`", "'")
    return value.replace("|", "\\|") if in_table else value


def _section(fr: FileResult, graph_of: Callable[[FileResult], WorkflowGraph | None]) -> list[str]:
    shown = [f for f in fr.result.findings if f.severity <= Severity.WARNING]
    out = [f"### ❌ `{_code(fr.path)}`", "", "| Line | Severity | Code | Message |", "| ---: | --- | --- | --- |"]
    for f in shown[:MAX_ROWS]:
        line = str(f.span.start.line + 1) if f.span else ""
        out.append(f"| {line} | {_MARK[f.severity]} | `{f.code}` | {cell(f.message)} |")
    if len(shown) > MAX_ROWS:
        out.append(f"| | | | _{len(shown) - MAX_ROWS} more_ |")
    out.append("")
    graph = graph_of(fr)
    if graph is None:
        return out
    text = mermaid.render(graph)
    if not graph.nodes:
        out += ["_No nodes to draw._", ""]
    elif len(text) > MAX_MERMAID:
        out += [
            f"_The graph ({len(graph.nodes)} nodes) is too big for a Mermaid block: "
            "draw it with `wf-lsp graph FILE --format dot`._",
            "",
        ]
    else:
        legend = "<details open><summary>Graph (problem nodes in red, unreachable dashed, cycles in orange)</summary>"
        out += [legend, "", "```mermaid", text.rstrip("\n"), "```", "", "</details>", ""]
    return out
