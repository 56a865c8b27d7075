"""A check run in the chosen format (text, JSON, SARIF, GitHub), and the lines that sum a run up on stderr."""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from wf_lsp.core.batch import CheckRun, FileResult
from wf_lsp.core.findings import Severity
from wf_lsp.core.result import Result


def write(fmt: str, run: CheckRun, out: TextIO, floor: Severity, *, color: bool = False, snippets: bool = True) -> None:
    """The run's findings in `fmt`: JSON holds every finding, the others those at `floor` or worse."""
    if fmt == "json":
        from wf_lsp.report import jsonreport

        jsonreport.write(run.files, out)
        return
    shown = filtered(run.files, floor)
    if fmt == "text":
        from wf_lsp.report import text

        out.write(text.render(shown, color=color, snippets=snippets))
    elif fmt == "sarif":
        from wf_lsp.report import sarif

        json.dump(sarif.render(shown), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "github":
        from wf_lsp.report import github

        out.write(github.render(shown))
    else:
        raise ValueError(f"unknown format {fmt!r}")


def filtered(files: list[FileResult], floor: Severity) -> list[FileResult]:
    """The files with only the findings at `floor` or worse (a file whose findings all stay is passed as it is)."""
    out = []
    for fr in files:
        r = fr.result
        kept = [f for f in r.findings if f.severity <= floor]
        if len(kept) == len(r.findings):
            out.append(fr)
            continue
        result = Result(kept, r.is_workflow, r.content_hash, r.summary, r.duration_ms, r.cache_hit)
        out.append(FileResult(fr.path, fr.text, result))
    return out


def totals(run: CheckRun) -> str:
    """`N file(s) checked: E error(s), W warning(s); B invalid file(s)[; P JSON file(s) without a workflow ...].`"""
    n_err = sum(1 for fr in run.files for f in fr.result.findings if f.severity == Severity.ERROR)
    n_warn = sum(1 for fr in run.files for f in fr.result.findings if f.severity == Severity.WARNING)
    bad = sum(1 for fr in run.files if not fr.result.valid)
    passed = f"; {run.passed_over} JSON file(s) without a workflow passed over" if run.passed_over else ""
    counts = f"{n_err} error(s), {n_warn} warning(s); {bad} invalid file(s)"
    return f"{len(run.files)} file(s) checked: {counts}{passed}.\n"


def skipped(run: CheckRun, limit: int = 10) -> str:
    """The paths passed over (the first `limit` with the reason), or nothing."""
    if not run.skipped:
        return ""
    shown = "; ".join(f"{p} ({why})" for p, why in run.skipped[:limit])
    return f"wf-lsp: skipped {len(run.skipped)} path(s): {shown}\n"


def fixable(run: CheckRun) -> str:
    """The text summary's "N fixable with `--fix`" line (and how many more --unsafe-fixes would add), or nothing."""
    from wf_lsp.core.fix.fixfiles import fixable as count

    safe = sum(count(fr.result.findings) for fr in run.files)
    every = sum(count(fr.result.findings, unsafe=True) for fr in run.files)
    if not (safe or every):
        return ""
    more = f" ({every - safe} more with `--fix --unsafe-fixes`)" if every > safe else ""
    return f"{safe} fixable with `--fix`{more}.\n"


def catalogue_note(counts: Counter[str]) -> str:
    """Says how many n8n files were checked without a node catalogue (and how to build one), or nothing."""
    without = counts.get("N8N_CATALOG_MISSING", 0)
    if not without:
        return ""
    from wf_lsp.core.n8n.catalogue import BUILD_HINT

    unchecked = "(types, versions, parameters unchecked)"
    return f"wf-lsp: {without} n8n file(s) checked without a node catalogue {unchecked}; {BUILD_HINT}\n"
