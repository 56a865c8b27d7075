"""SARIF 2.1.0 output for code-scanning services (columns counted in Unicode code points, as declared)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from wf_lsp import __version__
from wf_lsp.core.batch import FileResult
from wf_lsp.core.findings import Span
from wf_lsp.core.rules import catalog

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVEL = {1: "error", 2: "warning", 3: "note", 4: "note"}


def _location(path: str) -> dict[str, str]:
    """A path under the current folder stays relative to it, as written (a symlinked folder is not resolved away), with
    the %SRCROOT% base; any other path is an absolute file URI."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = os.path.relpath(absolute, Path.cwd())
        if not rel.startswith(".."):
            return {"uri": Path(rel).as_posix(), "uriBaseId": SRCROOT}
    except ValueError:
        pass
    return {"uri": absolute.as_uri()}


def _region(span: Span | None) -> dict[str, int]:
    if span is None:
        return {"startLine": 1, "startColumn": 1}
    return {
        "startLine": span.start.line + 1,
        "startColumn": span.start.character + 1,
        "endLine": span.end.line + 1,
        "endColumn": span.end.character + 1,
    }


def render(files: list[FileResult]) -> dict[str, Any]:
    """One SARIF log with one run; every catalog rule is declared so rule indices are stable."""
    rules = list(catalog.RULES.values())
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    for fr in files:
        where = _location(fr.path)
        for f in fr.result.findings:
            loc = {"physicalLocation": {"artifactLocation": dict(where), "region": _region(f.span)}}
            item: dict[str, Any] = {
                "ruleId": f.code,
                "level": _LEVEL[int(f.severity)],
                "message": {"text": f"{f.message}. {f.suggestion}" if f.suggestion else f.message},
                "locations": [loc],
                "properties": {"path": f.path},
            }
            if f.code in index:
                item["ruleIndex"] = index[f.code]
            if f.related:
                item["relatedLocations"] = [
                    {
                        "id": k,
                        "message": {"text": r.message},
                        "physicalLocation": {"artifactLocation": dict(where), "region": _region(r.span)},
                    }
                    for k, r in enumerate(f.related)
                ]
            results.append(item)
    driver = {
        "name": "wf-lsp",
        "version": __version__,
        "informationUri": "https://github.com/wf-lsp/wf-lsp",
        "rules": [
            {
                "id": r.code,
                "name": "".join(part.capitalize() for part in r.code.split("_")),
                "shortDescription": {"text": r.message},
                "fullDescription": {"text": r.doc},
                "helpUri": r.url,
                "help": {"text": r.doc},
                "defaultConfiguration": {"level": _LEVEL[int(r.severity)]},
                "properties": {"profiles": sorted(r.profiles), "hasFix": r.has_fix},
            }
            for r in rules
        ],
    }
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
