"""The JSON format: one object per checked file, every finding whatever its severity, written file by file."""

from __future__ import annotations

import json
from typing import TextIO

from wf_lsp.core.batch import FileResult


def write(files: list[FileResult], out: TextIO) -> None:
    """A JSON array, one file per line: C-speed encoding (indent= would fall back to the pure-Python encoder), still
    diffable; written file by file, so the report is never held whole."""
    for k, fr in enumerate(files):
        item = json.dumps(fr.result.to_json(fr.path), ensure_ascii=False, separators=(",", ":"))
        out.write(("[\n" if k == 0 else ",\n") + item)
    out.write("\n]\n" if files else "[]\n")
